import { checkLogoUrl } from './store-logo';

describe('store logo URL', () => {
  it('takes https anywhere and http on loopback only, normalized', () => {
    expect(checkLogoUrl('https://cdn.shop.example/logo.png')).toEqual({ url: 'https://cdn.shop.example/logo.png' });
    expect(checkLogoUrl('HTTPS://Shop.Example/a b.svg')).toEqual({ url: 'https://shop.example/a%20b.svg' });
    expect(checkLogoUrl('http://localhost:8080/logo.svg')).toEqual({ url: 'http://localhost:8080/logo.svg' });
    expect(checkLogoUrl('http://127.0.0.1/logo.svg')).toEqual({ url: 'http://127.0.0.1/logo.svg' });
    expect(checkLogoUrl('http://[::1]:3000/logo.svg')).toEqual({ url: 'http://[::1]:3000/logo.svg' });
  });

  it.each([
    'http://shop.example/logo.png',
    'http://localhost.evil.example/logo.png',
    'javascript:alert(1)',
    'data:image/svg+xml,<svg/>',
    'ftp://shop.example/logo.png',
    '//shop.example/logo.png',
    'logo.png',
    '',
    'https://user:secret@shop.example/logo.png',
    `https://shop.example/${'a'.repeat(2000)}`,
  ])('refuses %s', (value) => {
    expect(checkLogoUrl(value)).toEqual({ error: expect.stringContaining('logoUrl') });
  });
});
