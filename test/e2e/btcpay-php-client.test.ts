import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../harness/ports';
import { compileServer, CompiledServer, REPO_ROOT, runCli, ServerProcess, spawnServer } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-db';

/**
 * BTCPay's own PHP client (../shared/peers, unmodified) drives a real server process through the
 * WooCommerce plugin's flow, call for call as the plugin's code makes them (test/php/woo-flow.php
 * names the plugin method each step replays), with the plugin's webhook receiver under `php -S`
 * validating signatures with the client's Webhook::isIncomingWebhookRequestValid and updating the
 * order as the plugin's processOrderStatus does (test/php/woo-order.php, default order states).
 * Out of scope here (own issues): refunds and the API-key authorization page.
 */
const PEERS = resolve(REPO_ROOT, '../shared/peers');
const PHP_CLIENT = join(PEERS, 'btcpayserver-greenfield-php/src/autoload.php');
const WOO_PLUGIN = join(PEERS, 'woocommerce-greenfield-plugin/src/Helper/GreenfieldApiAuthorization.php');
const peersPresent = existsSync(PHP_CLIENT) && existsSync(WOO_PLUGIN);
if (!peersPresent) {
  console.warn(`SKIPPED btcpay-php-client: BTCPay's PHP client and WooCommerce plugin are not at ${PEERS} (see the peers README); nothing else is skipped.`);
}
const describeWithPeers = peersPresent ? describe : describe.skip;

/** Invoices expire this long after creation (the store default; the plugin sets no expiry of its own). */
const EXPIRY_SECONDS = 30;
jest.setTimeout(300_000);

interface WebhookRecord {
  valid: boolean;
  type?: string;
  invoiceId?: string;
  afterExpiration?: boolean | null;
  partiallyPaid?: boolean | null;
  manuallyMarked?: boolean | null;
  overPaid?: boolean | null;
  /** The WooCommerce order after processOrderStatus handled this event. */
  orderStatus?: string;
  orderState?: string;
  paymentsError?: unknown;
}

interface WcOrder {
  status: string;
  label: string;
  meta: Record<string, unknown>;
  paymentsError?: unknown;
}

describeWithPeers('the BTCPay PHP client through the WooCommerce plugin flow, against a real server process', () => {
  let dir: string;
  let db: TestDatabase;
  let compiled: CompiledServer;
  let server: ServerProcess;
  let receiver: ChildProcess;
  let url: string;
  let receiverUrl: string;
  let storeId: string;
  const keys: Record<'woo' | 'owner' | 'partial', string> = { woo: '', owner: '', partial: '' };
  const optionsFile = () => join(dir, 'wp-options.json');
  const webhookLog = () => join(dir, 'webhooks.jsonl');
  const invoices: Record<'sats' | 'btc' | 'fiat' | 'separate', string> = { sats: '', btc: '', fiat: '', separate: '' };

  const phpEnv = () => ({
    PATH: process.env.PATH ?? '',
    PEERS_DIR: PEERS,
    WOO_OPTIONS: optionsFile(),
    WOO_WEBHOOK_LOG: webhookLog(),
    WOO_ORDERS: join(dir, 'wc-orders.json'),
    WOO_WEBHOOK_URL: `${receiverUrl}/?wc-api=btcpaygf_default`,
  });

  /** Runs one plugin step; the script prints JSON (also when the client threw). */
  function woo<T = Record<string, unknown>>(step: string, ...args: string[]): Promise<T> {
    return new Promise((resolveStep, reject) => {
      execFile('php', [join(REPO_ROOT, 'test/php/woo-flow.php'), step, ...args], { env: phpEnv(), timeout: 60_000 }, (err, stdout, stderr) => {
        try {
          const parsed = JSON.parse(stdout) as T & { uncaught?: unknown };
          if (parsed.uncaught) return reject(new Error(`${step}: the PHP client threw ${JSON.stringify(parsed.uncaught)}\n${stderr}`));
          resolveStep(parsed);
        } catch {
          reject(new Error(`${step} failed (${err?.message ?? 'no JSON'}):\n${stdout}\n${stderr}`));
        }
      });
    });
  }

  /** The plugin's settings form, saved with this API key (wp_options as the admin would fill them). */
  function useKey(key: string) {
    const options = existsSync(optionsFile()) ? (JSON.parse(readFileSync(optionsFile(), 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(optionsFile(), JSON.stringify({ ...options, btcpay_gf_url: url, btcpay_gf_api_key: key, btcpay_gf_store_id: storeId }));
  }

  function webhooks(): WebhookRecord[] {
    if (!existsSync(webhookLog())) return [];
    return readFileSync(webhookLog(), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as WebhookRecord);
  }

  async function waitForWebhook(invoiceId: string, type: string, timeoutMs = 60_000): Promise<WebhookRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = webhooks().find((w) => w.valid && w.invoiceId === invoiceId && w.type === type);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} for ${invoiceId}; received: ${JSON.stringify(webhooks())}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const simulatePayment = (invoiceId: string) => fetch(`${url}/i/${invoiceId}/simulate-payment`, { method: 'POST', headers: { Accept: 'application/json' } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lc-btcpay-php-'));
    db = await createTestDatabase();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'config.yaml'),
      stringify({
        server: { port, publicUrl: url },
        database: db.config,
        checkout: { expirySeconds: EXPIRY_SECONDS, expirySweepSeconds: 0.5 },
        webhooks: { allowPrivateTargets: true, backoffBaseMs: 200, backoffMaxMs: 1000 },
        plugins: { enabled: ['greenfield'] },
      }),
    );
    const env = { CONFIG_FILE: join(dir, 'config.yaml'), LOG_LEVEL: 'warn', PORT: String(port) };
    compiled = await compileServer();
    // The operator's CLI, with its default permissions: what the WooCommerce plugin asks for.
    const created = JSON.parse(await runCli(compiled, ['create-store', '--name', 'Woo shop', '--json'], env)) as { storeId: string; apiKey: string };
    storeId = created.storeId;
    keys.woo = created.apiKey;
    keys.owner = (
      await runCli(compiled, ['create-key', '--store', storeId, '--label', 'owner', '--permissions', 'btcpay.store.canmodifystoresettings'], env)
    ).trim();
    keys.partial = (
      await runCli(
        compiled,
        [
          'create-key',
          '--store',
          storeId,
          '--label',
          'partial',
          '--permissions',
          'btcpay.store.canviewinvoices,btcpay.store.cancreateinvoice,btcpay.store.canviewstoresettings',
        ],
        env,
      )
    ).trim();
    server = spawnServer({ name: 'btcpay-php-client', script: compiled.entry('src/main.ts'), env });

    const receiverPort = await freePort();
    receiverUrl = `http://127.0.0.1:${receiverPort}`;
    receiver = spawn('php', ['-S', `127.0.0.1:${receiverPort}`, join(REPO_ROOT, 'test/php/woo-webhook-receiver.php')], { env: phpEnv(), stdio: 'ignore' });
    await server.ready;
    for (let i = 0; ; i++) {
      try {
        await fetch(`${receiverUrl}/ping`);
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    writeFileSync(webhookLog(), '');
  });

  afterAll(async () => {
    await server?.stop();
    receiver?.kill();
    compiled?.remove();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('settings check: a key missing one required permission is refused and no webhook is registered', async () => {
    useKey(keys.partial);
    const result = await woo('connect');
    expect(result).toMatchObject({ apiKeyWorks: true, hasSingleStore: true, hasRequiredPermissions: false, storeIdFromKey: storeId });
    expect(result.webhook).toBeUndefined();
    expect(JSON.parse(readFileSync(optionsFile(), 'utf8')).btcpay_gf_webhook).toBeUndefined();
  });

  it('settings check: a store-owner key is refused too, since the plugin accepts only its own permission set', async () => {
    useKey(keys.owner);
    const result = await woo('connect');
    expect(result).toMatchObject({ permissions: [`btcpay.store.canmodifystoresettings:${storeId}`], hasSingleStore: true, hasRequiredPermissions: false });
    expect(result.webhook).toBeUndefined();
  });

  it('settings check: the default key passes, the webhook is registered (then reused) and the store has a payment method', async () => {
    useKey(keys.woo);
    const first = await woo('connect');
    expect(first).toMatchObject({
      apiKeyWorks: true,
      hasSingleStore: true,
      hasRequiredPermissions: true,
      storeIdFromKey: storeId,
      hasRefundsPermission: true,
      hasWebhookPermission: true,
      fullySynched: true,
      webhook: 'registered',
      storeHasPaymentMethods: true,
      // BTCPay 2.x numbering: GlobalSettings::save's version_compare with 1.7.6 shows no refunds warning.
      version: expect.stringMatching(/^2\.\d+\.\d+$/),
      refundsSupportedByVersion: true,
    });
    const stored = JSON.parse(readFileSync(optionsFile(), 'utf8')).btcpay_gf_webhook as { id: string; secret: string; url: string };
    expect(stored.secret.length).toBeGreaterThanOrEqual(20);
    expect(stored.url).toBe(`${receiverUrl}/?wc-api=btcpaygf_default`);
    expect(await woo('connect')).toMatchObject({ hasRequiredPermissions: true, webhook: 'reused' });
  });

  it('lists the store payment methods as gateway symbols: BTC-LN, the id invoices use too', async () => {
    expect(await woo('payment-methods')).toEqual({ symbols: ['BTC_LN'] });
  });

  it("server health: the client's Health::getHealthStatus is true", async () => {
    expect(await woo('health')).toEqual({ healthy: true });
  });

  it("updateWebhook with the library's default secret (null) keeps the secret the server made", async () => {
    const hook = `${receiverUrl}/?wc-api=btcpaygf_default`;
    const updated = await woo<{ ok: boolean; webhook: Record<string, unknown> }>('update-webhook', hook);
    expect(updated).toMatchObject({ ok: true, webhook: { url: hook, enabled: true } });
    // Still the same webhook, and deliveries below still pass the check with the stored secret.
    expect(await woo('connect')).toMatchObject({ webhook: 'reused' });
  });

  it('creates invoices for a Sats-Mode order (sent as BTC), a BTC order and a fiat order', async () => {
    const sats = await woo<{ BTCPay_id: string; BTCPay_redirect: string; invoice: Record<string, unknown> }>('create-invoice', 'SAT', '2100', '101');
    expect(sats.invoice).toMatchObject({
      status: 'New',
      currency: 'BTC',
      metadata: expect.objectContaining({ orderId: '101', orderUrl: expect.stringContaining('post=101') }),
    });
    expect(Number(sats.invoice.amount)).toBe(0.000021);
    expect(sats.BTCPay_redirect).toBe(`${url}/i/${sats.BTCPay_id}`);
    invoices.sats = sats.BTCPay_id;

    const btc = await woo<{ BTCPay_id: string; invoice: Record<string, unknown> }>('create-invoice', 'BTC', '0.0001', '102');
    expect(btc.invoice).toMatchObject({ status: 'New', currency: 'BTC' });
    expect(Number(btc.invoice.amount)).toBe(0.0001);
    invoices.btc = btc.BTCPay_id;

    const fiat = await woo<{ BTCPay_id: string; invoice: Record<string, unknown> }>('create-invoice', 'USD', '12.50', '103');
    expect(fiat.invoice).toMatchObject({ status: 'New', currency: 'USD' });
    expect(Number(fiat.invoice.amount)).toBe(12.5);
    // The plugin sets no expiry: the store's applies. The two times are whole seconds taken a few ms
    // apart (our clock for the row, the node's invoice for the expiry), so they may straddle a second.
    const lifetime = Number(fiat.invoice.expirationTime) - Number(fiat.invoice.createdTime);
    expect(Math.abs(lifetime - EXPIRY_SECONDS)).toBeLessThanOrEqual(1);
    invoices.fiat = fiat.BTCPay_id;
  });

  it('separate gateway BTCPay_GF_BTC_LN: the invoice is limited to BTC-LN and a return visit reuses it', async () => {
    // The plugin generates one gateway class per store payment method; each sends its own symbol.
    const { symbols } = await woo<{ symbols: string[] }>('payment-methods');
    expect(symbols).toHaveLength(1);
    const [symbol] = symbols;
    const created = await woo<{ BTCPay_id: string; invoice: { checkout: { paymentMethods: string[] } } }>('create-invoice', 'USD', '5.00', '104', symbol);
    expect(created.invoice.checkout.paymentMethods).toEqual(['BTC-LN']);
    invoices.separate = created.BTCPay_id;
    const visit = await woo('valid-invoice-exists', invoices.separate, symbol);
    expect(visit).toMatchObject({ exists: true, status: 'New', markedInvalid: false, redirect: `${url}/i/${invoices.separate}` });
    expect(await woo('is-fully-paid', invoices.separate)).toMatchObject({ status: 'New' });
    expect(new Set(Object.values(invoices)).size).toBe(4);
  });

  it("finds invoices with the client's getInvoicesByText and updates their metadata with updateInvoice", async () => {
    const byOrder = await woo<{ ids: string[] }>('invoices-by-text', '102');
    expect(byOrder.ids).toEqual([invoices.btc]);
    expect((await woo<{ ids: string[] }>('invoices-by-text', invoices.fiat)).ids).toEqual([invoices.fiat]);
    expect((await woo<{ ids: string[] }>('invoices-by-text', 'no-such-order-anywhere')).ids).toEqual([]);

    const metadata = { orderId: '102', orderUrl: 'https://shop.test/wp-admin/post.php?post=102&action=edit', note: 'gift wrap' };
    const { invoice } = await woo<{ invoice: { id: string; metadata: Record<string, unknown> } }>('update-invoice', invoices.btc, JSON.stringify(metadata));
    expect(invoice).toMatchObject({ id: invoices.btc, metadata });
    expect((await woo<{ ids: string[] }>('invoices-by-text', 'gift wrap')).ids).toEqual([invoices.btc]);
  });

  it('order list links: /invoices/{id} redirects to the hosted page, and the modal checkout script is served', async () => {
    // The order list turns BTCPay_redirect's /i/ into /invoices/.
    const open = await fetch(`${url}/invoices/${invoices.btc}`, { redirect: 'manual' });
    expect(open.status).toBeGreaterThanOrEqual(300);
    expect(open.status).toBeLessThan(400);
    expect(new URL(open.headers.get('location') ?? '', url).href).toBe(`${url}/i/${invoices.btc}`);
    // AbstractGateway::addPublicScripts enqueues {url}/modal/btcpay.js.
    const modal = await fetch(`${url}/modal/btcpay.js?ver=2.7.1`); // wp_enqueue_script adds the plugin version
    expect(modal.status).toBe(200);
    expect(modal.headers.get('content-type')).toMatch(/javascript/);
    expect(await modal.text()).toContain('btcpay');
  });

  it('return visit: the open invoice is reused and the customer is sent to its hosted page', async () => {
    const visit = await woo<{ exists: boolean; status: string; redirect: string }>('valid-invoice-exists', invoices.btc);
    expect(visit).toMatchObject({ exists: true, status: 'New', markedInvalid: false, redirect: `${url}/i/${invoices.btc}` });
    const page = await fetch(visit.redirect);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('settle: a paid invoice sends a signed InvoiceSettled the plugin validates, and the invoice reads as settled', async () => {
    expect((await simulatePayment(invoices.sats)).status).toBe(202);
    const settled = await waitForWebhook(invoices.sats, 'InvoiceSettled');
    expect(settled).toMatchObject({ valid: true, overPaid: false, orderStatus: 'processing', paymentsError: null });
    expect(await woo('is-fully-paid', invoices.sats)).toMatchObject({ fullyPaid: true, status: 'Settled' });
    // updateWCOrderPayments on InvoiceSettled: the order meta the plugin wrote, under BTC-LN (the order list's ⚡ needs BTCPay_BTC-LN_total_paid > 0).
    const order = await woo<WcOrder>('order', invoices.sats);
    expect(order.status).toBe('processing');
    const { meta } = order;
    expect(Object.keys(meta).filter((key) => key.endsWith('_total_paid'))).toEqual(['BTCPay_BTC-LN_total_paid']);
    expect(Number(meta['BTCPay_BTC-LN_total_paid'])).toBe(0.000021);
    expect(typeof meta['BTCPay_BTC-LN_rate']).toBe('string');
    expect(Number(meta['BTCPay_BTC-LN_rate'])).toBe(1);
    expect(meta['BTCPay_BTC-LN_0_status']).toBe('Settled');
    expect(await woo('order-payments', invoices.sats)).toEqual({ meta });
  });

  it("a SATS invoice (another shop's currency): the client's typed getters read its payment methods, rate included", async () => {
    const created = await woo<{ BTCPay_id: string; invoice: Record<string, unknown> }>('create-invoice', 'SATS', '1500', '105');
    expect(created.invoice).toMatchObject({ status: 'New', currency: 'SATS', amount: '1500' });
    expect((await simulatePayment(created.BTCPay_id)).status).toBe(202);
    expect(await waitForWebhook(created.BTCPay_id, 'InvoiceSettled')).toMatchObject({ orderStatus: 'processing', paymentsError: null });
    const { meta, error } = await woo<{ meta: Record<string, unknown>; error?: unknown }>('order-payments', created.BTCPay_id);
    expect(error).toBeUndefined();
    expect(typeof meta['BTCPay_BTC-LN_rate']).toBe('string');
    expect(Number(meta['BTCPay_BTC-LN_rate'])).toBeGreaterThan(0);
    expect(Number(meta['BTCPay_BTC-LN_total_paid'])).toBe(0.000015);
  });

  it('a top-up invoice (no amount) made with the client is paid with what the customer chose', async () => {
    const { invoice } = await woo<{ invoice: { id: string; type: string; amount: string; status: string } }>('create-top-up', 'SATS', 'tip-1');
    expect(invoice).toMatchObject({ type: 'TopUp', amount: '0', status: 'New' });
    const payment = await simulatePayment(invoice.id);
    expect(payment.status).toBe(202);
    const { amountPaidSats } = (await payment.json()) as { amountPaidSats: number };
    expect(amountPaidSats).toBeGreaterThan(0);
    await waitForWebhook(invoice.id, 'InvoiceSettled');
    expect(await woo('is-fully-paid', invoice.id)).toMatchObject({ fullyPaid: true, status: 'Settled' });
    const { meta, error } = await woo<{ meta: Record<string, unknown>; error?: unknown }>('order-payments', invoice.id);
    expect(error).toBeUndefined();
    expect(Number(meta['BTCPay_BTC-LN_total_paid'])).toBe(amountPaidSats / 1e8);
  });

  it('signature validation: the receiver refuses a body whose BTCPay-Sig does not match the stored secret', async () => {
    const before = webhooks().length;
    const body = JSON.stringify({ type: 'InvoiceSettled', invoiceId: invoices.btc });
    const forged = await fetch(`${receiverUrl}/?wc-api=btcpaygf_default`, {
      method: 'POST',
      body,
      headers: { 'BTCPay-Sig': `sha256=${'0'.repeat(64)}`, 'Content-Type': 'application/json' },
    });
    expect(forged.status).toBe(500);
    expect(webhooks().slice(before)).toEqual([expect.objectContaining({ valid: false })]);
    // Every delivery the server made so far passed the library's check.
    expect(webhooks().filter((w) => w.valid).length).toBeGreaterThan(0);
    expect(
      webhooks()
        .slice(0, before)
        .every((w) => w.valid),
    ).toBe(true);
  });

  it('mark Invalid: the customer changed gateway, the plugin marks the invoice Invalid and gets InvoiceInvalid', async () => {
    expect(await woo('mark-invalid', invoices.btc)).toEqual({ ok: true, status: 'Invalid' });
    expect(await waitForWebhook(invoices.btc, 'InvoiceInvalid')).toMatchObject({ manuallyMarked: true });
    expect(await woo('valid-invoice-exists', invoices.btc)).toMatchObject({ exists: false, status: 'Invalid' });
  });

  it("a key without canmodifyinvoices: the client's markInvoiceStatus gets a ForbiddenException naming the permission", async () => {
    useKey(keys.partial);
    try {
      const refused = await woo<{ ok: boolean; error: { class: string; code: number; message: string } }>('mark-invalid', invoices.sats);
      expect(refused.ok).toBe(false);
      expect(refused.error).toMatchObject({ class: 'BTCPayServer\\Exception\\ForbiddenException', code: 403 });
      expect(refused.error.message).toContain('missing_permission');
      expect(refused.error.message).toContain('btcpay.store.canmodifyinvoices');
      expect(await woo('is-fully-paid', invoices.sats)).toMatchObject({ status: 'Settled' });
    } finally {
      useKey(keys.woo);
    }
  });

  it('expiry: an unpaid invoice expires with InvoiceExpired (not partially paid) and is not reused', async () => {
    const expired = await waitForWebhook(invoices.fiat, 'InvoiceExpired', (EXPIRY_SECONDS + 120) * 1000);
    expect(expired).toMatchObject({ partiallyPaid: false, orderStatus: 'cancelled', orderState: 'Expired' });
    expect(await woo('valid-invoice-exists', invoices.fiat)).toMatchObject({ exists: false, status: 'Expired' });
  });

  it('late payment: InvoiceReceivedPayment then InvoicePaymentSettled (afterExpiration), and the order ends "Expired (paid late)"', async () => {
    expect((await simulatePayment(invoices.fiat)).status).toBe(202);
    expect(await waitForWebhook(invoices.fiat, 'InvoiceReceivedPayment')).toMatchObject({ valid: true, afterExpiration: true });
    expect(await waitForWebhook(invoices.fiat, 'InvoicePaymentSettled')).toMatchObject({ valid: true, afterExpiration: true });
    // Delivered in that order, so processOrderStatus goes Expired -> Expired with partial payment -> Expired (paid late).
    const events = webhooks()
      .filter((w) => w.valid && w.invoiceId === invoices.fiat)
      .map((w) => [w.type, w.orderState]);
    expect(events).toEqual([
      ['InvoiceExpired', 'Expired'],
      ['InvoiceReceivedPayment', 'Expired with partial payment'],
      ['InvoicePaymentSettled', 'Expired (paid late)'],
    ]);
    expect(await woo('is-fully-paid', invoices.fiat)).toEqual({ fullyPaid: true, status: 'Expired', additionalStatus: 'PaidLate' });
    const order = await woo<WcOrder>('order', invoices.fiat);
    expect(order).toMatchObject({ status: 'processing', label: 'Expired (paid late)' });
    expect(order.paymentsError).toBeUndefined();
    expect(typeof order.meta['BTCPay_BTC-LN_rate']).toBe('string');
    expect(Number(order.meta['BTCPay_BTC-LN_rate'])).toBeGreaterThan(0);
    expect(await woo('order-payments', invoices.fiat)).toEqual({ meta: order.meta });
    // Every delivery of the whole flow carried a valid signature, except the forged one above.
    expect(webhooks().filter((w) => !w.valid)).toHaveLength(1);
  });
});
