import { GUARDS_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { ApiKeyPermissions1732630000001 } from '../../src/database/migrations/1732630000001-api-key-permissions';
import { hashApiKey } from '../../src/stores/api-key-hash';
import { ApiKeyGuard } from '../../src/stores/api-key.guard';
import { REQUIRED_PERMISSION } from '../../src/stores/permissions';
import { startTestApp, TestApp } from '../support/test-app';

/** API keys hold BTCPay permission strings; every keyed route of both APIs checks its own. */
describe('API key permissions', () => {
  let t: TestApp;
  const auth = (key: string) => ({ Authorization: `token ${key}` });
  const WOO_SET = [
    'btcpay.store.canviewinvoices',
    'btcpay.store.cancreateinvoice',
    'btcpay.store.canviewstoresettings',
    'btcpay.store.canmodifyinvoices',
    'btcpay.store.cancreatenonapprovedpullpayments',
    'btcpay.store.webhooks.canmodifywebhooks',
  ];

  beforeAll(async () => {
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
  });

  afterAll(async () => {
    await t?.close();
  });

  async function expectMissing(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, policy: string) {
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'missing_permission', missingPermission: policy });
    expect(String(res.body.detail)).toContain(policy);
  }

  it('core API: a view-only key reads checkouts and is refused everything else, naming the permission', async () => {
    const { apiKey } = await t.createStore('View only', ['btcpay.store.canviewinvoices']);
    const owner = await t.createStore('Owner of the checkout', ['btcpay.store.canmodifystoresettings']);
    await t.http.get('/api/v1/checkouts').set(auth(apiKey)).expect(200);
    await expectMissing(await t.http.post('/api/v1/checkouts').set(auth(apiKey)).send({ amount: 10 }), 'btcpay.store.cancreateinvoice');
    await expectMissing(await t.http.post('/api/v1/checkouts/whatever/cancel').set(auth(apiKey)), 'btcpay.store.canmodifyinvoices');
    await expectMissing(await t.http.get('/api/v1/webhooks').set(auth(apiKey)), 'btcpay.store.webhooks.canmodifywebhooks');
    await expectMissing(
      await t.http.post('/api/v1/webhooks').set(auth(apiKey)).send({ url: 'http://127.0.0.1:9/x' }),
      'btcpay.store.webhooks.canmodifywebhooks',
    );
    await expectMissing(await t.http.get('/api/v1/store').set(auth(apiKey)), 'btcpay.store.canviewstoresettings');
    await expectMissing(await t.http.get('/api/v1/api-keys').set(auth(apiKey)), 'btcpay.store.canmodifystoresettings');
    await expectMissing(await t.http.post('/api/v1/api-keys').set(auth(apiKey)).send({}), 'btcpay.store.canmodifystoresettings');
    await expectMissing(await t.http.delete('/api/v1/api-keys/x').set(auth(apiKey)), 'btcpay.store.canmodifystoresettings');
    // The owner's key still does everything.
    const created = await t.http.post('/api/v1/checkouts').set(auth(owner.apiKey)).send({ amount: 10 }).expect(201);
    await t.http.post(`/api/v1/checkouts/${created.body.id}/cancel`).set(auth(owner.apiKey)).expect(200);
    await t.http.get('/api/v1/webhooks').set(auth(owner.apiKey)).expect(200);
    await t.http.get('/api/v1/api-keys').set(auth(owner.apiKey)).expect(200);
  });

  it('follows the BTCPay policy tree: canmodifyinvoices creates, views and cancels, but has no webhooks', async () => {
    const { apiKey } = await t.createStore('Invoice clerk', ['btcpay.store.canmodifyinvoices']);
    const created = await t.http.post('/api/v1/checkouts').set(auth(apiKey)).send({ amount: 10 }).expect(201);
    await t.http.get(`/api/v1/checkouts/${created.body.id}`).set(auth(apiKey)).expect(200);
    await t.http.post(`/api/v1/checkouts/${created.body.id}/cancel`).set(auth(apiKey)).expect(200);
    await expectMissing(await t.http.get('/api/v1/webhooks').set(auth(apiKey)), 'btcpay.store.webhooks.canmodifywebhooks');
  });

  it('Greenfield API: a create-only key makes invoices but cannot read them, the store or webhooks', async () => {
    const { storeId, apiKey } = await t.createStore('Create only', ['btcpay.store.cancreateinvoice']);
    const base = `/api/v1/stores/${storeId}`;
    const invoice = await t.http.post(`${base}/invoices`).set(auth(apiKey)).send({ amount: '1000', currency: 'SATS' }).expect(200);
    await expectMissing(await t.http.get(`${base}/invoices/${invoice.body.id}`).set(auth(apiKey)), 'btcpay.store.canviewinvoices');
    await expectMissing(await t.http.get(`${base}/invoices`).set(auth(apiKey)), 'btcpay.store.canviewinvoices');
    await expectMissing(await t.http.get(`${base}/invoices/${invoice.body.id}/payment-methods`).set(auth(apiKey)), 'btcpay.store.canviewinvoices');
    await expectMissing(
      await t.http.post(`${base}/invoices/${invoice.body.id}/status`).set(auth(apiKey)).send({ status: 'Invalid' }),
      'btcpay.store.canmodifyinvoices',
    );
    await expectMissing(await t.http.get('/api/v1/stores').set(auth(apiKey)), 'btcpay.store.canviewstoresettings');
    await expectMissing(await t.http.get(base).set(auth(apiKey)), 'btcpay.store.canviewstoresettings');
    await expectMissing(await t.http.get(`${base}/payment-methods`).set(auth(apiKey)), 'btcpay.store.canviewstoresettings');
    await expectMissing(await t.http.get(`${base}/webhooks`).set(auth(apiKey)), 'btcpay.store.webhooks.canmodifywebhooks');
    await expectMissing(
      await t.http.post(`${base}/webhooks`).set(auth(apiKey)).send({ url: 'http://127.0.0.1:9/x' }),
      'btcpay.store.webhooks.canmodifywebhooks',
    );
    // Any key may ask who it is and what the server is.
    await t.http.get('/api/v1/server/info').set(auth(apiKey)).expect(200);
    const current = await t.http.get('/api/v1/api-keys/current').set(auth(apiKey)).expect(200);
    expect(current.body.permissions).toEqual([`btcpay.store.cancreateinvoice:${storeId}`]);
  });

  it('a new key gets the WooCommerce plugin set by default, and api-keys/current answers exactly that', async () => {
    const { storeId, apiKey } = await t.createStore('Default key');
    const current = await t.http.get('/api/v1/api-keys/current').set(auth(apiKey)).expect(200);
    expect(current.body.permissions).toEqual(WOO_SET.map((p) => `${p}:${storeId}`));
    expect(current.body.permissions).not.toContain(`btcpay.store.canmodifystoresettings:${storeId}`);
  });

  it('the api-keys endpoint grants what it is asked (both forms), and refuses unknown or foreign permissions with 422', async () => {
    const { storeId, apiKey } = await t.createStore('Key issuer', ['btcpay.store.canmodifystoresettings']);
    const made = await t.http
      .post('/api/v1/api-keys')
      .set(auth(apiKey))
      .send({ label: 'shop', permissions: ['btcpay.store.canviewinvoices', `btcpay.store.webhooks.canmodifywebhooks:${storeId}`] })
      .expect(201);
    const expected = [`btcpay.store.canviewinvoices:${storeId}`, `btcpay.store.webhooks.canmodifywebhooks:${storeId}`];
    expect(made.body.permissions).toEqual(expected);
    expect(made.body.apiKey).toBe(made.body.key);
    expect((await t.http.get('/api/v1/api-keys/current').set(auth(made.body.key)).expect(200)).body.permissions).toEqual(expected);
    await t.http.get(`/api/v1/stores/${storeId}/webhooks`).set(auth(made.body.key)).expect(200);
    await expectMissing(
      await t.http.post(`/api/v1/stores/${storeId}/invoices`).set(auth(made.body.key)).send({ amount: '1', currency: 'SATS' }),
      'btcpay.store.cancreateinvoice',
    );

    const refused = async (permissions: unknown, code: string) => {
      const res = await t.http.post('/api/v1/api-keys').set(auth(apiKey)).send({ permissions });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe(code);
      return res.body;
    };
    const unknown = await refused(['btcpay.store.canviewinvoices', 'btcpay.store.canfly'], 'unknown_permission');
    expect(unknown.detail).toContain('btcpay.store.canfly');
    expect(unknown.invalidPermissions).toEqual([{ code: 'unknown_permission', permission: 'btcpay.store.canfly' }]);
    await refused(['btcpay.server.canmodifyserversettings'], 'unsupported_permission');
    await refused(['unrestricted'], 'unsupported_permission');
    await refused(['btcpay.store.canviewinvoices:someone-else'], 'permission_store_mismatch');
    const badShape = await t.http
      .post('/api/v1/api-keys')
      .set(auth(apiKey))
      .send({ permissions: [42] });
    expect(badShape.status).toBe(422);
    expect(badShape.body.code).toBe('validation_failed');
    // Nothing was issued by the refused requests.
    expect((await t.http.get('/api/v1/api-keys').set(auth(apiKey)).expect(200)).body).toHaveLength(2);
  });

  it('keys issued before permissions existed keep full access to their store after the migration', async () => {
    const migration = new ApiKeyPermissions1732630000001();
    const key = 'lck_legacy-key-made-before-permissions-000000000';
    // Through the unit of work: on SQLite it is the only way in for a write.
    await t.app.get(UnitOfWork).run(async (m) => {
      const runner = m.queryRunner!;
      await migration.down(runner);
      await runner.query(`INSERT INTO "stores" ("id", "name") VALUES ('legacystore', 'Legacy')`);
      await runner.query(
        `INSERT INTO "api_keys" ("id", "storeId", "keyHash", "prefix", "label") VALUES ('legacykey', 'legacystore', '${hashApiKey(key)}', 'lck_legacy', 'old')`,
      );
      await migration.up(runner);
    });
    const current = await t.http.get('/api/v1/api-keys/current').set(auth(key)).expect(200);
    expect(current.body.permissions).toEqual(['btcpay.store.canmodifystoresettings:legacystore']);
    await t.http.get('/api/v1/api-keys').set(auth(key)).expect(200);
    await t.http.post('/api/v1/webhooks').set(auth(key)).send({ url: 'http://127.0.0.1:9/legacy' }).expect(201);
    await t.http.post('/api/v1/stores/legacystore/invoices').set(auth(key)).send({ amount: '5', currency: 'SATS' }).expect(200);
  });

  it('every route behind the API key guard declares the permission it needs', () => {
    const undeclared: string[] = [];
    let keyed = 0;
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
        if (!controller) continue;
        const classGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, controller) ?? [];
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = (controller.prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
          const guards = [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? [])];
          if (!guards.includes(ApiKeyGuard)) continue;
          keyed++;
          const declared = Reflect.getMetadata(REQUIRED_PERMISSION, handler) ?? Reflect.getMetadata(REQUIRED_PERMISSION, controller);
          if (!declared) undeclared.push(`${controller.name}.${name}`);
        }
      }
    }
    expect(keyed).toBeGreaterThan(30);
    expect(undeclared).toEqual([]);
  });
});
