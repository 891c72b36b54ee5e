import { LightningService } from '../../src/lightning/lightning.service';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher';
import { WebhookEndpoint } from '../../src/webhooks/webhook-endpoint.entity';
import { verifyWebhook } from '../../src/webhooks/verify-webhook';
import { createTestDatabase } from '../support/test-db';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor, WebhookReceiver } from './webhooks-receiver';
import { UnitOfWork } from '../../src/database/unit-of-work';

/** Short timings so retries take milliseconds; each endpoint gets its own receiver path. */
const FAST = { webhooks: { backoffBaseMs: 50, backoffMaxMs: 200, pollIntervalMs: 200, timeoutMs: 1500, maxAttempts: 6 } };

describe('webhooks (in-process delivery, real receiver)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let auth: { Authorization: string };
  let storeId: string;
  let pathNo = 0;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({ config: FAST });
    const store = await t.createStore('Webhook shop');
    storeId = store.storeId;
    auth = { Authorization: `token ${store.apiKey}` };
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  /** Creates an endpoint on a fresh receiver path that behaves as told. */
  async function endpoint(behaviour?: Parameters<WebhookReceiver['route']>[1], events: string[] = ['InvoiceCreated']) {
    const path = `/hook-${++pathNo}`;
    const url = receiver.route(path, behaviour);
    const res = await t.http.post('/api/v1/webhooks').set(auth).send({ url, events }).expect(201);
    receiver.setSecret(path, res.body.secret);
    return { path, id: res.body.id as string, secret: res.body.secret as string };
  }

  const checkout = async (amount = 100) => (await t.http.post('/api/v1/checkouts').set(auth).send({ amount }).expect(201)).body;
  const delivery = async (hookId: string, deliveryId: string) =>
    (await t.http.get(`/api/v1/webhooks/${hookId}/deliveries/${deliveryId}`).set(auth).expect(200)).body;

  describe('endpoints API', () => {
    it('a null secret (what BTCPay clients send for "make one") is generated, on create and on rotate', async () => {
      const created = await t.http.post('/api/v1/webhooks').set(auth).send({ url: 'https://shop.example/null-secret', secret: null }).expect(201);
      expect(created.body.secret).toMatch(/^whsec_/);
      const rotated = await t.http.post(`/api/v1/webhooks/${created.body.id}/rotate-secret`).set(auth).send({ secret: null }).expect(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.body.secret);
    });

    it('creates with a whsec_ secret shown once; lists, updates, rotates and deletes', async () => {
      const created = await t.http.post('/api/v1/webhooks').set(auth).send({ url: 'https://shop.example/hook', description: 'orders' }).expect(201);
      expect(created.body).toMatchObject({ url: 'https://shop.example/hook', events: [], enabled: true, description: 'orders', storeId });
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);
      const id = created.body.id;
      const got = await t.http.get(`/api/v1/webhooks/${id}`).set(auth).expect(200);
      expect(got.body.secret).toBeUndefined();
      const list = await t.http.get('/api/v1/webhooks').set(auth).expect(200);
      expect(list.body.items.map((e: { id: string }) => e.id)).toContain(id);
      expect(JSON.stringify(list.body)).not.toContain(created.body.secret);

      const patched = await t.http
        .patch(`/api/v1/webhooks/${id}`)
        .set(auth)
        .send({ enabled: false, events: ['InvoiceSettled'] })
        .expect(200);
      expect(patched.body).toMatchObject({ enabled: false, events: ['InvoiceSettled'], url: 'https://shop.example/hook', format: 'standard' });
      expect((await t.http.patch(`/api/v1/webhooks/${id}`).set(auth).send({ format: 'btcpay' }).expect(200)).body.format).toBe('btcpay');
      const badFormat = await t.http.patch(`/api/v1/webhooks/${id}`).set(auth).send({ format: 'xml' }).expect(422);
      expect(badFormat.body.code).toBe('validation_failed');
      const rotated = await t.http.post(`/api/v1/webhooks/${id}/rotate-secret`).set(auth).send({}).expect(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.body.secret);
      const own = 'my-btcpay-style-secret-123';
      const supplied = await t.http.post('/api/v1/webhooks').set(auth).send({ url: 'https://shop.example/b', secret: own }).expect(201);
      expect(supplied.body.secret).toBe(own);

      const other = await t.createStore('Other shop');
      const foreign = await t.http.get(`/api/v1/webhooks/${id}`).set('Authorization', `token ${other.apiKey}`).expect(404);
      expect(foreign.body.code).toBe('webhook_not_found');
      await t.http.delete(`/api/v1/webhooks/${id}`).set(auth).expect(204);
      await t.http.get(`/api/v1/webhooks/${id}`).set(auth).expect(404);
    });

    it.each([
      ['a non-http URL', { url: 'ftp://shop.example/x' }, 'validation_failed'],
      ['a relative URL', { url: '/hook' }, 'validation_failed'],
      ['an unknown event', { url: 'https://shop.example/x', events: ['InvoiceExploded'] }, 'validation_failed'],
      ['a weak secret', { url: 'https://shop.example/x', secret: 'short' }, 'invalid_webhook_secret'],
      ['a whsec_ secret of 8 bytes', { url: 'https://shop.example/x', secret: 'whsec_' + Buffer.alloc(8).toString('base64') }, 'invalid_webhook_secret'],
      ['an unknown field', { url: 'https://shop.example/x', hack: 1 }, 'validation_failed'],
    ])('refuses %s with a 422 problem', async (_name, body, code) => {
      const res = await t.http.post('/api/v1/webhooks').set(auth).send(body).expect(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe(code);
    });
  });

  it('signs deliveries per Standard Webhooks and BTCPay, verifiable byte for byte', async () => {
    const hook = await endpoint(() => 200, []);
    const c = await checkout(210);
    void t.app.get(LightningService).simulatePayment(c.paymentHash);
    await waitFor(() => receiver.accepted(hook.path).length >= 2, 15_000, 'created + settled delivered');
    const [created, settled] = receiver.on(hook.path);
    for (const r of [created, settled]) {
      expect(r.v1Valid).toBe(true);
      expect(r.btcpayValid).toBe(true);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toMatch(/LightningCheckout/);
      expect(Number(r.headers['webhook-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);
      expect(r.body.id).toBe(r.headers['webhook-id']);
      // The exported helper accepts it, and rejects a tampered body.
      expect(verifyWebhook(hook.secret, r.raw, r.headers)).toMatchObject({ checkoutId: c.id });
      expect(() => verifyWebhook(hook.secret, Buffer.from(r.raw.toString().replace('210', '211')), r.headers)).toThrow();
    }
    expect(created.body).toMatchObject({ type: 'InvoiceCreated', storeId, invoiceId: c.id, checkoutId: c.id, webhookId: hook.id, isRedelivery: false });
    expect(settled.body).toMatchObject({ type: 'InvoiceSettled', invoiceId: c.id, data: { id: c.id, status: 'Settled', amountSats: 210 } });
    expect(settled.body.deliveryId).toBe(settled.headers['webhook-id']);
  });

  it('retries a receiver failing 3 times with 500, accepting the event exactly once under one webhook-id', async () => {
    const counted = async (outcome: string) => {
      const text = (await t.http.get('/metrics').expect(200)).text;
      const line = text.split('\n').find((l) => l.startsWith(`webhook_deliveries_total{outcome="${outcome}"}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const [retriesBefore, deliveredBefore] = [await counted('retry'), await counted('delivered')];
    const hook = await endpoint((n) => (n <= 3 ? 500 : 200));
    const c = await checkout();
    await waitFor(() => receiver.accepted(hook.path).length === 1, 15_000, 'accepted after retries');
    const got = receiver.on(hook.path);
    expect(got.map((r) => r.answered)).toEqual([500, 500, 500, 200]);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(got.every((r) => r.v1Valid && r.body.checkoutId === c.id)).toBe(true);
    const id = got[0].headers['webhook-id'] as string;
    // The receiver has answered; the server records the attempt right after.
    await waitFor(async () => (await delivery(hook.id, id)).status !== 'pending', 5000, 'attempt recorded');
    const log = await delivery(hook.id, id);
    expect(log).toMatchObject({ status: 'succeeded', attempts: 4, lastStatusCode: 200 });
    expect(log.attemptLog.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([500, 500, 500, 200]);
    expect(log.attemptLog[0]).toMatchObject({ attempt: 1, responseBody: 'answer 500' });
    expect(log.attemptLog[0].requestHeaders['webhook-id']).toBe(log.id);
    const page = await t.http.get(`/api/v1/webhooks/${hook.id}/deliveries?limit=10`).set(auth).expect(200);
    expect(page.body).toMatchObject({ total: 1, limit: 10, offset: 0 });
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.on(hook.path)).toHaveLength(4);
    // Other tests' endpoints share the counter, so only a lower bound is exact here.
    expect((await counted('retry')) - retriesBefore).toBeGreaterThanOrEqual(3);
    expect((await counted('delivered')) - deliveredBefore).toBeGreaterThanOrEqual(1);
  });

  it('treats a 4xx as final, and 410 Gone disables the endpoint', async () => {
    const bad = await endpoint(() => 400);
    const gone = await endpoint(() => 410);
    await checkout();
    await waitFor(() => receiver.on(bad.path).length === 1 && receiver.on(gone.path).length === 1);
    await waitFor(async () => (await t.http.get(`/api/v1/webhooks/${gone.id}`).set(auth)).body.enabled === false, 5000, 'endpoint disabled');
    await waitFor(async () => (await t.http.get(`/api/v1/webhooks/${bad.id}/deliveries`).set(auth)).body.items[0].status === 'failed', 5000, 'failed');
    const list = await t.http.get(`/api/v1/webhooks/${bad.id}/deliveries`).set(auth).expect(200);
    expect(list.body.items[0]).toMatchObject({ attempts: 1, lastStatusCode: 400 });
    const disabled = await t.http.get(`/api/v1/webhooks/${gone.id}`).set(auth).expect(200);
    expect(disabled.body.disabledReason).toMatch(/410/);
    // The next event still goes to the 400 endpoint (each failure is final, not a block) but not to the disabled one.
    await checkout();
    await waitFor(() => receiver.on(bad.path).length === 2, 10_000, 'next event to the 400 endpoint');
    expect(receiver.on(gone.path)).toHaveLength(1);
  });

  it('keeps order per endpoint: delivery N+1 is not sent before N succeeded', async () => {
    // The first event fails twice; the two after it must wait for it.
    const hook = await endpoint((n) => (n <= 2 ? 503 : 200));
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await checkout(300 + i)).id);
    await waitFor(() => receiver.accepted(hook.path).length === 3, 15_000, 'all three accepted');
    const seen = receiver.on(hook.path).map((r) => r.body.checkoutId);
    expect(seen).toEqual([ids[0], ids[0], ids[0], ids[1], ids[2]]);
  });

  it('a hanging receiver does not delay another endpoint', async () => {
    const hanging = await endpoint(() => 'hang');
    const healthy = await endpoint(() => 200);
    const c1 = await checkout();
    await waitFor(() => receiver.on(hanging.path).length >= 1 && receiver.accepted(healthy.path).length === 1, 10_000, 'first event sent to both');
    const c2 = await checkout();
    await waitFor(() => receiver.accepted(healthy.path).length === 2, 10_000, 'healthy endpoint served again');
    expect(receiver.accepted(healthy.path).map((r) => r.body.checkoutId)).toEqual([c1.id, c2.id]);
    // The hanging endpoint is still stuck on its first event (never answered, so c2 waits behind it).
    const stuck = receiver.on(hanging.path);
    expect(stuck.every((r) => r.body.checkoutId === c1.id && r.answered === 'hang')).toBe(true);
    // Disable it so its retries stop.
    await t.http.patch(`/api/v1/webhooks/${hanging.id}`).set(auth).send({ enabled: false }).expect(200);
  });

  it('gives up after webhooks.maxAttempts and marks the delivery failed', async () => {
    const hook = await endpoint(() => 500);
    await checkout();
    await waitFor(() => receiver.on(hook.path).length === FAST.webhooks.maxAttempts, 15_000, 'all attempts made');
    const id = receiver.on(hook.path)[0].headers['webhook-id'] as string;
    await waitFor(async () => (await delivery(hook.id, id)).status === 'failed', 5000, 'marked failed');
    const log = await delivery(hook.id, id);
    expect(log).toMatchObject({ attempts: FAST.webhooks.maxAttempts, lastStatusCode: 500, nextAttemptAt: null });
    expect(log.lastError).toMatch(/gave up after 6 attempts/);
    await new Promise((r) => setTimeout(r, 600));
    expect(receiver.on(hook.path)).toHaveLength(FAST.webhooks.maxAttempts);
  });

  it('honours Retry-After on 429 over the (much shorter) backoff', async () => {
    let firstAnsweredAt = 0;
    const path = `/hook-${++pathNo}`;
    const url = receiver.route(path, (n) => {
      if (n === 1) firstAnsweredAt = Date.now();
      return n === 1 ? 429 : 200;
    });
    receiver.retryAfter.set(path, '2');
    const res = await t.http
      .post('/api/v1/webhooks')
      .set(auth)
      .send({ url, events: ['InvoiceCreated'] })
      .expect(201);
    receiver.setSecret(path, res.body.secret);
    await checkout();
    await waitFor(() => receiver.accepted(path).length === 1, 15_000, 'accepted after Retry-After');
    // Backoff alone would retry within 200 ms; Retry-After: 2 holds it for about two seconds.
    expect(receiver.on(path)[1].at - firstAnsweredAt).toBeGreaterThanOrEqual(1900);
  });

  it('signs with both the new and the old secret for a while after a rotation', async () => {
    const hook = await endpoint(() => 200);
    const rotated = await t.http.post(`/api/v1/webhooks/${hook.id}/rotate-secret`).set(auth).send({ previousSecretTtlSeconds: 600 }).expect(200);
    expect(rotated.body.previousSecretExpiresAt).toEqual(expect.any(String));
    await checkout();
    await waitFor(() => receiver.accepted(hook.path).length === 1);
    const got = receiver.on(hook.path)[0];
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => verifyWebhook(hook.secret, got.raw, got.headers)).not.toThrow();
    expect(() => verifyWebhook(rotated.body.secret, got.raw, got.headers)).not.toThrow();
    // BTCPay-Sig carries one signature: the new secret's.
    receiver.setSecret(hook.path, rotated.body.secret);
    expect(got.btcpayValid).toBe(false); // checked with the old secret at the time
    const again = await t.http.post(`/api/v1/webhooks/${hook.id}/rotate-secret`).set(auth).send({ previousSecretTtlSeconds: 0 }).expect(200);
    expect(again.body.previousSecretExpiresAt).toBeNull();
    receiver.setSecret(hook.path, again.body.secret);
    await checkout();
    await waitFor(() => receiver.accepted(hook.path).length === 2);
    const after = receiver.on(hook.path)[1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(after).toMatchObject({ v1Valid: true, btcpayValid: true });
    expect(() => verifyWebhook(again.body.secret, after.raw, after.headers)).not.toThrow();
    expect(() => verifyWebhook(rotated.body.secret, after.raw, after.headers)).toThrow();
  });

  it('redelivers a delivery under a new webhook-id marked isRedelivery', async () => {
    const hook = await endpoint(() => 200);
    await checkout();
    await waitFor(() => receiver.accepted(hook.path).length === 1);
    const first = receiver.on(hook.path)[0];
    const res = await t.http
      .post(`/api/v1/webhooks/${hook.id}/deliveries/${String(first.headers['webhook-id'])}/redeliver`)
      .set(auth)
      .expect(201);
    expect(res.body).toMatchObject({ isRedelivery: true, originalDeliveryId: first.headers['webhook-id'], status: 'pending' });
    await waitFor(() => receiver.accepted(hook.path).length === 2);
    const again = receiver.on(hook.path)[1];
    expect(again.headers['webhook-id']).toBe(res.body.id);
    expect(again.headers['webhook-id']).not.toBe(first.headers['webhook-id']);
    expect(again.v1Valid).toBe(true);
    expect(again.body).toMatchObject({ isRedelivery: true, originalDeliveryId: first.body.id, deliveryId: res.body.id, eventId: first.body.eventId });
    await t.http.post(`/api/v1/webhooks/${hook.id}/deliveries/msg_nope/redeliver`).set(auth).expect(404);
  });
});

describe('webhooks across a restart (same database)', () => {
  it('an event committed just before the server stopped, and one mid-retry, are delivered after restart', async () => {
    const db = await createTestDatabase();
    const receiver = await new WebhookReceiver().start();
    let up = false;
    let a: TestApp | undefined;
    let b: TestApp | undefined;
    try {
      a = await startTestApp({ db, config: FAST });
      const { apiKey } = await a.createStore();
      const auth = { Authorization: `token ${apiKey}` };
      const url = receiver.route('/r', () => (up ? 200 : 503));
      const hook = await a.http
        .post('/api/v1/webhooks')
        .set(auth)
        .send({ url, events: ['InvoiceCreated'] })
        .expect(201);
      receiver.setSecret('/r', hook.body.secret);
      const first = await a.http.post('/api/v1/checkouts').set(auth).send({ amount: 1 }).expect(201);
      await waitFor(() => receiver.on('/r').length >= 1, 10_000, 'first attempt');
      // The next status change commits, then the server goes down before any dispatch.
      await a.app.get(WebhookDispatcher).onModuleDestroy();
      const second = await a.http.post('/api/v1/checkouts').set(auth).send({ amount: 2 }).expect(201);
      await a.close();
      a = undefined;
      const attemptsBefore = receiver.on('/r').length;
      expect(receiver.accepted('/r')).toHaveLength(0);

      up = true;
      b = await startTestApp({ db, config: FAST });
      await waitFor(() => receiver.accepted('/r').length === 2, 15_000, 'both delivered after restart');
      const accepted = receiver.accepted('/r');
      expect(accepted.map((r) => r.body.checkoutId)).toEqual([first.body.id, second.body.id]);
      expect(accepted.every((r) => r.v1Valid)).toBe(true);
      // The retried delivery kept its webhook-id across the restart.
      expect(accepted[0].headers['webhook-id']).toBe(receiver.on('/r')[0].headers['webhook-id']);
      expect(attemptsBefore).toBeGreaterThanOrEqual(1);
    } finally {
      await a?.close();
      await b?.close();
      await receiver.stop();
      await db.drop();
    }
  });
});

describe('webhooks SSRF guard (private targets not allowed)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let auth: { Authorization: string };

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({ config: { webhooks: { ...FAST.webhooks, allowPrivateTargets: false } } });
    auth = { Authorization: `token ${(await t.createStore()).apiKey}` };
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it.each([
    ['loopback', () => receiver.url + '/x'],
    ['localhost', () => 'http://localhost:8080/x'],
    ['IPv6 loopback', () => 'http://[::1]:8080/x'],
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ['a private network', () => 'http://10.1.2.3/x'],
    ['CGNAT', () => 'http://100.64.0.1/x'],
    ['an IPv4-mapped loopback', () => 'http://[::ffff:127.0.0.1]/x'],
  ])('refuses %s with webhook_url_forbidden', async (_name, url) => {
    const res = await t.http.post('/api/v1/webhooks').set(auth).send({ url: url() }).expect(422);
    expect(res.body.code).toBe('webhook_url_forbidden');
  });

  it('checks again at delivery time: a stored loopback endpoint is never called', async () => {
    const { storeId, apiKey } = await t.createStore('sneaky');
    const key = apiKey;
    receiver.route('/sneaky', () => 200);
    // As if DNS had changed after the endpoint was saved.
    await t.app.get(UnitOfWork).run((m) =>
      m.insert(WebhookEndpoint, {
        id: 'wh_sneaky',
        storeId,
        url: receiver.url + '/sneaky',
        description: null,
        events: [],
        enabled: true,
        secret: 'whsec_' + Buffer.alloc(32, 1).toString('base64'),
        disabledReason: null,
        updatedAt: new Date(),
      }),
    );
    await t.http.post('/api/v1/checkouts').set('Authorization', `token ${key}`).send({ amount: 5 }).expect(201);
    await waitFor(
      async () => {
        const res = await t.http.get('/api/v1/webhooks/wh_sneaky/deliveries').set('Authorization', `token ${key}`);
        return res.body.items?.[0]?.status === 'failed';
      },
      10_000,
      'delivery refused',
    );
    const res = await t.http.get('/api/v1/webhooks/wh_sneaky/deliveries').set('Authorization', `token ${key}`).expect(200);
    expect(res.body.items[0].lastError).toMatch(/private or internal/);
    expect(receiver.on('/sneaky')).toHaveLength(0);
  });
});
