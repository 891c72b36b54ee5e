import { startTestApp, TestApp } from '../support/test-app';

interface RouteInfo {
  method: string;
  path: string;
}

/** Every route the running app answers, read from Express's router (not from Nest's decorators). */
function routesOf(t: TestApp): RouteInfo[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  const routes: RouteInfo[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    // Middleware mounted for every path shows up as `{/*splat}` routes; they are not endpoints.
    if (/[{*]/.test(layer.route.path)) continue;
    for (const method of Object.keys(layer.route.methods))
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) routes.push({ method, path: layer.route.path });
  }
  return routes;
}

/** Routes anyone may call without a key, with the reason. */
const PUBLIC = [
  /^\/health(\/|$)/, // readiness and liveness probes
  /^\/metrics$/, // scraped; protected by the deployment
  /^\/i\//, // the hosted page: its unguessable id is the capability
  /^\/modal\/btcpay\.js$/,
  /^\/api\/v1\/health$/, // BTCPay answers it anonymously
  /^\/invoices\/:invoiceId$/, // redirect to the hosted page
  /^\/plugins\/[a-z]+\/(webhook|pay)\//, // platform webhooks (signed) and pay links
  /^\/docs/, // API documentation
  /^\/$/, // the landing page: the server's name and a link to the docs
];

/** A key works on its own store only; the permissions decide what it may do there. */
describe('review: permissions on every route of the running router', () => {
  let t: TestApp;
  let a: { storeId: string; apiKey: string };
  let b: { storeId: string; apiKey: string };
  let none: { storeId: string; apiKey: string };
  const auth = (key: string) => ({ Authorization: `token ${key}` });

  beforeAll(async () => {
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
    a = await t.createStore('A', ['btcpay.store.canmodifystoresettings']);
    b = await t.createStore('B', ['btcpay.store.canmodifystoresettings']);
    none = await t.createStore('Nothing', []);
  });

  afterAll(async () => {
    await t?.close();
  });

  const fill = (path: string, storeId: string) => path.replace(':storeId', storeId).replace(/:[A-Za-z]+/g, 'someid');
  const call = (method: string, path: string) => (t.http as unknown as Record<string, (p: string) => import('supertest').Test>)[method](path);

  it('finds the API routes at runtime', () => {
    const api = routesOf(t).filter((r) => r.path.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(30);
  });

  it('no route outside the public list answers without a key', async () => {
    const open: string[] = [];
    for (const r of routesOf(t)) {
      if (PUBLIC.some((p) => p.test(r.path))) continue;
      const res = await call(r.method, fill(r.path, a.storeId)).send({});
      if (res.status !== 401) open.push(`${r.method.toUpperCase()} ${r.path} -> ${res.status}`);
    }
    expect(open).toEqual([]);
  });

  it('a key holding no permission is refused every keyed route but who-am-I and server info', async () => {
    const open: string[] = [];
    for (const r of routesOf(t)) {
      if (PUBLIC.some((p) => p.test(r.path))) continue;
      if (r.method === 'get' && ['/api/v1/api-keys/current', '/api/v1/server/info'].includes(r.path)) continue;
      const res = await call(r.method, fill(r.path, none.storeId)).set(auth(none.apiKey)).send({});
      if (res.status !== 403 || res.body.code !== 'missing_permission') open.push(`${r.method.toUpperCase()} ${r.path} -> ${res.status} ${res.body.code}`);
    }
    expect(open).toEqual([]);
    const current = await t.http.get('/api/v1/api-keys/current').set(auth(none.apiKey)).expect(200);
    expect(current.body.permissions).toEqual([]);
  });

  it('the owner key of store A reaches no :storeId route of store B', async () => {
    const open: string[] = [];
    for (const r of routesOf(t)) {
      if (!r.path.includes(':storeId') || PUBLIC.some((p) => p.test(r.path))) continue;
      const res = await call(r.method, fill(r.path, b.storeId)).set(auth(a.apiKey)).send({});
      if (res.status !== 403) open.push(`${r.method.toUpperCase()} ${r.path} -> ${res.status}`);
    }
    expect(open).toEqual([]);
  });

  it("store A's key on its own URL with store B's invoice, webhook and key ids finds nothing and changes nothing", async () => {
    const invoice = await t.http
      .post(`/api/v1/stores/${b.storeId}/invoices`)
      .set(auth(b.apiKey))
      .send({ amount: '100', currency: 'SATS', metadata: { orderId: 'b-1' } })
      .expect(200);
    const hook = await t.http.post(`/api/v1/stores/${b.storeId}/webhooks`).set(auth(b.apiKey)).send({ url: 'http://127.0.0.1:9/b' }).expect(200);
    const keys = await t.http.get('/api/v1/api-keys').set(auth(b.apiKey)).expect(200);
    const mine = `/api/v1/stores/${a.storeId}`;
    const attempts = [
      call('get', `${mine}/invoices/${invoice.body.id}`),
      call('put', `${mine}/invoices/${invoice.body.id}`).send({ metadata: { orderId: 'stolen' } }),
      call('delete', `${mine}/invoices/${invoice.body.id}`),
      call('post', `${mine}/invoices/${invoice.body.id}/unarchive`),
      call('get', `${mine}/invoices/${invoice.body.id}/payment-methods`),
      call('post', `${mine}/invoices/${invoice.body.id}/status`).send({ status: 'Invalid' }),
      call('get', `${mine}/webhooks/${hook.body.id}`),
      call('put', `${mine}/webhooks/${hook.body.id}`).send({ url: 'http://127.0.0.1:9/stolen', secret: 'stolen-secret' }),
      call('delete', `${mine}/webhooks/${hook.body.id}`),
      call('get', `${mine}/webhooks/${hook.body.id}/deliveries`),
      call('get', `/api/v1/checkouts/${invoice.body.id}`),
      call('post', `/api/v1/checkouts/${invoice.body.id}/cancel`),
      call('get', `/api/v1/webhooks/${hook.body.id}`),
      call('patch', `/api/v1/webhooks/${hook.body.id}`).send({ url: 'http://127.0.0.1:9/stolen' }),
      call('delete', `/api/v1/webhooks/${hook.body.id}`),
      call('delete', `/api/v1/api-keys/${keys.body[0].id}`),
    ];
    for (const attempt of attempts) {
      const res = await attempt.set(auth(a.apiKey));
      expect([res.status, res.body.code]).toEqual([404, expect.any(String)]);
    }
    const after = await t.http.get(`/api/v1/stores/${b.storeId}/invoices/${invoice.body.id}`).set(auth(b.apiKey)).expect(200);
    expect(after.body).toMatchObject({ status: 'New', archived: false, metadata: { orderId: 'b-1' } });
    const hookAfter = await t.http.get(`/api/v1/stores/${b.storeId}/webhooks/${hook.body.id}`).set(auth(b.apiKey)).expect(200);
    expect(hookAfter.body.url).toBe('http://127.0.0.1:9/b');
    await t.http.get('/api/v1/store').set(auth(b.apiKey)).expect(200);
    // Store A's list does not show store B's invoice, whatever it searches.
    const listed = await t.http.get(`${mine}/invoices`).query({ textSearch: invoice.body.id }).set(auth(a.apiKey)).expect(200);
    expect(listed.body).toEqual([]);
  });

  it('a revoked key is refused at once, even right after it was used (cached)', async () => {
    const made = await t.http
      .post('/api/v1/api-keys')
      .set(auth(a.apiKey))
      .send({ permissions: ['btcpay.store.canviewinvoices'] })
      .expect(201);
    await t.http.get('/api/v1/checkouts').set(auth(made.body.key)).expect(200);
    await t.http.delete(`/api/v1/api-keys/${made.body.id}`).set(auth(a.apiKey)).expect(204);
    const res = await t.http.get('/api/v1/checkouts').set(auth(made.body.key));
    expect([res.status, res.body.code]).toEqual([401, 'invalid_api_key']);
  });

  it('odd permission strings: case and whitespace normalised, duplicates once, unicode and foreign suffixes refused, long lists refused', async () => {
    const grant = (permissions: unknown) => t.http.post('/api/v1/api-keys').set(auth(a.apiKey)).send({ permissions });
    const ok = await grant([' BTCPAY.Store.CanViewInvoices ', 'btcpay.store.canviewinvoices', `btcpay.store.canviewinvoices:${a.storeId}`]).expect(201);
    expect(ok.body.permissions).toEqual([`btcpay.store.canviewinvoices:${a.storeId}`]);
    for (const bad of [
      ['btcpay.store.canviewınvoices'], // dotless i
      ['btcpay.store.canviewinvoices\u200b'], // zero-width space
      [`btcpay.store.canviewinvoices:${a.storeId.toUpperCase()}`],
      [`btcpay.store.canviewinvoices:${b.storeId}`],
      [`btcpay.store.canviewinvoices:${a.storeId}:${b.storeId}`],
      ['btcpay.store.canviewinvoices :' + a.storeId],
      [''],
      ['unrestricted'],
      'btcpay.store.canmodifystoresettings',
      Array.from({ length: 51 }, () => 'btcpay.store.canviewinvoices'),
      ['x'.repeat(100_000)],
    ]) {
      const res = await grant(bad);
      expect([bad, res.status]).toEqual([bad, expect.any(Number)]);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('a key without canmodifystoresettings cannot issue any key, not even a weaker one', async () => {
    const strong = await t.createStore('Woo default');
    for (const permissions of [['btcpay.store.canmodifystoresettings'], ['btcpay.store.canviewinvoices'], [], undefined]) {
      const res = await t.http.post('/api/v1/api-keys').set(auth(strong.apiKey)).send({ permissions });
      expect([res.status, res.body.code]).toEqual([403, 'missing_permission']);
    }
  });
});

/** Hostile input on the Greenfield routes: always a 4xx problem with a code, never a 5xx. */
describe('review: hostile input on the Greenfield routes', () => {
  let t: TestApp;
  let store: { storeId: string; apiKey: string };
  let auth: { Authorization: string };
  let base: string;

  beforeAll(async () => {
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] } } });
    store = await t.createStore('Hostile', ['btcpay.store.canmodifystoresettings']);
    auth = { Authorization: `token ${store.apiKey}` };
    base = `/api/v1/stores/${store.storeId}`;
  });

  afterAll(async () => {
    await t?.close();
  });

  function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, what: string) {
    expect([what, res.status < 500 && res.status >= 400]).toEqual([what, true]);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(typeof res.body.code).toBe('string');
  }

  const deep = (depth: number) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as Record<string, unknown>;
  const deepText = (depth: number) => '{"metadata":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth + 1);

  it('deeply nested or huge metadata on create and update is a 4xx', async () => {
    const invoice = await t.http.post(`${base}/invoices`).set(auth).send({ amount: '10', currency: 'SATS' }).expect(200);
    for (const depth of [2000, 15000]) {
      const raw = deepText(depth);
      expectProblem(await t.http.post(`${base}/invoices`).set(auth).set('Content-Type', 'application/json').send(raw), `create depth ${depth}`);
      expectProblem(
        await t.http.put(`${base}/invoices/${invoice.body.id}`).set(auth).set('Content-Type', 'application/json').send(raw),
        `update depth ${depth}`,
      );
      const core = '{"amount":10,"metadata":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth + 1);
      expectProblem(await t.http.post('/api/v1/checkouts').set(auth).set('Content-Type', 'application/json').send(core), `core create depth ${depth}`);
    }
    const big = { metadata: { blob: 'x'.repeat(90_000) } };
    expectProblem(await t.http.post(`${base}/invoices`).set(auth).send(big), 'create big');
    expectProblem(await t.http.put(`${base}/invoices/${invoice.body.id}`).set(auth).send(big), 'update big');
    for (const body of [[], 'text', { metadata: [] }, { metadata: 'x' }, { metadata: 5 }]) {
      const res = await t.http.put(`${base}/invoices/${invoice.body.id}`).set(auth).set('Content-Type', 'application/json').send(JSON.stringify(body));
      expectProblem(res, `update ${JSON.stringify(body)}`);
    }
    // A moderate depth is fine and round-trips.
    await t.http
      .put(`${base}/invoices/${invoice.body.id}`)
      .set(auth)
      .send({ metadata: deep(20) })
      .expect(200);
  });

  it('odd amounts, currencies, ids and query values are a 4xx', async () => {
    for (const body of [
      { amount: '99999999999999999', currency: 'SATS' },
      { amount: '9999999999999999.99999999', currency: 'BTC' },
      { amount: 1e300, currency: 'SATS' },
      { amount: '0.000000001', currency: 'BTC' },
      { amount: '0', currency: 'SATS' },
      { amount: '-1', currency: 'SATS' },
      { amount: '0.5', currency: 'SATS' },
      { amount: '10', currency: 'XXX' },
      { amount: '10', currency: 'SATS', checkout: { expirationMinutes: 1e12 } },
      { amount: '10', currency: 'SATS', checkout: { redirectURL: 'javascript:alert(1)' } },
      { amount: '10', currency: 'SATS', checkout: 'x' },
      { amount: { $gt: 1 } },
    ]) {
      expectProblem(await t.http.post(`${base}/invoices`).set(auth).send(body), JSON.stringify(body));
    }
    const long = 'x'.repeat(5000);
    for (const path of [`${base}/invoices/${long}`, `${base}/invoices/%E2%80%AE%00`, `${base}/webhooks/${long}`]) {
      expectProblem(await t.http.get(path).set(auth), path.slice(0, 80));
    }
    for (const query of [
      { take: 'abc' },
      { skip: '-1' },
      { startDate: '1e30' },
      { endDate: '1e300' },
      { startDate: '99999999999999' },
      { status: 'Bogus' },
      { textSearch: 'x'.repeat(300) },
      { take: '100000' },
    ]) {
      expectProblem(await t.http.get(`${base}/invoices`).query(query).set(auth), JSON.stringify(query));
    }
    // Lightning has no Processing phase: asking only for it finds nothing (an empty IN list must not reach SQL).
    for (const status of [['Processing'], ['Processing', 'Processing']]) {
      expect((await t.http.get(`${base}/invoices`).query({ status }).set(auth).expect(200)).body).toEqual([]);
    }
    const settled = await t.http.post(`${base}/invoices/nope/status`).set(auth).send({ status: 'Invalid' });
    expectProblem(settled, 'mark unknown');
  });

  it('NUL characters (which PostgreSQL text cannot hold) in ids, queries and bodies are a 4xx', async () => {
    const invoice = await t.http.post(`${base}/invoices`).set(auth).send({ amount: '10', currency: 'SATS' }).expect(200);
    const nul = '\u0000';
    const attempts: [string, () => import('supertest').Test][] = [
      ['invoice id', () => t.http.get(`${base}/invoices/a%00b`)],
      ['core checkout id', () => t.http.get('/api/v1/checkouts/a%00b')],
      ['webhook id', () => t.http.get(`${base}/webhooks/a%00b`)],
      ['api key id', () => t.http.delete('/api/v1/api-keys/a%00b')],
      ['textSearch', () => t.http.get(`${base}/invoices`).query({ textSearch: `a${nul}b` })],
      ['orderId filter', () => t.http.get(`${base}/invoices`).query({ orderId: `a${nul}b` })],
      ['create orderId', () => t.http.post(`${base}/invoices`).send({ amount: '10', currency: 'SATS', metadata: { orderId: `a${nul}b` } })],
      ['create metadata value', () => t.http.post(`${base}/invoices`).send({ amount: '10', currency: 'SATS', metadata: { note: `a${nul}b` } })],
      ['create metadata key', () => t.http.post(`${base}/invoices`).send({ amount: '10', currency: 'SATS', metadata: { [`a${nul}b`]: 1 } })],
      ['update metadata', () => t.http.put(`${base}/invoices/${invoice.body.id}`).send({ metadata: { orderId: `a${nul}b` } })],
      ['core description', () => t.http.post('/api/v1/checkouts').send({ amount: 10, description: `a${nul}b` })],
      ['key label', () => t.http.post('/api/v1/api-keys').send({ label: `a${nul}b`, permissions: [] })],
    ];
    for (const [what, attempt] of attempts) expectProblem(await attempt().set(auth), what);
    const page = await t.http.get('/i/a%00b');
    expect([page.status >= 400 && page.status < 500, page.status]).toEqual([true, page.status]);
  });

  it('textSearch takes SQL LIKE wildcards and quotes literally', async () => {
    const make = (orderId: string) => t.http.post(`${base}/invoices`).set(auth).send({ amount: '10', currency: 'SATS', metadata: { orderId } }).expect(200);
    const ids: Record<string, string> = {};
    for (const orderId of ['wild%card', 'wildXcard', 'under_score', 'underXscore', "quo'te", 'back\\slash', 'backXslash'])
      ids[orderId] = (await make(orderId)).body.id;
    const search = async (text: string) =>
      ((await t.http.get(`${base}/invoices`).query({ textSearch: text }).set(auth).expect(200)).body as { id: string }[]).map((i) => i.id).sort();
    expect(await search('d%c')).toEqual([ids['wild%card']]);
    expect(await search('r_s')).toEqual([ids['under_score']]);
    expect(await search("o'te")).toEqual([ids["quo'te"]]);
    expect(await search("' OR '1'='1")).toEqual([]);
    expect(await search('k\\s')).toEqual([ids['back\\slash']]);
    expect(await search('%')).toEqual([ids['wild%card']]);
    expect(await search('_')).toEqual([ids['under_score']]);
  });

  it('webhook create and update refuse hostile values with a 4xx', async () => {
    const hook = await t.http.post(`${base}/webhooks`).set(auth).send({ url: 'http://127.0.0.1:9/h' }).expect(200);
    for (const body of [
      { url: 'javascript:alert(1)' },
      { url: 'file:///etc/passwd' },
      { url: 'http://127.0.0.1:9/h', secret: 'x'.repeat(1000) },
      { url: 'http://127.0.0.1:9/h', authorizedEvents: { everything: false, specificEvents: ['Nope'] } },
      { url: 'http://127.0.0.1:9/h', authorizedEvents: 'all' },
      { url: 'http://127.0.0.1:9/h', authorizedEvents: { specificEvents: 'InvoiceSettled' } },
    ]) {
      expectProblem(await t.http.post(`${base}/webhooks`).set(auth).send(body), `create ${JSON.stringify(body).slice(0, 80)}`);
    }
    for (const body of [{ secret: '' }, { secret: 5 }, { url: 'javascript:x' }, { authorizedEvents: { specificEvents: [], everything: false } }, []]) {
      const res = await t.http.put(`${base}/webhooks/${hook.body.id}`).set(auth).send(body);
      expectProblem(res, `update ${JSON.stringify(body)}`);
    }
  });
});

/** What a Greenfield client puts in an invoice reaches the hosted page only as text. */
describe('review: Greenfield invoice fields on the hosted page', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ config: { plugins: { enabled: ['greenfield'] }, checkout: { allowedFrameOrigins: ['https://shop.example'] } } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('orderId, itemDesc and redirectURL cannot inject markup or script; only the nonce script runs; only the shop may frame it', async () => {
    const { storeId, apiKey } = await t.createStore('<img src=x onerror=alert(1)>');
    const payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    for (const body of [
      {
        amount: '10',
        currency: 'SATS',
        metadata: { orderId: payload, itemDesc: `</script>${payload}` },
        checkout: { redirectURL: "https://shop.example/done?x=1&y=';alert(3);'" },
      },
      { currency: 'SATS', metadata: { orderId: payload, buyerEmail: payload } },
    ]) {
      const invoice = await t.http
        .post(`/api/v1/stores/${storeId}/invoices`)
        .set({ Authorization: `token ${apiKey}` })
        .send(body)
        .expect(200);
      const res = await t.http.get(`/invoices/${invoice.body.id}`).redirects(1).expect(200);
      const page = res.text;
      expect(page).not.toMatch(/<script>alert|<img src=x/i);
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      const nonce = /script-src 'nonce-([^']+)'/.exec(res.headers['content-security-policy'])![1];
      for (const tag of page.match(/<script\b[^>]*>/gi) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
      expect(res.headers['content-security-policy']).toContain('frame-ancestors https://shop.example');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    }
  });
});
