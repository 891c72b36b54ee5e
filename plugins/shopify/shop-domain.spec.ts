import { shopDomainMatches } from './shop-domain';

describe('shopDomainMatches', () => {
  it('requires the header to name the configured shop domain, case-insensitively', () => {
    expect(shopDomainMatches('my-shop.myshopify.com', 'my-shop.myshopify.com')).toBe(true);
    expect(shopDomainMatches('My-Shop.myshopify.com/', 'my-shop.MYSHOPIFY.com')).toBe(true);
    expect(shopDomainMatches('my-shop.myshopify.com', 'other-shop.myshopify.com')).toBe(false);
    expect(shopDomainMatches('my-shop.myshopify.com', undefined)).toBe(false);
    expect(shopDomainMatches('my-shop.myshopify.com', ['my-shop.myshopify.com', 'x'])).toBe(false);
  });

  it('does not compare when the shop is configured as a URL', () => {
    expect(shopDomainMatches('http://127.0.0.1:4000', 'my-shop.myshopify.com')).toBe(true);
  });
});
