import { renderHomePage } from './home.view';

describe('home page', () => {
  it('escapes everything it interpolates', () => {
    const page = renderHomePage({
      name: '<b>x</b>',
      version: '"><script>alert(1)</script>',
      publicUrl: 'https://pay.example/"><img src=x onerror=alert(1)>',
      devBackend: false,
      nonce: 'n"o',
    });
    expect(page).not.toMatch(/<script|<img|<b>/);
    expect(page).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(page).toContain('nonce="n&quot;o"');
    // Our own stylesheet goes in as it is (its quotes escaped would break the font list).
    expect(page).toContain('"Segoe UI"');
  });

  it('says so when the dev backend is on', () => {
    const input = { name: 'Lightning Checkout', version: '1.2.3', publicUrl: 'http://localhost:4411/', nonce: 'abc' };
    expect(renderHomePage({ ...input, devBackend: true })).toContain('dev Lightning backend');
    const real = renderHomePage({ ...input, devBackend: false });
    expect(real).not.toContain('dev Lightning backend');
    expect(real).toContain('curl -s -X POST http://localhost:4411/api/v1/checkouts');
  });
});
