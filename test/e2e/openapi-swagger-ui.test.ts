import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { startTestApp, TestApp } from '../support/test-app';

/** The security scheme works where users meet it: in Swagger UI, the bare key pasted into Authorize. */
describe('Swagger UI at /docs', () => {
  let t: TestApp;
  let browser: Browser;
  let apiKey: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    apiKey = (await t.createStore('Docs shop')).apiKey;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('takes the key alone in Authorize, and Try it out answers 200 with it', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/docs`);
    await page.locator('button.authorize').first().click();
    await page.locator('.modal-ux input').first().fill(apiKey);
    await page.locator('.modal-ux .auth-btn-wrapper button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    await page.locator('#operations-stores-StoresController_current .opblock-summary').click();
    await page.locator('#operations-stores-StoresController_current .try-out__btn').click();
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/store'));
    await page.locator('#operations-stores-StoresController_current .execute').click();
    const request = await sent;
    expect(request.headers().authorization).toBe(`Bearer ${apiKey}`);
    expect((await request.response())?.status()).toBe(200);
    const shown = page.locator('#operations-stores-StoresController_current .live-responses-table tbody .response-col_status');
    await shown.first().waitFor();
    expect(await shown.first().textContent()).toMatch(/^\s*200/);
  }, 60_000);
});
