import { mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, Frame, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { LightningService } from '../../src/lightning/lightning.service';
import { startTestApp, TestApp } from '../support/test-app';

// Browser globals, used only inside page.evaluate callbacks (the project compiles without the DOM lib).
declare const window: any;
declare const document: any;

const SCREENSHOTS = join(__dirname, '__screenshots__');

/** A shop on its own origin whose checkout page loads /modal/btcpay.js from the server, as BTCPay's WooCommerce plugin does. */
async function startShop(checkoutServer: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<!doctype html>
<html><head><title>Shop checkout</title></head>
<body style="font-family: sans-serif; margin: 40px"><h1>Mug shop: checkout</h1><p>Order #1001, 1 mug</p>
<script src="${checkoutServer()}/modal/btcpay.js"></script>
<script>
  window.received = [];
  window.entered = 0;
  window.left = 0;
  window.btcpay.onModalReceiveMessage(function (event) { window.received.push(event.data); });
  window.btcpay.onModalWillEnter(function () { window.entered++; });
  window.btcpay.onModalWillLeave(function () { window.left++; });
</script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const close = (server?: Server) => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));

describe('greenfield modal checkout: /modal/btcpay.js on a shop page, the hosted page in its overlay', () => {
  let t: TestApp;
  let shop: { url: string; server: Server };
  let strangerShop: { url: string; server: Server };
  let browser: Browser;
  let auth: { Authorization: string };
  let storeId: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    shop = await startShop(() => t.url);
    strangerShop = await startShop(() => t.url);
    t = await startTestApp({ listen: true, config: { plugins: { enabled: ['greenfield'] }, checkout: { allowedFrameOrigins: [shop.url] } } });
    const store = await t.createStore('Mug shop');
    storeId = store.storeId;
    auth = { Authorization: `token ${store.apiKey}` };
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await close(shop?.server);
    await close(strangerShop?.server);
    await t?.close();
  });

  const createInvoice = async () =>
    (
      await t.http
        .post(`/api/v1/stores/${storeId}/invoices`)
        .set(auth)
        .send({ amount: '12.50', currency: 'USD', metadata: { orderId: '1001' } })
        .expect(200)
    ).body;
  const checkoutFrame = (page: Page, id: string): Frame | undefined => page.frames().find((f) => f.url().includes(`/i/${id}`));

  it('serves the script cross-origin and lets only configured shop origins frame the hosted page', async () => {
    const script = await t.http.get('/modal/btcpay.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const invoice = await createInvoice();
    const page = await t.http.get(`/i/${invoice.id}`).expect(200);
    expect(page.headers['content-security-policy']).toContain(`frame-ancestors ${shop.url}`);
    expect(page.headers['x-frame-options']).toBeUndefined();
  });

  it('opens the invoice in an overlay, reports the paid status to the shop page, and closes', async () => {
    const invoice = await createInvoice();
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(shop.url);
      await page.evaluate((id: string) => window.btcpay.showInvoice(id), invoice.id);
      await page.waitForFunction(() => window.received.includes('loaded'), undefined, { timeout: 15_000 });
      expect(await page.evaluate(() => document.querySelector('[data-btcpay-modal]').style.display)).toBe('block');
      expect(await page.evaluate(() => window.entered)).toBe(1);
      const frame = checkoutFrame(page, invoice.id)!;
      await frame.waitForSelector('#modal-close', { state: 'visible' });
      expect(await frame.locator('h1').textContent()).toBe('Mug shop');

      void t.app
        .get(LightningService)
        .simulatePayment(
          (await t.http.get(`/api/v1/stores/${storeId}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body[0].additionalData.paymentHash,
        );
      await page.waitForFunction(() => window.received.some((m: any) => m && m.status === 'Settled'), undefined, { timeout: 15_000 });
      expect(await page.evaluate(() => window.received.filter((m: any) => typeof m === 'object'))).toEqual([{ invoiceId: invoice.id, status: 'Settled' }]);
      await frame.waitForSelector('[data-screen-for="Settled"]:not([hidden])');
      await page.screenshot({ path: join(SCREENSHOTS, 'greenfield-modal-paid.png'), animations: 'disabled' });

      await frame.click('#modal-close');
      await page.waitForFunction(() => window.received.includes('close'), undefined, { timeout: 10_000 });
      await page.waitForFunction(() => document.querySelector('[data-btcpay-modal]').style.display === 'none', undefined, { timeout: 10_000 });
      expect(await page.evaluate(() => window.left)).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('a shop origin that is not configured cannot frame the hosted page, and hears nothing from it', async () => {
    const invoice = await createInvoice();
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const refused = page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: 15_000 });
      await page.goto(strangerShop.url);
      await page.evaluate((id: string) => window.btcpay.showInvoice(id), invoice.id);
      // Chromium reports the blocked frame on the console; the frame never renders the page.
      await refused;
      expect(await page.evaluate(() => window.received)).toEqual([]);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(await frame?.locator('#modal-close').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
