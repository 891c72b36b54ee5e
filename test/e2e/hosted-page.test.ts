import { mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { Checkout } from '../../src/checkout/checkout.entity';
import { CheckoutStatus } from '../../src/checkout/checkout-status';
import { CheckoutService } from '../../src/checkout/checkout.service';
import { CheckoutTransitions } from '../../src/checkout/checkout-transitions';
import { CheckoutWatcher } from '../../src/checkout/page/checkout-watcher';
import { EventStreams } from '../../src/checkout/page/event-streams';
import { LightningService } from '../../src/lightning/lightning.service';
import { startTestApp, TestApp } from '../support/test-app';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { Policy } from '../../src/stores/permissions';
import { Store } from '../../src/stores/store.entity';

// Browser globals, used only inside page.evaluate callbacks (the project compiles without the DOM lib).
declare const document: any;
declare const window: any;
declare const Image: any;

const SCREENSHOTS = process.env.SCREENSHOTS_DIR ?? join(__dirname, '__screenshots__');
const STORE_NAME = `Bob's <script>alert(1)</script> & Café`;
/** The shop's logo, served by the stand-in shop over http on 127.0.0.1 (allowed: loopback). */
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="48" viewBox="0 0 120 48"><rect width="120" height="48" rx="10" fill="#1e3a8a"/><text x="60" y="31" font-family="sans-serif" font-size="18" font-weight="700" fill="#fff" text-anchor="middle">MUGS</text></svg>';

interface ShopServer {
  url: string;
  hits: string[];
  server: Server;
}

/** Stands in for the merchant's "thank you" page: records that the customer arrived. */
async function startShop(): Promise<ShopServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/logo.svg') {
      res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end(LOGO_SVG);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>Thanks</title><h1>Thanks for your order</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a text/event-stream with fetch, independently of any browser. */
function readEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  return {
    async next(timeoutMs = 10_000): Promise<SseEvent | null> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const split = buffer.indexOf('\n\n');
        if (split >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event) return { event, data: data ? JSON.parse(data) : null };
          continue; // a comment (heartbeat) or the retry hint
        }
        if (done) return null;
        const left = until - Date.now();
        if (left <= 0) throw new Error('no event in time');
        const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event in time')), left))]);
        if (chunk.done) done = true;
        else buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

// Drives a real browser on a shared 2-core machine: generous per-test time.
jest.setTimeout(60_000);

describe('hosted checkout page /i/:id', () => {
  let t: TestApp;
  let shop: ShopServer;
  let browser: Browser;
  let auth: { Authorization: string };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp({ listen: true });
    auth = { Authorization: `token ${(await t.createStore(STORE_NAME)).apiKey}` };
    shop = await startShop();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (shop ? shop.server.close(resolve) : resolve(undefined)));
    await t?.close();
  });

  const createCheckout = async (body: Record<string, unknown>) => {
    const res = await t.http.post('/api/v1/checkouts').set(auth).send(body).expect(201);
    return res.body as { id: string; bolt11: string; lightningUri: string; paymentHash: string; expiresAt: string };
  };

  /** A page that fails the test on any console error, CSP violations included. */
  const openPage = async (): Promise<{ page: Page; errors: string[] }> => {
    const page = await browser.newPage({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    page.on('pageerror', (err) => errors.push(err.message));
    return { page, errors };
  };

  /** The RGBA pixels of an element as the browser rendered it. */
  const pixels = async (page: Page, selector: string): Promise<{ width: number; height: number; rgba: Uint8ClampedArray }> => {
    const png = await page.locator(selector).screenshot();
    // The PNG is turned into raw RGBA by a canvas in a blank page (no CSP there).
    const scratch = await browser.newPage();
    try {
      const image = await scratch.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const bytes = ctx.getImageData(0, 0, img.width, img.height).data;
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return { width: img.width, height: img.height, rgba: btoa(binary) };
      }, png.toString('base64'));
      return { width: image.width, height: image.height, rgba: new Uint8ClampedArray(Buffer.from(image.rgba, 'base64')) };
    } finally {
      await scratch.close();
    }
  };

  /** Decodes the QR code from the pixels the browser actually rendered, as a phone camera would. */
  const decodeQr = async (page: Page, selector = '.qr'): Promise<string | null> => {
    const image = await pixels(page, selector);
    return jsQR(image.rgba, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
  };

  /** A page in a context of its own (time zone, language, JavaScript), failing the test on console errors. */
  const openIn = async (options: Parameters<Browser['newContext']>[0]): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> => {
    const context = await browser.newContext({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 1, ...options });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    page.on('pageerror', (err) => errors.push(err.message));
    return { page, errors, close: () => context.close() };
  };

  /** Full-page screenshots at a phone's width (375 px) and a desktop's. */
  const screenshots = async (page: Page, name: string) => {
    for (const [suffix, width] of [
      ['375', 375],
      ['desktop', 1280],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${suffix}.png`), fullPage: true, animations: 'disabled' });
    }
  };

  it('serves a page that works without JavaScript: QR as inline SVG, the invoice, escaped merchant text, strict headers', async () => {
    const c = await createCheckout({ amount: 2100, orderId: 'A-17', description: '"><img src=x onerror=alert(1)>' });
    const res = await fetch(`${t.url}/i/${c.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toMatch(/<svg [^>]*role="img"[^>]*>.*<path [^>]*d="M/s);
    expect(page).toContain(c.bolt11);
    expect(page).toContain(`href="lightning:${c.bolt11}"`);
    expect(page).toContain('2,100');
    // Merchant-provided strings arrive as text, never as markup.
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('Bob&#39;s &lt;script&gt;alert(1)&lt;/script&gt; &amp; Café');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    // Without JavaScript: a reload every few seconds, the expiry as a fixed time, a plain form.
    expect(page).toMatch(/<noscript><meta http-equiv="refresh" content="\d+"><\/noscript>/);
    expect(page).toMatch(/<time id="expires-at" datetime="[^"]+" title="[^"]+" data-local>\d+ \w+ \d{4}, \d\d:\d\d UTC<\/time>/);
    // The bar spans the checkout's lifetime (15 minutes, give or take the database's clock for createdAt).
    const bar = /<progress id="time-left" max="(\d+)" value="(\d+)" aria-label="Time left to pay"><\/progress>/.exec(page);
    expect(Math.abs(Number(bar?.[1]) - 900)).toBeLessThanOrEqual(5);
    expect(Number(bar?.[2])).toBeLessThanOrEqual(Number(bar?.[1]));
    expect(Number(bar?.[2])).toBeGreaterThan(850);
    expect(page).toContain(`<form class="simulate" id="simulate-form" method="post" action="/i/${c.id}/simulate-payment">`);
    expect(page).toContain('DEV BACKEND');

    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(page).toContain(`<script nonce="${nonce}">`);
    // Every script on the page carries the nonce; nothing is loaded from elsewhere.
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toMatch(/\s(src|href)="(https?:)?\/\//);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const again = await fetch(`${t.url}/i/${c.id}`);
    expect(again.headers.get('content-security-policy')).not.toContain(nonce);
  });

  it('leads a fiat checkout with the price the shopper saw, sats below, the rate behind "view details"; a sats checkout is unchanged', async () => {
    const c = await createCheckout({ amount: '12.35', currency: 'USD' });
    const page = await (await fetch(`${t.url}/i/${c.id}`)).text();
    expect(page).toMatch(/<p class="price">\$12\.35 <small>USD<\/small><\/p>\s*<p class="sats-below">12,350 sats<\/p>/);
    expect(page).toContain('<details class="rate-details">');
    expect(page).toContain('<summary>View details</summary>');
    expect(page).toContain('<dd class="rate">1 BTC = 100,000.00 USD</dd>');
    expect(page).toContain('<dd>fixed rate table</dd>');
    expect(page).toContain('<dd>0%</dd>');
    const sats = await createCheckout({ amount: 2100 });
    const satsPage = await (await fetch(`${t.url}/i/${sats.id}`)).text();
    expect(satsPage).toMatch(/<p class="sats">2,100 <small>sats<\/small><\/p>/);
    expect(satsPage).not.toContain('<details class="rate-details">');
    expect(satsPage).not.toContain('class="price"');
  });

  it('speaks the language Accept-Language asks for; ?lang= picks another, remembered in a cookie', async () => {
    const c = await createCheckout({ amount: 2100 });
    const de = await fetch(`${t.url}/i/${c.id}`, { headers: { 'Accept-Language': 'de-AT,de;q=0.9,en;q=0.5' } });
    expect(de.headers.get('content-language')).toBe('de');
    expect(de.headers.get('vary')).toContain('Accept-Language');
    expect(de.headers.get('set-cookie')).toBeNull();
    const dePage = await de.text();
    expect(dePage).toContain('<html lang="de">');
    expect(dePage).toContain('<p class="label">Mit Lightning bezahlen</p>');
    expect(dePage).toContain('<button class="button" type="submit">Zahlung simulieren</button>');
    expect(dePage).toContain('<p class="sats">2.100 <small>sats</small></p>');
    expect(dePage).toContain('<h2>Bezahlt</h2>');
    expect(dePage).toContain('<h2>Bezahlvorgang abgelaufen</h2>');
    // The picker is plain links: it needs no script.
    expect(dePage).toContain('<nav class="langs" aria-label="Sprache">');
    expect(dePage).toContain('<a href="?lang=ja" hreflang="ja" lang="ja">日本語</a>');
    expect(dePage).toContain('<a href="?lang=de" hreflang="de" lang="de" aria-current="true">Deutsch</a>');

    const picked = await fetch(`${t.url}/i/${c.id}?lang=ja`, { headers: { 'Accept-Language': 'de' } });
    const cookie = picked.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^checkout_lang=ja;/);
    expect(cookie).toContain('Path=/i');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(await picked.text()).toContain('<html lang="ja">');
    const remembered = await (await fetch(`${t.url}/i/${c.id}`, { headers: { 'Accept-Language': 'de', Cookie: cookie.split(';')[0] } })).text();
    expect(remembered).toContain('<p class="label">Lightningで支払う</p>');
    // An unknown choice falls through to the header; nothing of it is echoed.
    const unknown = await (await fetch(`${t.url}/i/${c.id}?lang=%22evil-lang`, { headers: { 'Accept-Language': 'nl, fr;q=0.5' } })).text();
    expect(unknown).toContain('<html lang="fr">');
    expect(unknown).not.toContain('evil-lang');
    // The modal's frame keeps its view when the language changes.
    expect(await (await fetch(`${t.url}/i/${c.id}?view=modal`)).text()).toContain('<a href="?view=modal&amp;lang=it" hreflang="it" lang="it">Italiano</a>');
    const notFound = await fetch(`${t.url}/i/no-such-checkout`, { headers: { 'Accept-Language': 'es' } });
    expect(await notFound.text()).toContain('<h2>Pago no encontrado</h2>');
  });

  it('shows the store logo from store settings, with escaped alt text, allowed by img-src; refuses a logo that is not https', async () => {
    const owner = { Authorization: `token ${(await t.createStore('Logo "shop" <b>', [Policy.CanModifyStoreSettings])).apiKey}` };
    for (const logoUrl of [
      'http://cdn.example/logo.png',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'logo.png',
      'https://u:p@cdn.example/l.png',
      `https://cdn.example/${'x'.repeat(2000)}`,
    ]) {
      const res = await t.http.patch('/api/v1/store').set(owner).send({ logoUrl }).expect(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('invalid_logo_url');
    }
    expect((await t.http.patch('/api/v1/store').set(owner).send({ logoUrl: 42 }).expect(422)).body.code).toBe('validation_failed');
    const patched = await t.http.patch('/api/v1/store').set(owner).send({ logoUrl: 'https://cdn.example/img/logo.png?v="2"' }).expect(200);
    expect(patched.body.logoUrl).toBe('https://cdn.example/img/logo.png?v=%222%22');
    expect((await t.http.get('/api/v1/store').set(owner).expect(200)).body.logoUrl).toBe('https://cdn.example/img/logo.png?v=%222%22');
    const c = (await t.http.post('/api/v1/checkouts').set(owner).send({ amount: 1000 }).expect(201)).body as { id: string };
    const res = await fetch(`${t.url}/i/${c.id}`);
    expect(await res.text()).toContain(
      '<img class="logo" src="https://cdn.example/img/logo.png?v=%222%22" alt="Logo &quot;shop&quot; &lt;b&gt; logo" referrerpolicy="no-referrer"',
    );
    expect(res.headers.get('content-security-policy')).toContain('; img-src data: https://cdn.example; ');

    // In a browser: the logo of a local shop (http on loopback is allowed) loads under the page's CSP.
    await t.http
      .patch('/api/v1/store')
      .set(owner)
      .send({ logoUrl: `${shop.url}/logo.svg` })
      .expect(200);
    const { page, errors, close } = await openIn({});
    try {
      await page.goto(`${t.url}/i/${c.id}`);
      const logo = page.locator('img.logo');
      await page.waitForFunction(() => document.querySelector('img.logo').complete);
      await expect(logo.evaluate((img: any) => img.naturalWidth)).resolves.toBe(120);
      await expect(logo.getAttribute('alt')).resolves.toBe('Logo "shop" <b> logo');
      await screenshots(page, 'hosted-page-logo');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }

    expect((await t.http.patch('/api/v1/store').set(owner).send({ logoUrl: null }).expect(200)).body.logoUrl).toBeNull();
    const without = await fetch(`${t.url}/i/${c.id}`);
    expect(await without.text()).not.toContain('class="logo"');
    expect(without.headers.get('content-security-policy')).toContain('; img-src data:; ');
  });

  it('refuses a logo host that would widen or break the CSP (a wildcard, a semicolon, a quote) or that CSP cannot name (IPv6), and a stored one never reaches the page', async () => {
    const owner = await t.createStore('Logo host shop', [Policy.CanModifyStoreSettings]);
    const key = { Authorization: `token ${owner.apiKey}` };
    // An IPv6 literal has no CSP form: Chromium drops it from img-src, so the logo would never load.
    for (const logoUrl of [
      'https://*/l.png',
      'https://*.cdn.example/l.png',
      'https://cdn;script-src.example/l.png',
      "https://cdn'.example/l.png",
      'https://a,b.example/l.png',
      'http://[::1]:3000/l.png',
    ]) {
      const res = await t.http.patch('/api/v1/store').set(key).send({ logoUrl });
      expect({ logoUrl, status: res.status, code: res.body.code }).toEqual({ logoUrl, status: 422, code: 'invalid_logo_url' });
    }
    // A row written before this check (or by hand): the page still renders, without the logo and with the strict img-src.
    const c = (await t.http.post('/api/v1/checkouts').set(key).send({ amount: 1000 }).expect(201)).body as { id: string };
    for (const stored of ['https://cdn;script-src.example/l.png', 'https://*/l.png']) {
      await t.app.get(UnitOfWork).run((m) => m.update(Store, { id: owner.storeId }, { logoUrl: stored }));
      const res = await fetch(`${t.url}/i/${c.id}`);
      expect({ stored, status: res.status }).toEqual({ stored, status: 200 });
      expect(await res.text()).not.toContain('class="logo"');
      expect(res.headers.get('content-security-policy')).toContain('; img-src data:; ');
    }
  });

  it('in a browser: a checkout that expires in days runs its script (countdown in days, copy button, live updates)', async () => {
    const c = await createCheckout({ amount: 2100, expirySeconds: 2 * 86_400 + 3_600 });
    const { page, errors, close } = await openIn({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    try {
      await page.goto(`${t.url}/i/${c.id}`);
      await expect(page.locator('#copy').isVisible()).resolves.toBe(true);
      await expect(page.locator('#countdown').innerText()).resolves.toMatch(/^2 T\. 0 Std\. 5\d Min\.$/);
      await page.getByRole('button', { name: 'Zahlung simulieren' }).click();
      await page.locator('[data-screen-for="Settled"]').waitFor({ state: 'visible', timeout: 10_000 });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('in a browser: amount, a QR that decodes to the invoice, a running countdown; pays live over SSE without a reload, then returns to the shop', async () => {
    const c = await createCheckout({ amount: 2100, orderId: 'A-18', description: 'Two coffees', redirectUrl: `${shop.url}/thanks?order=A-18` });
    const { page, errors } = await openPage();
    try {
      await page.goto(`${t.url}/i/${c.id}`);
      await expect(page.locator('.amount .sats').innerText()).resolves.toMatch(/2,100\s+sats/);
      await expect(page.locator('h1').innerText()).resolves.toBe(STORE_NAME);
      await expect(page.locator('#bolt11').innerText()).resolves.toBe(c.bolt11);
      expect(await decodeQr(page)).toBe(c.lightningUri);
      await expect(page.locator('a', { hasText: 'Open in wallet' }).getAttribute('href')).resolves.toBe(`lightning:${c.bolt11}`);
      await expect(page.locator('#copy').isVisible()).resolves.toBe(true);

      const first = await page.locator('#countdown').innerText();
      expect(first).toMatch(/^1[45]:\d\d$/);
      await page.waitForFunction((before) => document.getElementById('countdown')!.textContent !== before, first, { timeout: 5_000 });
      await page.screenshot({ path: join(SCREENSHOTS, 'hosted-page-new.png'), fullPage: true, animations: 'disabled' });

      // A marker on the window survives only if the page is never reloaded.
      await page.evaluate(() => (window.sameDocument = true));
      let navigations = 0;
      page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations++);
      await page.getByRole('button', { name: 'Simulate payment' }).click();
      await page.locator('[data-screen-for="Settled"]').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.evaluate(() => window.sameDocument)).toBe(true);
      expect(navigations).toBe(0);
      await expect(page.locator('[data-screen-for="New"]').isHidden()).resolves.toBe(true);
      await expect(page.locator('[data-screen-for="Settled"] h2').innerText()).resolves.toBe('Paid');
      await expect(page.title()).resolves.toMatch(/^Paid/);
      await page.screenshot({ path: join(SCREENSHOTS, 'hosted-page-paid.png'), fullPage: true, animations: 'disabled' });
      await screenshots(page, 'hosted-page-paid');

      await page.waitForURL(`${shop.url}/thanks?order=A-18`, { timeout: 15_000 });
      expect(shop.hits).toContain('/thanks?order=A-18');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("in a browser: the expiry in the shopper's time zone (Tokyo) with a progress bar that empties", async () => {
    const c = await createCheckout({ amount: 2100 });
    const { page, errors, close } = await openIn({ timezoneId: 'Asia/Tokyo', locale: 'en-US' });
    try {
      await page.goto(`${t.url}/i/${c.id}`);
      const expires = page.locator('#expires-at');
      await page.waitForFunction(() => !/UTC/.test(document.getElementById('expires-at')!.textContent));
      // Tokyo is UTC+9 all year: the time the shopper reads is 9 hours after the UTC one.
      const tokyo = new Date(new Date(c.expiresAt).getTime() + 9 * 3_600_000);
      const hour = tokyo.getUTCHours();
      const clock = `${hour % 12 || 12}:${String(tokyo.getUTCMinutes()).padStart(2, '0')}`;
      const shown = (await expires.innerText()).replace(/\s/g, ' ');
      expect(shown).toMatch(new RegExp(`(^|\\D)${clock} ${hour < 12 ? 'AM' : 'PM'}$`));
      // Without JavaScript the same element says UTC; its title keeps that for the curious.
      await expect(expires.getAttribute('title')).resolves.toMatch(/ UTC$/);
      await expect(page.locator('.countdown').innerText()).resolves.toMatch(/^Expires in 1[45]:\d\d · at /);

      const progress = page.locator('#time-left');
      const max = Number(await progress.getAttribute('max'));
      const before = await progress.evaluate((el: any) => el.value as number);
      expect(before).toBeGreaterThan(max - 60);
      expect(before).toBeLessThanOrEqual(max);
      await page.waitForFunction((v) => document.getElementById('time-left').value < v - 1, before, { timeout: 10_000 });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('in a browser: a fiat checkout leads with its price; "view details" shows the rate', async () => {
    const c = await createCheckout({ amount: '12.35', currency: 'USD', orderId: 'A-19', description: 'Two coffees' });
    const { page, errors, close } = await openIn({ locale: 'en-GB', timezoneId: 'Europe/London' });
    try {
      await page.goto(`${t.url}/i/${c.id}`);
      await expect(page.locator('.amount .price').innerText()).resolves.toBe('$12.35 USD');
      await expect(page.locator('.amount .sats-below').innerText()).resolves.toBe('12,350 sats');
      await expect(page.locator('.rate-details dl').isVisible()).resolves.toBe(false);
      await page.getByText('View details').click();
      await expect(page.locator('.rate-details dl').isVisible()).resolves.toBe(true);
      await expect(page.locator('.rate-details .rate').innerText()).resolves.toBe('1 BTC = 100,000.00 USD');
      expect(await decodeQr(page)).toBe(c.lightningUri);
      await screenshots(page, 'hosted-page-fiat-en');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('in a browser: German for a German browser; the language picker works without JavaScript', async () => {
    const c = await createCheckout({ amount: '12.35', currency: 'USD', orderId: 'B-1' });
    const de = await openIn({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    try {
      await de.page.goto(`${t.url}/i/${c.id}`);
      await expect(de.page.locator('html').getAttribute('lang')).resolves.toBe('de');
      await expect(de.page.locator('.merchant .label').textContent()).resolves.toBe('Mit Lightning bezahlen');
      expect((await de.page.locator('.amount .price').innerText()).replace(/\s/g, ' ')).toBe('12,35 $ USD');
      await expect(de.page.locator('#copy').innerText()).resolves.toBe('Kopieren');
      await expect(de.page.locator('.countdown').innerText()).resolves.toMatch(/^Läuft ab in 1[45]:\d\d · gültig bis \d\d:\d\d$/);
      await de.page.getByText('Details anzeigen').click();
      await expect(de.page.locator('.rate-details dt').first().innerText()).resolves.toBe('Wechselkurs');
      await expect(de.page.locator('.rate-details dd').nth(1).innerText()).resolves.toBe('feste Kurstabelle');
      await expect(de.page.getByRole('button', { name: 'Zahlung simulieren' }).isVisible()).resolves.toBe(true);
      await screenshots(de.page, 'hosted-page-de');
      expect(de.errors).toEqual([]);
    } finally {
      await de.close();
    }

    const noScript = await openIn({ locale: 'de-DE', javaScriptEnabled: false });
    try {
      await noScript.page.goto(`${t.url}/i/${c.id}`);
      await noScript.page.getByRole('link', { name: '日本語' }).click();
      await noScript.page.waitForURL(/\?lang=ja$/);
      await expect(noScript.page.locator('html').getAttribute('lang')).resolves.toBe('ja');
      await expect(noScript.page.locator('#live-text').innerText()).resolves.toBe('支払いを待っています…');
      // Remembered: the plain link (and the no-JS reload) stay in Japanese.
      await noScript.page.goto(`${t.url}/i/${c.id}`);
      await expect(noScript.page.locator('.merchant .label').textContent()).resolves.toBe('Lightningで支払う');
      await screenshots(noScript.page, 'hosted-page-ja-noscript');
    } finally {
      await noScript.close();
    }
  });

  it('in a browser: the QR code has a white quiet zone of 4 modules on every side, and decodes', async () => {
    const c = await createCheckout({ amount: 2100, description: 'A longer description for a larger code' });
    const { page, close } = await openIn({ deviceScaleFactor: 2 });
    try {
      await page.goto(`${t.url}/i/${c.id}`);
      const modules = Number(/^0 0 (\d+) \1$/.exec((await page.locator('.qr svg').getAttribute('viewBox')) ?? '')?.[1]);
      const image = await pixels(page, '.qr svg');
      expect(image.width).toBe(image.height);
      let [left, top, right, bottom] = [Infinity, Infinity, -1, -1];
      for (let y = 0; y < image.height; y++) {
        for (let x = 0; x < image.width; x++) {
          if (image.rgba[(y * image.width + x) * 4] >= 128) continue;
          [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
        }
      }
      const modulePx = image.width / modules;
      for (const zone of [left, top, image.width - 1 - right, image.height - 1 - bottom]) expect(zone / modulePx).toBeCloseTo(4, 0);
      expect(await decodeQr(page, '.qr svg')).toBe(c.lightningUri);
    } finally {
      await close();
    }
  });

  it('falls back to polling the status when Server-Sent Events are blocked', async () => {
    const c = await createCheckout({ amount: 900 });
    const { page, errors } = await openPage();
    try {
      let polls = 0;
      await page.route(`**/i/${c.id}/events`, (route) => route.abort('connectionrefused'));
      page.on('request', (req) => req.url().endsWith(`/i/${c.id}/status`) && polls++);
      await page.goto(`${t.url}/i/${c.id}`);
      await page.waitForRequest(`${t.url}/i/${c.id}/status`, { timeout: 10_000 });
      await t.http.post(`/i/${c.id}/simulate-payment`).set('Accept', 'application/json').expect(202);
      await page.locator('[data-screen-for="Settled"]').waitFor({ state: 'visible', timeout: 15_000 });
      expect(polls).toBeGreaterThanOrEqual(1);
      // The refused stream is reported by the browser itself; nothing else may fail.
      expect(errors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('switches to the expired screen live, and serves it on reload', async () => {
    const c = await createCheckout({ amount: 500 });
    const { page, errors } = await openPage();
    try {
      await page.goto(`${t.url}/i/${c.id}`);
      await page.locator('#countdown').waitFor();
      expect(await t.app.get(CheckoutTransitions).expire(c.id)).toBe(true);
      await page.locator('[data-screen-for="Expired"]').waitFor({ state: 'visible', timeout: 10_000 });
      await expect(page.locator('.qr').isVisible()).resolves.toBe(false);
      await page.reload();
      await expect(page.locator('[data-screen-for="Expired"] h2').innerText()).resolves.toBe('Checkout expired');
      await expect(page.locator('.qr').isVisible()).resolves.toBe(false);
      await page.screenshot({ path: join(SCREENSHOTS, 'hosted-page-expired.png'), fullPage: true, animations: 'disabled' });
      await screenshots(page, 'hosted-page-expired');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('shows the canceled and the paid-late screens', async () => {
    const canceled = await createCheckout({ amount: 500 });
    await t.http.post(`/api/v1/checkouts/${canceled.id}/cancel`).set(auth).expect(200);
    const canceledPage = await (await fetch(`${t.url}/i/${canceled.id}`)).text();
    expect(canceledPage).toMatch(/<section class="state bad" data-screen-for="Invalid"[^>]*aria-live="polite">/);
    expect(canceledPage).toMatch(/data-screen-for="New"[^>]* hidden>/);

    const late = await createCheckout({ amount: 500 });
    const transitions = t.app.get(CheckoutTransitions);
    await transitions.expire(late.id);
    await transitions.applyPayment({ paymentHash: late.paymentHash, amountPaidSats: 500, settledAt: new Date() });
    const latePage = await (await fetch(`${t.url}/i/${late.id}`)).text();
    expect(latePage).toMatch(/<section class="state warn" data-screen-for="PaidLate"[^>]*aria-live="polite">/);
    expect(latePage).toContain('data-final="true"');
    expect(latePage).not.toContain('<noscript><meta http-equiv="refresh"');
  });

  it('streams status changes over SSE (read with fetch), ends after a final status and cleans up', async () => {
    const c = await createCheckout({ amount: 777 });
    const res = await fetch(`${t.url}/i/${c.id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = readEvents(res.body!);
    const first = await events.next();
    expect(first).toMatchObject({ event: 'status', data: { status: 'New', additionalStatus: 'None', expiresAt: c.expiresAt, settledAt: null, final: false } });

    const simulated = await fetch(`${t.url}/i/${c.id}/simulate-payment`, { method: 'POST', headers: { Accept: 'application/json' } });
    expect(simulated.status).toBe(202);
    const settled = await events.next();
    expect(settled).toMatchObject({ event: 'status', data: { status: 'Settled', final: true, settledAt: expect.any(String) } });
    expect(await events.next()).toEqual({ event: 'end', data: {} });
    expect(await events.next()).toBeNull();
    await waitFor(() => t.app.get(EventStreams).size === 0 && t.app.get(CheckoutWatcher).size === 0);
  });

  it('sees over SSE a change that another replica wrote to the database (no in-process hint)', async () => {
    const c = await createCheckout({ amount: 778 });
    const res = await fetch(`${t.url}/i/${c.id}/events`);
    const events = readEvents(res.body!);
    expect((await events.next())?.data).toMatchObject({ status: 'New' });
    await t.app.get(UnitOfWork).run((m) => m.update(Checkout, { id: c.id }, { status: CheckoutStatus.Invalid, updatedAt: new Date() }));
    expect(await events.next(10_000)).toMatchObject({ event: 'status', data: { status: 'Invalid', final: false } });
    await events.cancel();
  });

  it('releases the stream and its watch when the client disconnects', async () => {
    const c = await createCheckout({ amount: 779 });
    const controller = new AbortController();
    const res = await fetch(`${t.url}/i/${c.id}/events`, { signal: controller.signal });
    const events = readEvents(res.body!);
    await events.next();
    expect(t.app.get(EventStreams).size).toBeGreaterThanOrEqual(1);
    expect(t.app.get(CheckoutWatcher).size).toBeGreaterThanOrEqual(1);
    controller.abort();
    await waitFor(() => t.app.get(EventStreams).size === 0 && t.app.get(CheckoutWatcher).size === 0);
  });

  it('keeps a quiet stream alive with heartbeat comments', async () => {
    const streams = t.app.get(EventStreams);
    const c = await createCheckout({ amount: 783 });
    streams.heartbeatMs = 100;
    const controller = new AbortController();
    try {
      const res = await fetch(`${t.url}/i/${c.id}/events`, { signal: controller.signal });
      const reader = res.body!.getReader();
      let text = '';
      const decoder = new TextDecoder();
      while (!text.includes(': keep-alive\n\n')) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`stream ended without a heartbeat: ${text}`);
        text += decoder.decode(chunk.value, { stream: true });
      }
      expect(text).toMatch(/^retry: \d+\n\nevent: status\n/);
    } finally {
      streams.heartbeatMs = 15_000;
      controller.abort();
    }
  });

  it('answers the polling fallback with the public status', async () => {
    const c = await createCheckout({ amount: 780, redirectUrl: `${shop.url}/done` });
    const res = await t.http.get(`/i/${c.id}/status`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      status: 'New',
      additionalStatus: 'None',
      expiresAt: c.expiresAt,
      redirectUrl: `${shop.url}/done`,
      settledAt: null,
      final: false,
    });
  });

  it('simulates a payment from a plain form post and redirects back to the page', async () => {
    const c = await createCheckout({ amount: 781 });
    const res = await t.http.post(`/i/${c.id}/simulate-payment`).type('form').send('').expect(303);
    expect(res.headers.location).toBe(`/i/${c.id}`);
    await waitFor(async () => (await t.http.get(`/i/${c.id}/status`)).body.status === 'Settled');
  });

  it('offers no simulation and no dev banner when the backend is not the dev one', async () => {
    const c = await createCheckout({ amount: 782 });
    const spy = jest.spyOn(t.app.get(LightningService), 'isDev', 'get').mockReturnValue(false);
    try {
      const res = await t.http.post(`/i/${c.id}/simulate-payment`).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('simulation_unavailable');
      const page = await (await fetch(`${t.url}/i/${c.id}`)).text();
      expect(page).not.toContain('simulate-payment');
      expect(page).not.toContain('DEV BACKEND');
    } finally {
      spy.mockRestore();
    }
  });

  it('shows an HTML page that retries by itself when the checkout cannot be read', async () => {
    const spy = jest.spyOn(t.app.get(CheckoutService), 'getPublic').mockRejectedValueOnce(new Error('database unreachable'));
    try {
      const res = await fetch(`${t.url}/i/any-checkout`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('retry-after')).toBe('10');
      const body = await res.text();
      expect(body).toContain('Temporarily unavailable');
      expect(body).toMatch(/<meta http-equiv="refresh" content="\d+">/);
      expect(body).not.toContain('database unreachable');
    } finally {
      spy.mockRestore();
    }
  });

  it('answers an unknown id with a friendly HTML 404 page, and problems on the API routes', async () => {
    const res = await fetch(`${t.url}/i/no-such-checkout`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await res.text();
    expect(body).toContain('Checkout not found');
    expect(body).not.toContain('no-such-checkout');
    const long = await fetch(`${t.url}/i/${'x'.repeat(300)}`);
    expect(long.status).toBe(404);
    for (const path of ['status', 'events']) {
      const problem = await t.http.get(`/i/no-such-checkout/${path}`).expect(404);
      expect(problem.body.code).toBe('checkout_not_found');
    }
    const simulate = await t.http.post('/i/no-such-checkout/simulate-payment').expect(404);
    expect(simulate.body.code).toBe('checkout_not_found');
  });
});
