import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createTestDatabase, TestDatabase } from '../support/test-db';
import { compileServer, CompiledServer, runCli, ServerProcess, spawnServer } from '../support/server-process';

/**
 * Runs the real server process at debug level with an LND pool member configured (unreachable,
 * so its connection errors get logged too), drives a full flow and its error paths with the
 * secrets in play, then searches everything the process wrote for those secrets.
 */
jest.setTimeout(240_000);

describe('logs never contain secrets', () => {
  let dir: string;
  let compiled: CompiledServer;
  let server: ServerProcess;
  let poolServer: ServerProcess;
  let db: TestDatabase | undefined;
  let receiver: Server;
  let receiverUrl: string;
  const received: { headers: Record<string, unknown>; body: string }[] = [];
  let logs = '';
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lc-logsecrets-'));
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'tls.key'),
        '-out',
        join(dir, 'tls.cert'),
      ],
      { stdio: 'ignore' },
    );
    const macaroon = randomBytes(120);
    secrets.macaroonBase64 = macaroon.toString('base64');
    secrets.macaroonHex = macaroon.toString('hex');
    db = await createTestDatabase();
    const base = { database: db.config, log: { level: 'debug' }, webhooks: { allowPrivateTargets: true } };
    // Run 1: the dev backend, where the hosted page can simulate a payment.
    writeFileSync(join(dir, 'dev.yaml'), stringify(base));
    // Run 2: a pool with an LND member (nothing listens on port 1: its connection errors get logged).
    writeFileSync(
      join(dir, 'pool.yaml'),
      stringify({
        ...base,
        lightning: {
          healthIntervalSeconds: 0.5,
          backend: {
            type: 'pool',
            name: 'pool',
            members: [
              { type: 'dev', name: 'dev' },
              {
                type: 'lnd',
                name: 'lnd-down',
                socket: '127.0.0.1:1',
                cert: readFileSync(join(dir, 'tls.cert')).toString('base64'),
                macaroon: secrets.macaroonBase64,
                timeoutMs: 500,
              },
            ],
          },
        },
      }),
    );
    const env = (file: string) => ({ CONFIG_FILE: join(dir, file), LOG_LEVEL: 'debug' });
    compiled = await compileServer();
    secrets.apiKey = JSON.parse(await runCli(compiled, ['create-store', '--name', 'Secret shop', '--json'], env('dev.yaml'))).apiKey;
    server = spawnServer({ name: 'log-secrets-dev', script: compiled.entry('src/main.ts'), env: env('dev.yaml') });
    const url = await server.ready;

    const api = (path: string, init: RequestInit = {}, key = secrets.apiKey) =>
      fetch(`${url}${path}`, { ...init, headers: { Authorization: `token ${key}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) } });

    // Webhook endpoints: one with a secret we choose, one generated, then rotated.
    secrets.webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const hook = await api('/api/v1/webhooks', { method: 'POST', body: JSON.stringify({ url: receiverUrl, secret: secrets.webhookSecret }) });
    expect(hook.status).toBe(201);
    const generated = await api('/api/v1/webhooks', { method: 'POST', body: JSON.stringify({ url: receiverUrl, events: ['InvoiceExpired'] }) });
    expect(generated.status).toBe(201);
    const generatedBody = (await generated.json()) as { id: string; secret: string };
    secrets.generatedWebhookSecret = generatedBody.secret;
    const rotated = await api(`/api/v1/webhooks/${generatedBody.id}/rotate-secret`, { method: 'POST', body: '{}' });
    expect(rotated.status).toBe(200);
    secrets.rotatedWebhookSecret = ((await rotated.json()) as { secret: string }).secret;

    // The happy path: create (idempotent), read, list, pay on the hosted page's dev simulator.
    const created = await api('/api/v1/checkouts', {
      method: 'POST',
      body: JSON.stringify({ amount: 2100, orderId: 'log-1' }),
      headers: { 'Idempotency-Key': 'log-1' },
    });
    expect(created.status).toBe(201);
    const checkout = (await created.json()) as { id: string };
    expect((await api(`/api/v1/checkouts/${checkout.id}`)).status).toBe(200);
    expect((await api('/api/v1/checkouts?orderId=log-1')).status).toBe(200);
    expect((await fetch(`${url}/i/${checkout.id}/simulate-payment`, { method: 'POST', headers: { Accept: 'application/json' } })).status).toBe(202);
    const deadline = Date.now() + 60_000;
    while (!received.some((r) => r.body.includes('InvoiceSettled')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(received.some((r) => r.body.includes('InvoiceSettled'))).toBe(true);

    // Error paths that carry the secrets in places a careless log line would print.
    expect((await api('/api/v1/checkouts', { method: 'POST', body: JSON.stringify({ amount: 1 }) }, `${secrets.apiKey}x`)).status).toBe(401);
    // Other ways a client may send the key (whether accepted is the guard's business, not this test's).
    await fetch(`${url}/api/v1/checkouts`, { headers: { Authorization: `Bearer ${secrets.apiKey}` } });
    await fetch(`${url}/api/v1/checkouts`, { headers: { Authorization: secrets.apiKey, 'X-Api-Key': secrets.apiKey } });
    // A key pasted into the query string (an unknown parameter) is refused; URLs are logged without queries.
    expect((await api(`/api/v1/checkouts?token=${secrets.apiKey}`)).status).toBe(422);
    expect((await api('/api/v1/checkouts', { method: 'POST', body: `{"amount": "${secrets.apiKey}` })).status).toBe(400);
    expect((await api('/api/v1/checkouts', { method: 'POST', body: JSON.stringify({ amount: secrets.apiKey }) })).status).toBe(422);
    expect((await api('/api/v1/webhooks', { method: 'POST', body: JSON.stringify({ url: 'not a url', secret: secrets.webhookSecret }) })).status).toBe(422);
    expect((await api('/api/v1/webhooks', { method: 'POST', body: JSON.stringify({ url: receiverUrl, secret: 'short' }) })).status).toBe(422);
    await server.stop();

    // One process at a time on the database (SQLite allows a single writer).
    poolServer = spawnServer({ name: 'log-secrets-pool', script: compiled.entry('src/main.ts'), env: env('pool.yaml') });
    // The pool run: the down LND member is skipped, the dev member issues; health shows both.
    const poolUrl = await poolServer.ready;
    const pooled = await fetch(`${poolUrl}/api/v1/checkouts`, {
      method: 'POST',
      headers: { Authorization: `token ${secrets.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 500 }),
    });
    expect(pooled.status).toBe(201);
    expect(((await pooled.json()) as { nodeName: string }).nodeName).toBe('dev');
    const nodes = (await (await fetch(`${poolUrl}/health/nodes`)).json()) as { nodes: { name: string; reachable: boolean }[] };
    expect(nodes.nodes.find((n) => n.name === 'lnd-down')).toMatchObject({ reachable: false });
    expect((await fetch(`${poolUrl}/metrics`)).status).toBe(200);
    expect((await fetch(`${poolUrl}/health/ready`)).status).toBe(200);
    // Give the unreachable member time to fail a few more health probes (logged).
    await new Promise((r) => setTimeout(r, 1500));
    await poolServer.stop();
    logs = server.output() + poolServer.output();
  });

  afterAll(async () => {
    await server?.stop();
    await poolServer?.stop();
    await new Promise((r) => receiver?.close(r));
    compiled?.remove();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('captured real, debug-level, structured logs of the flow', () => {
    const lines = logs.split('\n').filter((l) => l.startsWith('{'));
    const entries = lines.map((l) => JSON.parse(l) as { level: number; req?: { id?: string }; msg?: string });
    expect(entries.length).toBeGreaterThan(20);
    expect(entries.some((e) => e.level === 20 && e.msg === 'readiness probe')).toBe(true); // debug level is on
    expect(entries.some((e) => e.req?.id && e.msg === 'request completed')).toBe(true);
    // The down node's errors were logged: refused, or (on a loaded machine) timed out first.
    expect(logs).toMatch(/"context":"LndBackend:lnd-down".*(ECONNREFUSED|timed out|timeout|DEADLINE)/i);
    expect(entries.some((e) => e.msg === 'settlement seen')).toBe(true);
  });

  it.each([
    ['API key', () => secrets.apiKey],
    ['API key (the part after its display prefix)', () => secrets.apiKey.slice(10, 30)],
    ['chosen webhook secret', () => secrets.webhookSecret.slice('whsec_'.length, 'whsec_'.length + 24)],
    ['generated webhook secret', () => secrets.generatedWebhookSecret.slice(-24)],
    ['rotated webhook secret', () => secrets.rotatedWebhookSecret.slice(-24)],
    ['macaroon (base64, as configured)', () => secrets.macaroonBase64.slice(20, 60)],
    ['macaroon (hex, as sent to LND)', () => secrets.macaroonHex.slice(20, 80)],
  ])('no %s', (_what, needle) => {
    const value = needle();
    expect(value.length).toBeGreaterThanOrEqual(16);
    const at = logs.indexOf(value);
    if (at >= 0) throw new Error(`secret found in the logs: …${logs.slice(Math.max(0, at - 300), at + 100)}…`);
  });
});
