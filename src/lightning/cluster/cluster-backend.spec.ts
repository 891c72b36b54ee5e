import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { NoBackendAvailableError } from '../lightning-backend';
import { LndClient, WalletState } from '../lnd/lnd-client';
import { ALL_PERMISSIONS, NodeProbe, Permission } from '../lnd/permissions';
import { ClusterBackend } from './cluster-backend';
import { EtcdElection } from './etcd-election';

/** A cluster member process: `up` + `active` decide what the State RPC and the authenticated calls answer. */
class FakeProcess {
  up = true;
  active = false;
  invoices = 0;
  activeChannels = 1;
  /** What its macaroon holds, as CheckMacaroonPermissions would say. */
  granted: Permission[] = [...ALL_PERMISSIONS];
  /** LND answers AddInvoice with "permission denied" although the check says invoices:write. */
  refuseCreates = false;
  subscriptions: EventEmitter[] = [];
  constructor(readonly name: string) {}

  asClient(): LndClient {
    const fail = () => Promise.reject(new Error(`${this.name} unreachable`));
    const probe = (): Promise<NodeProbe> => {
      if (!this.up || !this.active) return fail();
      const has = (p: Permission) => this.granted.includes(p);
      return Promise.resolve({
        permissions: { verifiedBy: 'CheckMacaroonPermissions', granted: [...this.granted], missing: ALL_PERMISSIONS.filter((p) => !has(p)) },
        info: has('info:read') ? { pubkey: 'shared-pubkey', syncedToChain: true, activeChannels: this.activeChannels } : undefined,
        channels: has('offchain:read') ? { activeChannels: this.activeChannels, inboundSats: 1_000_000 } : undefined,
      });
    };
    return {
      name: this.name,
      probe,
      walletState: (): Promise<WalletState> =>
        this.up ? Promise.resolve(this.active ? { state: 'server_active', leaderCandidate: true } : { state: 'waiting', leaderCandidate: false }) : fail(),
      info: () => (this.up && this.active ? Promise.resolve({ pubkey: 'shared-pubkey', syncedToChain: true, activeChannels: 1 }) : fail()),
      inboundSats: () => (this.up && this.active ? Promise.resolve(1_000_000) : fail()),
      confirmInvoiceAccess: () => (this.up && this.active && this.granted.includes('invoices:read') ? Promise.resolve() : fail()),
      createInvoice: () => {
        if (!this.up || !this.active) return fail();
        if (this.refuseCreates || !this.granted.includes('invoices:write')) return Promise.reject(new Error(`${this.name} addInvoice: permission denied`));
        this.invoices++;
        return Promise.resolve({ bolt11: 'lnbcrt1', paymentHash: `${this.name}-${this.invoices}`, expiresAt: new Date() });
      },
      subscribeInvoices: () => {
        const sub = new EventEmitter();
        this.subscriptions.push(sub);
        return sub;
      },
      close: () => undefined,
    } as unknown as LndClient;
  }

  /** Like kill -9: the process and its streams go away. */
  kill(): void {
    this.up = false;
    this.active = false;
    for (const s of this.subscriptions) s.emit('error', new Error('stream reset'));
  }
}

const waitUntil = async (what: string, check: () => boolean, timeoutMs = 3000) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('ClusterBackend', () => {
  let cluster: ClusterBackend | undefined;
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));
  afterEach(() => cluster?.stop());

  function start(processes: FakeProcess[], election?: () => string | undefined) {
    const etcd = election ? ({ leaderId: async () => election(), close: () => undefined } as unknown as EtcdElection) : undefined;
    cluster = new ClusterBackend('cluster', processes.map((p) => ({ name: p.name, clusterId: p.name, client: p.asClient() })), { healthIntervalMs: 50, leaderPollMs: 20, election: etcd });
    return cluster;
  }

  it('issues on the active member, reports one node name and a leader/follower breakdown', async () => {
    const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
    b.active = true;
    const c = start([a, b]);
    const reconnects: string[] = [];
    c.reconnects$.subscribe((n) => reconnects.push(n));
    await c.start();
    expect(c.leaderName).toBe('b');
    const invoice = await c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 });
    expect(invoice).toMatchObject({ nodeName: 'cluster', nodePubkey: 'shared-pubkey' });
    expect(b.invoices).toBe(1);
    expect(c.health().map((h) => [h.name, h.role, h.canIssue, h.group])).toEqual([
      ['a', 'follower', false, 'cluster'],
      ['b', 'leader', true, 'cluster'],
    ]);
    await waitUntil('subscription on the leader', () => reconnects.length === 1);
    expect(reconnects).toEqual(['cluster']);
  });

  it('on leader loss stops issuing at once, follows the new leader, re-subscribes and counts the failover', async () => {
    const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
    a.active = true;
    const c = start([a, b]);
    const reconnects: string[] = [];
    c.reconnects$.subscribe((n) => reconnects.push(n));
    await c.start();
    await waitUntil('first subscription', () => reconnects.length === 1);

    a.kill();
    await waitUntil('leader loss noticed', () => c.leaderName === undefined);
    await expect(c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 })).rejects.toBeInstanceOf(NoBackendAvailableError);
    expect(c.health().every((h) => !h.canIssue)).toBe(true);

    b.active = true; // the follower won the election
    await waitUntil('new leader', () => c.leaderName === 'b');
    await waitUntil('re-subscribed on the new leader', () => reconnects.length === 2);
    expect(b.subscriptions.length).toBeGreaterThan(0);
    expect((await c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 })).nodeName).toBe('cluster');
    expect(c.failovers).toBe(1);
    expect(c.health()[0].failovers).toBe(1);
  });

  it('with etcd configured, only the member holding the election key is used', async () => {
    const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
    a.active = true;
    b.active = true; // e.g. an old leader resumed after a pause and still calls itself active
    let elected = 'b';
    const c = start([a, b], () => elected);
    await c.start();
    expect(c.leaderName).toBe('b');
    elected = 'nobody';
    b.kill();
    await waitUntil('leader loss noticed', () => c.leaderName === undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.leaderName).toBeUndefined();
    elected = 'a';
    await waitUntil('etcd-confirmed leader', () => c.leaderName === 'a');
  });

  it('never issues on a leader that cannot: no active channel', async () => {
    const [a] = [new FakeProcess('a')];
    a.active = true;
    a.activeChannels = 0;
    const c = start([a]);
    await c.start();
    expect(c.leaderName).toBe('a');
    await expect(c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 })).rejects.toThrow(/leader a cannot issue \(no active channel\)/);
    expect(a.invoices).toBe(0);
    expect(c.health()[0]).toMatchObject({ role: 'leader', canIssue: false, lastError: 'no active channel' });
    a.activeChannels = 1;
    await waitUntil('channel noticed by a probe', () => c.health()[0].canIssue);
    await c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 });
    expect(a.invoices).toBe(1);
  });

  it('a leader whose macaroon lacks invoices:write is not used, and the permission is named', async () => {
    const [a] = [new FakeProcess('a')];
    a.active = true;
    a.granted = ['invoices:read', 'info:read', 'offchain:read']; // like readonly.macaroon
    const c = start([a]);
    await c.start();
    await expect(c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 })).rejects.toThrow(/macaroon lacks invoices:write/);
    expect(c.health()[0]).toMatchObject({ canIssue: false, permissions: expect.objectContaining({ missing: ['invoices:write'] }) });
  });

  it('issues with the stock invoice.macaroon: liquidity unknown, a warning, and the pubkey from the invoice', async () => {
    const [a] = [new FakeProcess('a')];
    a.active = true;
    a.granted = ['invoices:write', 'invoices:read'];
    const c = start([a]);
    await c.start();
    expect(c.leaderName).toBe('a');
    const h = c.health()[0];
    expect(h).toMatchObject({ canIssue: true, liquidityKnown: false, infoKnown: false });
    expect(h.warnings!.join(' ')).toMatch(/offchain:read/);
    await c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 });
    expect(a.invoices).toBe(1);
  });

  it('a create refused for permissions keeps the leader out while probes see the same permissions, until they change', async () => {
    const [a] = [new FakeProcess('a')];
    a.active = true;
    a.refuseCreates = true;
    const c = start([a]);
    await c.start();
    await expect(c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 })).rejects.toThrow(/permission denied/);
    // Several probes later (interval 50 ms) it is still out: no flapping.
    await new Promise((r) => setTimeout(r, 300));
    expect(c.leaderName).toBe('a');
    expect(c.health()[0].canIssue).toBe(false);
    await expect(c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 })).rejects.toThrow(/permission denied; kept out/);
    // The operator changes the macaroon's permissions: a probe sees a different set, the leader is used again.
    a.refuseCreates = false;
    a.granted = ['invoices:write', 'invoices:read', 'info:read'];
    await waitUntil('permissions change noticed', () => c.health()[0].canIssue);
    await c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 });
    expect(a.invoices).toBe(1);
  });

  it('a refusal on one member does not keep out the next leader, which presents its own macaroon', async () => {
    const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
    a.active = true;
    a.refuseCreates = true; // a's macaroon file is the bad one (e.g. baked per URI without AddInvoice)
    const c = start([a, b]);
    await c.start();
    await expect(c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 })).rejects.toThrow(/permission denied/);
    a.kill();
    b.active = true; // b won the election; same permission set as a verified, but its macaroon works
    await waitUntil('new leader', () => c.leaderName === 'b');
    await waitUntil('b can issue', () => c.health().some((h) => h.canIssue));
    await c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 });
    expect(b.invoices).toBe(1);
  });
});
