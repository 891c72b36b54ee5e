import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { NoBackendAvailableError } from '../lightning-backend';
import { LndClient, WalletState } from '../lnd/lnd-client';
import { ClusterBackend } from './cluster-backend';
import { EtcdElection } from './etcd-election';

/** A cluster member process: `up` + `active` decide what the State RPC and the authenticated calls answer. */
class FakeProcess {
  up = true;
  active = false;
  invoices = 0;
  subscriptions: EventEmitter[] = [];
  constructor(readonly name: string) {}

  asClient(): LndClient {
    const fail = () => Promise.reject(new Error(`${this.name} unreachable`));
    return {
      name: this.name,
      walletState: (): Promise<WalletState> =>
        this.up ? Promise.resolve(this.active ? { state: 'server_active', leaderCandidate: true } : { state: 'waiting', leaderCandidate: false }) : fail(),
      info: () => (this.up && this.active ? Promise.resolve({ pubkey: 'shared-pubkey', syncedToChain: true, activeChannels: 1 }) : fail()),
      inboundSats: () => (this.up && this.active ? Promise.resolve(1_000_000) : fail()),
      createInvoice: () => {
        if (!this.up || !this.active) return fail();
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
});
