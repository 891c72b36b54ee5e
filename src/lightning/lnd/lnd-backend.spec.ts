import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { LndBackend } from './lnd-backend';
import { LndClient } from './lnd-client';
import { ALL_PERMISSIONS, NodeProbe, Permission } from './permissions';

/** A node whose macaroon holds `granted`; `refuse` makes AddInvoice answer "permission denied" anyway. */
class FakeNode {
  granted: Permission[] = [...ALL_PERMISSIONS];
  refuse = false;
  created = 0;

  asClient(): LndClient {
    const probe = async (): Promise<NodeProbe> => ({
      permissions: { verifiedBy: 'CheckMacaroonPermissions', granted: [...this.granted], missing: ALL_PERMISSIONS.filter((p) => !this.granted.includes(p)) },
      info: this.granted.includes('info:read') ? { pubkey: 'pk', syncedToChain: true, activeChannels: 1 } : undefined,
      channels: this.granted.includes('offchain:read') ? { activeChannels: 1, inboundSats: 9000 } : undefined,
    });
    return {
      name: 'n',
      probe,
      confirmInvoiceAccess: async () => undefined,
      subscribeInvoices: () => new EventEmitter(),
      createInvoice: async () => {
        if (this.refuse || !this.granted.includes('invoices:write')) throw new Error('n addInvoice: permission denied (2)');
        this.created++;
        return { bolt11: 'lnbcrt1', paymentHash: `h${this.created}`, expiresAt: new Date() };
      },
      info: async () => ({ pubkey: 'pk', syncedToChain: true, activeChannels: 1 }),
      close: () => undefined,
    } as unknown as LndClient;
  }
}

const request = { amountSats: 1, description: 'x', expirySeconds: 60 };

describe('LndBackend permissions', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));
  let backend: LndBackend | undefined;
  afterEach(() => backend?.stop());

  const start = async (node: FakeNode) => {
    backend = new LndBackend('n', { socket: '', cert: '', macaroon: '', timeoutMs: 1000, healthIntervalMs: 60_000 }, node.asClient());
    await backend.start();
    return backend;
  };

  it('a readonly macaroon never makes the node issue, however many probes succeed', async () => {
    const node = new FakeNode();
    node.granted = ['invoices:read', 'info:read', 'offchain:read'];
    const b = await start(node);
    for (let i = 0; i < 3; i++) {
      await b.probe();
      expect(b.health()[0]).toMatchObject({
        reachable: true,
        canIssue: false,
        lastError: 'macaroon lacks invoices:write',
        permissions: expect.objectContaining({ missing: ['invoices:write'] }),
      });
    }
  });

  it('a create refused for permissions keeps the node out until a probe sees different permissions', async () => {
    const node = new FakeNode();
    const b = await start(node);
    expect(b.health()[0].canIssue).toBe(true);
    node.refuse = true; // e.g. the operator replaced the macaroon's root key by one without invoices:write
    await expect(b.createInvoice(request)).rejects.toThrow(/permission denied/);
    node.refuse = false;
    await b.probe(); // the same permissions verified again: still out (no flapping back)
    expect(b.health()[0]).toMatchObject({ canIssue: false, lastError: expect.stringMatching(/permission denied.*until the macaroon's permissions change/) });
    node.granted = ['invoices:write', 'invoices:read', 'info:read'];
    await b.probe();
    expect(b.health()[0].canIssue).toBe(true);
    // The page must not say "kept out" about a node that is back in.
    expect(b.health()[0].lastError ?? '').not.toMatch(/kept out/);
    await b.createInvoice(request);
    expect(node.created).toBe(1);
  });

  it('a node fault that merely says "permission denied" (its database lost a grant) does not keep it out once fixed', async () => {
    const node = new FakeNode();
    const b = await start(node);
    const client = (b as unknown as { client: { createInvoice: (...a: unknown[]) => Promise<unknown> } }).client;
    const create = client.createInvoice;
    // A gRPC ServiceError as LND sends it with the PostgreSQL backend: the macaroon was accepted.
    client.createInvoice = () =>
      Promise.reject(
        Object.assign(new Error('n addInvoice: 2 UNKNOWN: ERROR: permission denied for table invoices (SQLSTATE 42501)'), {
          code: 2,
          details: 'ERROR: permission denied for table invoices (SQLSTATE 42501)',
        }),
      );
    await expect(b.createInvoice(request)).rejects.toThrow(/permission denied for table/);
    expect(b.health()[0].canIssue).toBe(false);
    client.createInvoice = create; // the DBA restores the grant; the macaroon never changed
    await b.probe();
    expect(b.health()[0].canIssue).toBe(true);
    await b.createInvoice(request);
    expect(node.created).toBe(1);
  });

  it('issues with the invoice.macaroon permissions, liquidity unknown, pubkey from the invoice', async () => {
    const node = new FakeNode();
    node.granted = ['invoices:write', 'invoices:read'];
    const b = await start(node);
    expect(b.health()[0]).toMatchObject({ canIssue: true, liquidityKnown: false, infoKnown: false, pubkey: undefined });
    expect(b.health()[0].warnings).toHaveLength(2);
  });

  it('logs a missing permission by name, once per change', async () => {
    const lines: string[] = [];
    const capture =
      (level: string) =>
      (message: unknown, ...rest: unknown[]) =>
        lines.push(`${level} ${JSON.stringify([message, ...rest])}`);
    Logger.overrideLogger({ log: capture('log'), error: capture('error'), warn: capture('warn'), debug: () => undefined, verbose: () => undefined });
    try {
      const node = new FakeNode();
      node.granted = ['invoices:read', 'info:read', 'offchain:read'];
      const b = await start(node);
      await b.probe();
      await b.probe();
      const errors = lines.filter((l) => l.startsWith('error') && l.includes('invoices:write'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/macaroon lacks invoices:write: this node cannot issue invoices/);
    } finally {
      Logger.overrideLogger(false);
    }
  });
});
