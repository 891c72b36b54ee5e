import { checkLogoUrl } from './store-logo';

describe('store logo URL', () => {
  it('takes https anywhere and http on loopback only, normalized', () => {
    expect(checkLogoUrl('https://cdn.shop.example/logo.png')).toEqual({ url: 'https://cdn.shop.example/logo.png' });
    expect(checkLogoUrl('HTTPS://Shop.Example/a b.svg')).toEqual({ url: 'https://shop.example/a%20b.svg' });
    expect(checkLogoUrl('http://localhost:8080/logo.svg')).toEqual({ url: 'http://localhost:8080/logo.svg' });
    expect(checkLogoUrl('http://127.0.0.1/logo.svg')).toEqual({ url: 'http://127.0.0.1/logo.svg' });
    expect(checkLogoUrl('https://bücher.example/logo.png')).toEqual({ url: 'https://xn--bcher-kva.example/logo.png' });
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
    // Host names the URL parser lets through but a CSP source cannot hold: a wildcard would widen
    // img-src to every host, a ';', ',' or quote would break the header (and so every page).
    'https://*/logo.png',
    'https://*.example/logo.png',
    'https://shop;script-src.example/logo.png',
    "https://shop'.example/logo.png",
    'https://shop".example/logo.png',
    'https://a,b.example/logo.png',
    'https://a{b}.example/logo.png',
    'https://a_b.example/logo.png',
    // CSP has no IPv6 form: Chromium drops "http://[::1]:3000" from img-src, so the logo would never load.
    'http://[::1]:3000/logo.svg',
    'https://[2001:db8::1]/logo.png',
  ])('refuses %s', (value) => {
    expect(checkLogoUrl(value)).toEqual({ error: expect.stringContaining('logoUrl') });
  });
});
