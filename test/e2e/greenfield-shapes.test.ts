import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LightningService } from '../../src/lightning/lightning.service';
import { eventually, startRecordingServer } from '../support/fake-platform-server';
import { REPO_ROOT } from '../support/server-process';
import { startTestApp, TestApp } from '../support/test-app';

const RESULTS = resolve(REPO_ROOT, '../shared/peers/btcpayserver-greenfield-php/src/Result');
const peersPresent = existsSync(RESULTS);
if (!peersPresent) console.warn(`SKIPPED greenfield-shapes: BTCPay's PHP client is not at ${RESULTS} (see the peers README).`);
const describeWithPeers = peersPresent ? describe : describe.skip;

/**
 * Keys BTCPay 2.x itself does not send although a getter reads them: `monitoringTime` (BTCPay
 * names it monitoringExpiration) and `cryptoCode` (read only under isset()).
 */
const NOT_SENT_BY_BTCPAY: Record<string, string[]> = { Invoice: ['monitoringTime'], InvoicePaymentMethod: ['cryptoCode'] };

/** The keys a Result class's getters read unconditionally: a missing one is a PHP warning and a TypeError. */
function keysRead(resultClass: string): string[] {
  const source = readFileSync(join(RESULTS, `${resultClass}.php`), 'utf8');
  const keys = new Set<string>();
  for (const m of source.matchAll(/\$(?:data|this->getData\(\))\['(\w+)'\](?!\s*\?\?)/g)) keys.add(m[1]);
  return [...keys].filter((k) => !(NOT_SENT_BY_BTCPAY[resultClass] ?? []).includes(k)).sort();
}

const missing = (resultClass: string, body: Record<string, unknown>) => keysRead(resultClass).filter((k) => !(k in body));

/** Every field the PHP client's typed getters read is in our Greenfield answers, as BTCPay 2.x sends it. */
describeWithPeers('greenfield answers carry every field the PHP client reads', () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startRecordingServer>>;
  let auth: { Authorization: string };
  let base: string;

  beforeAll(async () => {
    receiver = await startRecordingServer(() => ({ status: 200, body: {} }));
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
    const store = await t.createStore('Shapes', ['btcpay.store.canmodifystoresettings']);
    auth = { Authorization: `token ${store.apiKey}` };
    base = `/api/v1/stores/${store.storeId}`;
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('reads the keys from the client (the parser finds them)', () => {
    expect(keysRead('Store')).toContain('name');
    expect(keysRead('Invoice')).toContain('checkoutLink');
  });

  it('store, server info and api key', async () => {
    const store = (await t.http.get(base).set(auth).expect(200)).body;
    expect(missing('Store', store)).toEqual([]);
    for (const key of [
      'anyoneCanCreateInvoice',
      'requiresRefundEmail',
      'lightningAmountInSatoshi',
      'lightningPrivateRouteHints',
      'onChainWithLnInvoiceFallback',
      'redirectAutomatically',
      'showRecommendedFee',
      'payJoinEnabled',
      'lazyPaymentMethods',
    ]) {
      expect([key, typeof store[key]]).toEqual([key, 'boolean']);
    }
    for (const key of ['invoiceExpiration', 'monitoringExpiration', 'paymentTolerance', 'recommendedFeeBlockTarget'])
      expect([key, typeof store[key]]).toEqual([key, 'number']);
    for (const key of [
      'id',
      'name',
      'defaultCurrency',
      'speedPolicy',
      'defaultLang',
      'networkFeeMode',
      'defaultPaymentMethod',
      'lightningDescriptionTemplate',
    ]) {
      expect([key, typeof store[key]]).toEqual([key, 'string']);
    }
    expect(missing('Store', (await t.http.get('/api/v1/stores').set(auth).expect(200)).body[0])).toEqual([]);
    expect(missing('ServerInfo', (await t.http.get('/api/v1/server/info').set(auth).expect(200)).body)).toEqual([]);
    expect(missing('ApiKey', (await t.http.get('/api/v1/api-keys/current').set(auth).expect(200)).body)).toEqual([]);
  });

  it('invoice, payment methods, payments, webhook and delivery', async () => {
    const hook = (
      await t.http
        .post(`${base}/webhooks`)
        .set(auth)
        .send({ url: `${receiver.url}/shapes` })
        .expect(200)
    ).body;
    expect(missing('Webhook', hook)).toEqual([]);
    expect(missing('WebhookCreated', hook)).toEqual([]);
    expect(missing('WebhookAuthorizedEvents', hook.authorizedEvents)).toEqual([]);
    for (const body of [{ amount: '1000', currency: 'SATS' }, { amount: '0.0001', currency: 'BTC' }, { amount: '5', currency: 'USD' }, { currency: 'SATS' }]) {
      const invoice = (await t.http.post(`${base}/invoices`).set(auth).send(body).expect(200)).body;
      expect(missing('Invoice', invoice)).toEqual([]);
      const [method] = (await t.http.get(`${base}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
      expect(missing('InvoicePaymentMethod', method)).toEqual([]);
      for (const key of ['rate', 'amount', 'due', 'totalPaid', 'paymentMethodPaid', 'paymentMethodFee', 'destination'])
        expect([key, typeof method[key]]).toEqual([key, 'string']);
      void t.app.get(LightningService).simulatePayment(method.additionalData.paymentHash);
      const paid = await eventually(async () => {
        const [m] = (await t.http.get(`${base}/invoices/${invoice.id}/payment-methods`).set(auth).expect(200)).body;
        return m.payments.length > 0 ? m : null;
      }, 'payment recorded');
      expect(missing('InvoicePayment', paid.payments[0])).toEqual([]);
      expect(missing('Invoice', (await t.http.get(`${base}/invoices/${invoice.id}`).set(auth).expect(200)).body)).toEqual([]);
    }
    const deliveries = await eventually(async () => {
      const list = (await t.http.get(`${base}/webhooks/${hook.id}/deliveries`).set(auth).expect(200)).body;
      return list.length > 0 && list.every((d: { status: string }) => d.status !== 'Pending') ? list : null;
    }, 'deliveries');
    for (const d of deliveries) expect(missing('WebhookDelivery', d)).toEqual([]);
  });
});
