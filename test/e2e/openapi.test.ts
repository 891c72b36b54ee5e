import OpenAPIBackend from 'openapi-backend';
import request from 'supertest';
import { nodeHealthView } from '../../src/health/node-health.view';
import { LightningService } from '../../src/lightning/lightning.service';
import { undocumentedReached, validated } from '../support/openapi-validation';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor, WebhookReceiver } from './webhooks-receiver';

/**
 * The OpenAPI document at /docs/openapi.json is complete and true: every operation is exercised
 * here, once answering its success and once an error, and t.http validates each response against
 * the document (status documented, media type, schema, problem code); the last test checks that
 * every operation was validated that way.
 */
describe('OpenAPI document: complete, and true of the real answers', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let storeId: string;
  let auth: { Authorization: string };
  let readOnly: { Authorization: string };
  let owner: { Authorization: string };
  let doc: {
    paths: Record<
      string,
      Record<
        string,
        { operationId: string; summary?: string; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
      >
    >;
    components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }>; securitySchemes: Record<string, Record<string, unknown>> };
  };
  const none = { Authorization: 'token not-a-key' };

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
    const store = await t.createStore('OpenAPI shop');
    storeId = store.storeId;
    auth = { Authorization: `token ${store.apiKey}` };
    owner = { Authorization: `token ${(await t.createStore('Owner', ['btcpay.store.canmodifystoresettings'])).apiKey}` };
    readOnly = { Authorization: `token ${(await t.createStore('Viewer', ['btcpay.store.canviewinvoices'])).apiKey}` };
    doc = (await t.http.get('/docs/openapi.json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

  it('is valid OpenAPI 3.0', async () => {
    // The validating client skips this (quick mode) for speed; checked once here.
    const api = new OpenAPIBackend({ definition: structuredClone(doc) as never, quick: true });
    await api.loadDocument();
    expect(() => api.validateDefinition()).not.toThrow();
  });

  it('names every operation with a summary, and documents a problem+json body for every error', () => {
    for (const { path, method, op } of operations()) {
      expect(`${method} ${path}: ${op.summary ?? ''}`).toMatch(/: \S/);
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && !path.startsWith('/health'))
          expect(`${method} ${path} ${status}: ${Object.keys(response.content ?? {}).join(',')}`).toMatch(/: application\/problem\+json$/);
      }
      if (op.security) expect(`${method} ${path}: ${Object.keys(op.responses).join(',')}`).toMatch(/\b401\b/);
    }
  });

  it('types amount as a decimal string, documents cancel as the 200 it answers, and takes the bare key in Swagger UI', async () => {
    const checkout = doc.components.schemas.CheckoutView.properties;
    expect(checkout.amount).toMatchObject({ type: 'string', pattern: expect.any(String) });
    expect(checkout.settledAt).toMatchObject({ type: 'string', format: 'date-time', nullable: true });
    expect(checkout.status).toMatchObject({ allOf: [{ $ref: '#/components/schemas/CheckoutStatus' }] });
    expect(doc.components.schemas.CheckoutStatus).toMatchObject({ type: 'string', enum: ['New', 'Settled', 'Expired', 'Invalid'] });
    expect(Object.keys(doc.paths['/api/v1/checkouts/{id}/cancel'].post.responses)).toContain('200');
    expect(Object.keys(doc.paths['/api/v1/checkouts/{id}/cancel'].post.responses)).not.toContain('201');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    // What Swagger UI sends for an http bearer scheme once the key alone is pasted.
    const key = auth.Authorization.slice('token '.length);
    await t.http.get('/api/v1/store').set('Authorization', `Bearer ${key}`).expect(200);
  });

  it('the validator catches an answer the document does not describe', () => {
    const fake = (status: number, body: unknown, type = 'application/json') =>
      ({ status, body, text: JSON.stringify(body), headers: { 'content-type': type } }) as unknown as request.Response;
    expect(
      t.openapi.check(
        'get',
        '/api/v1/store',
        fake(200, { id: 's', name: 'n', website: null, logoUrl: null, spreadPercent: 1, createdAt: new Date().toISOString() }),
      ),
    ).toEqual([expect.stringMatching(/spreadPercent.*must be string/)]);
    // Closed objects: an undocumented field (here a misspelled one) fails too.
    const store = { id: 's', name: 'n', website: null, logoUrl: null, spreadPercent: '1', createdAt: new Date().toISOString() };
    expect(t.openapi.check('get', '/api/v1/store', fake(200, store))).toEqual([]);
    expect(t.openapi.check('get', '/api/v1/store', fake(200, { ...store, logoURL: 'https://x/y.png' }))).toEqual([
      expect.stringMatching(/must NOT have additional properties.*logoURL/),
    ]);
    expect(t.openapi.check('get', '/api/v1/store', fake(404, { code: 'x' }, 'application/problem+json'))).toEqual([
      expect.stringMatching(/does not document status 404/),
    ]);
    const problem = { type: 'https://x/y', title: 'Not found', status: 404, code: 'webhook_not_found' };
    expect(t.openapi.check('get', '/api/v1/checkouts/abc', fake(404, problem, 'application/problem+json'))).toEqual([
      expect.stringMatching(/code.*must be equal to one of the allowed values/),
    ]);
    expect(t.openapi.check('get', '/api/v1/checkouts/abc', fake(404, { ...problem, code: 'checkout_not_found' }))).toEqual([
      expect.stringMatching(/answered application\/json, documented application\/problem\+json/),
    ]);
    expect(t.openapi.check('get', '/api/v1/secret-route', fake(200, {}))).toEqual([expect.stringMatching(/not in the OpenAPI document/)]);
  });

  it('documents the health answers the dev backend never gives: degraded readiness, an LND node with unknown facts, a cluster leader', () => {
    const fake = (status: number, body: unknown) =>
      ({ status, body, text: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) as unknown as request.Response;
    const etcd = { status: 'degraded', message: 'timeout', impact: 'singleton work is paused' };
    const up = { database: { status: 'up' } };
    expect(t.openapi.check('get', '/health/ready', fake(200, { status: 'degraded', info: { ...up, etcd }, error: {}, details: { ...up, etcd } }))).toEqual([]);
    const at = new Date();
    const lnd = nodeHealthView({
      name: 'lnd-a',
      type: 'lnd',
      role: 'independent',
      reachable: true,
      syncedToChain: true,
      infoKnown: false,
      liquidityKnown: false,
      activeChannels: 0,
      inboundSats: 0,
      canIssue: true,
      permissions: { verifiedBy: 'CheckMacaroonPermissions', granted: ['invoices:write'], missing: ['info:read', 'offchain:read'] },
      warnings: ['the macaroon lacks info:read'],
      checkedAt: at,
    });
    expect(lnd).toMatchObject({ syncedToChain: null, inboundSats: null, liquidity: 'unknown' });
    const leader = nodeHealthView({
      name: 'c-1',
      group: 'c',
      type: 'cluster-member',
      role: 'leader',
      reachable: true,
      syncedToChain: true,
      activeChannels: 1,
      inboundSats: 5,
      canIssue: true,
      checkedAt: at,
      failovers: 1,
      lastFailoverAt: at,
      channelPeers: [{ pubkey: '02ab', connected: false, channels: 1, activeChannels: 0, lastAttemptAt: at, lastError: 'dial tcp 10.0.0.5:9735: refused' }],
      channelPeersError: 'timeout',
    });
    const replica = { replicaId: 'r', coordination: 'local', isLeader: true, leaderSince: null, leaderId: null };
    expect(t.openapi.check('get', '/health/nodes', fake(200, { replica, nodes: [lnd, leader] }))).toEqual([]);
    // And the document is closed enough to notice a wrong type there.
    expect(t.openapi.check('get', '/health/nodes', fake(200, { replica, nodes: [{ ...lnd, warnings: 'one' }] }))).toEqual([
      expect.stringMatching(/warnings.*must be array/),
    ]);
  });

  it('checkouts: create, replay, list, get, cancel, and their errors', async () => {
    const created = await t.http
      .post('/api/v1/checkouts')
      .set(auth)
      .set('Idempotency-Key', 'oa-1')
      .send({ amount: '12.5', currency: 'USD', metadata: { a: 1 } })
      .expect(201);
    await t.http
      .post('/api/v1/checkouts')
      .set(auth)
      .set('Idempotency-Key', 'oa-1')
      .send({ amount: '12.5', currency: 'USD', metadata: { a: 1 } })
      .expect(200);
    await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 'x' }).expect(422);
    await t.http.post('/api/v1/checkouts').set(auth).set('Content-Type', 'application/json').send('{"amount":').expect(400);
    await t.http.post('/api/v1/checkouts').set(readOnly).send({ amount: 1 }).expect(403);
    await t.http.post('/api/v1/checkouts').set(none).send({ amount: 1 }).expect(401);
    await t.http.get('/api/v1/checkouts?limit=2').set(auth).expect(200);
    await t.http.get('/api/v1/checkouts?limit=0').set(auth).expect(422);
    await t.http.get(`/api/v1/checkouts/${created.body.id}`).set(auth).expect(200);
    await t.http.get('/api/v1/checkouts/nope').set(auth).expect(404);
    await t.http.post(`/api/v1/checkouts/${created.body.id}/cancel`).set(auth).expect(200);
    const paid = await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 3 }).expect(201);
    void t.app.get(LightningService).simulatePayment(paid.body.paymentHash, 3);
    await waitFor(async () => (await t.http.get(`/api/v1/checkouts/${paid.body.id}`).set(auth)).body.status === 'Settled', 15_000, 'settled');
    await t.http.post(`/api/v1/checkouts/${paid.body.id}/cancel`).set(auth).expect(409);
  });

  it('store and API keys', async () => {
    await t.http.get('/api/v1/store').set(auth).expect(200);
    await t.http.get('/api/v1/store').set(none).expect(401);
    await t.http.patch('/api/v1/store').set(auth).send({ spreadPercent: '1.5' }).expect(403);
    await t.http.patch('/api/v1/store').set(owner).send({ spreadPercent: '1.5' }).expect(200);
    await t.http.patch('/api/v1/store').set(owner).send({ spreadPercent: '80' }).expect(422);
    await t.http.get('/api/v1/api-keys').set(owner).expect(200);
    await t.http.get('/api/v1/api-keys').set(readOnly).expect(403);
    const key = await t.http
      .post('/api/v1/api-keys')
      .set(owner)
      .send({ label: 'oa', permissions: ['btcpay.store.canviewinvoices'] })
      .expect(201);
    await t.http
      .post('/api/v1/api-keys')
      .set(owner)
      .send({ permissions: ['btcpay.store.canfly'] })
      .expect(422);
    await t.http.delete(`/api/v1/api-keys/${key.body.id}`).set(owner).expect(204);
    await t.http.delete(`/api/v1/api-keys/${key.body.id}`).set(owner).expect(404);
  });

  it('webhooks and their deliveries', async () => {
    const url = receiver.route('/oa-hook');
    const hook = await t.http
      .post('/api/v1/webhooks')
      .set(auth)
      .send({ url, events: ['InvoiceCreated'] })
      .expect(201);
    await t.http.post('/api/v1/webhooks').set(auth).send({ url: 'ftp://x' }).expect(422);
    await t.http.get('/api/v1/webhooks').set(auth).expect(200);
    await t.http.get('/api/v1/webhooks').set(readOnly).expect(403);
    await t.http.get(`/api/v1/webhooks/${hook.body.id}`).set(auth).expect(200);
    await t.http.get('/api/v1/webhooks/nope').set(auth).expect(404);
    await t.http.patch(`/api/v1/webhooks/${hook.body.id}`).set(auth).send({ description: 'shop' }).expect(200);
    await t.http.patch(`/api/v1/webhooks/${hook.body.id}`).set(auth).send({ enabled: 'yes' }).expect(422);
    await t.http.post(`/api/v1/webhooks/${hook.body.id}/rotate-secret`).set(auth).send({ previousSecretTtlSeconds: 60 }).expect(200);
    await t.http.post(`/api/v1/webhooks/${hook.body.id}/rotate-secret`).set(auth).send({ secret: 'short' }).expect(422);
    await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 5 }).expect(201);
    await waitFor(() => receiver.accepted('/oa-hook').length >= 1, 15_000, 'delivered');
    const page = await t.http.get(`/api/v1/webhooks/${hook.body.id}/deliveries`).set(auth).expect(200);
    await t.http.get(`/api/v1/webhooks/${hook.body.id}/deliveries?offset=-1`).set(auth).expect(422);
    const deliveryId = page.body.items[0].id as string;
    await waitFor(
      async () => (await t.http.get(`/api/v1/webhooks/${hook.body.id}/deliveries/${deliveryId}`).set(auth)).body.status === 'succeeded',
      15_000,
      'recorded',
    );
    await t.http.get(`/api/v1/webhooks/${hook.body.id}/deliveries/nope`).set(auth).expect(404);
    await t.http.post(`/api/v1/webhooks/${hook.body.id}/deliveries/${deliveryId}/redeliver`).set(auth).expect(201);
    await t.http.post(`/api/v1/webhooks/${hook.body.id}/deliveries/nope/redeliver`).set(auth).expect(404);
    await t.http.delete(`/api/v1/webhooks/${hook.body.id}`).set(auth).expect(204);
    await t.http.delete(`/api/v1/webhooks/${hook.body.id}`).set(auth).expect(404);
  });

  it('health', async () => {
    await t.http.get('/health/live').expect(200);
    await t.http.get('/health/ready').expect(200);
    await t.http.get('/health/nodes').expect(200);
    await t.http.get('/health/replica').expect(200);
  });

  it('Greenfield-compatible routes', async () => {
    const base = `/api/v1/stores/${storeId}`;
    await t.http.get('/api/v1/health').expect(200);
    await t.http.get('/api/v1/server/info').set(auth).expect(200);
    await t.http.get('/api/v1/server/info').set(none).expect(401);
    await t.http.get('/api/v1/api-keys/current').set(auth).expect(200);
    await t.http.get('/api/v1/api-keys/current').expect(401);
    await t.http.get('/api/v1/stores').set(auth).expect(200);
    await t.http.get('/api/v1/stores').set(readOnly).expect(403);
    await t.http.get(base).set(auth).expect(200);
    await t.http.get('/api/v1/stores/other').set(auth).expect(403);
    await t.http.get(`${base}/payment-methods`).set(auth).expect(200);
    await t.http.get('/api/v1/stores/other/payment-methods').set(auth).expect(403);
    await t.http.get(`${base}/rates?currencyPair=BTC_USD`).set(auth).expect(200);
    await t.http.get('/api/v1/stores/other/rates').set(auth).expect(403);

    const invoice = await t.http
      .post(`${base}/invoices`)
      .set(auth)
      .send({ amount: '3', currency: 'USD', metadata: { orderId: 'gf-1' } })
      .expect(200);
    await t.http.post(`${base}/invoices`).set(auth).send({ amount: -1 }).expect(422);
    await t.http.get(`${base}/invoices`).set(auth).expect(200);
    await t.http.get(`${base}/invoices?take=-5`).set(auth).expect(422);
    const id = invoice.body.id as string;
    await t.http.get(`${base}/invoices/${id}`).set(auth).expect(200);
    await t.http.get(`${base}/invoices/nope`).set(auth).expect(404);
    await t.http
      .put(`${base}/invoices/${id}`)
      .set(auth)
      .send({ metadata: { orderId: 'gf-2' } })
      .expect(200);
    await t.http.put(`${base}/invoices/nope`).set(auth).send({ metadata: {} }).expect(404);
    await t.http.get(`${base}/invoices/${id}/payment-methods`).set(auth).expect(200);
    await t.http.get(`${base}/invoices/nope/payment-methods`).set(auth).expect(404);
    await t.http.delete(`${base}/invoices/${id}`).set(auth).expect(200);
    await t.http.delete(`${base}/invoices/nope`).set(auth).expect(404);
    await t.http.post(`${base}/invoices/${id}/unarchive`).set(auth).expect(200);
    await t.http.post(`${base}/invoices/nope/unarchive`).set(auth).expect(404);
    await t.http.post(`${base}/invoices/${id}/status`).set(auth).send({ status: 'Settled' }).expect(422);
    await t.http.post(`${base}/invoices/${id}/status`).set(auth).send({ status: 'Invalid' }).expect(200);

    const url = receiver.route('/oa-gf-hook');
    const hook = await t.http
      .post(`${base}/webhooks`)
      .set(auth)
      .send({ url, authorizedEvents: { everything: true } })
      .expect(200);
    await t.http.post(`${base}/webhooks`).set(auth).send({ url: 'not a url' }).expect(422);
    await t.http.get(`${base}/webhooks`).set(auth).expect(200);
    await t.http.get('/api/v1/stores/other/webhooks').set(auth).expect(403);
    const hookId = hook.body.id as string;
    await t.http.get(`${base}/webhooks/${hookId}`).set(auth).expect(200);
    await t.http.get(`${base}/webhooks/nope`).set(auth).expect(404);
    await t.http.put(`${base}/webhooks/${hookId}`).set(auth).send({ url, enabled: true }).expect(200);
    await t.http.put(`${base}/webhooks/nope`).set(auth).send({ url }).expect(404);
    await t.http.post(`${base}/invoices`).set(auth).send({ amount: '1', currency: 'USD' }).expect(200);
    await waitFor(() => receiver.accepted('/oa-gf-hook').length >= 1, 15_000, 'delivered');
    const deliveries = await t.http.get(`${base}/webhooks/${hookId}/deliveries`).set(auth).expect(200);
    await t.http.get(`${base}/webhooks/nope/deliveries`).set(auth).expect(404);
    const deliveryId = deliveries.body[0].id as string;
    await t.http.get(`${base}/webhooks/${hookId}/deliveries/${deliveryId}`).set(auth).expect(200);
    await t.http.get(`${base}/webhooks/${hookId}/deliveries/nope`).set(auth).expect(404);
    await t.http.get(`${base}/webhooks/${hookId}/deliveries/${deliveryId}/request`).set(auth).expect(200);
    await t.http.get(`${base}/webhooks/${hookId}/deliveries/nope/request`).set(auth).expect(404);
    await t.http.post(`${base}/webhooks/${hookId}/deliveries/${deliveryId}/redeliver`).set(auth).expect(200);
    await t.http.post(`${base}/webhooks/${hookId}/deliveries/nope/redeliver`).set(auth).expect(404);
    await t.http.delete(`${base}/webhooks/${hookId}`).set(auth).expect(200);
    await t.http.delete(`${base}/webhooks/${hookId}`).set(auth).expect(404);
  });

  it('non-API routes reached are on the list of undocumented routes, each with its reason', async () => {
    const checkout = await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 7 }).expect(201);
    await t.http.get(`/i/${checkout.body.id}`).expect(200);
    await t.http.get('/metrics').expect(200);
    await t.http.get('/').expect(200); // the landing page (HTML)
    expect([...undocumentedReached.keys()]).toEqual(expect.arrayContaining(['GET /i/:id', 'GET /metrics', 'GET /']));
  });

  it('every documented operation was validated answering its success and, where it documents one, an error', () => {
    const missing: string[] = [];
    for (const { path, method, op } of operations()) {
      const seen = [...(validated.get(op.operationId) ?? [])];
      if (!seen.some((s) => s < 300)) missing.push(`${method} ${path}: no success validated`);
      const documentsError = Object.keys(op.responses).some((s) => Number(s) >= 400 && Number(s) < 500);
      if (documentsError && !seen.some((s) => s >= 400)) missing.push(`${method} ${path}: no error validated`);
    }
    expect(missing).toEqual([]);
  });
});
