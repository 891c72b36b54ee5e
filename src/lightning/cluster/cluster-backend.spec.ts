import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { NoBackendAvailableError } from '../lightning-backend';
import { LndClient, WalletState } from '../lnd/lnd-client';
import { ALL_PERMISSIONS, NodeProbe, Permission } from '../lnd/permissions';
import { ClusterBackend, ClusterOptions } from './cluster-backend';
import { EtcdElection } from './etcd-election';

/**
 * A cluster member process: `up` + `active` decide what the State RPC and the authenticated calls
 * answer; `frozen` (SIGSTOP) makes every call, and its state stream, go silent for good.
 */
class FakeProcess {
  up = true;
  active = false;
  frozen = false;
  /** false: like an LND without SubscribeState, only polls see its state. */
  streams = true;
  invoices = 0;
  activeChannels = 1;
  /** What its macaroon holds, as CheckMacaroonPermissions would say. */
  granted: Permission[] = [...ALL_PERMISSIONS];
  /** LND answers AddInvoice with "permission denied" although the check says invoices:write. */
  refuseCreates = false;
  subscriptions: EventEmitter[] = [];
  stateStreams: EventEmitter[] = [];
  /** Channel peers (pubkey → has an open channel) and who is connected now. */
  channelPeers: string[] = [];
  connected = new Set<string>();
  graph = new Map<string, string[]>();
  /** Addresses where a dial succeeds. */
  reachable = new Set<string>();
  dials: string[] = [];
  /** Dials never finish (like one to a peer that does not answer, or on a process frozen meanwhile). */
  hangDials = false;
  /** Dials refused as by an LND whose server is still starting. */
  startingDials = 0;
  constructor(readonly name: string) {}

  private answer<T>(value: () => T): Promise<T> {
    if (this.frozen) return new Promise<T>(() => undefined);
    if (!this.up) return Promise.reject(new Error(`${this.name} unreachable`));
    return Promise.resolve().then(value);
  }

  private authed<T>(value: () => T): Promise<T> {
    return this.answer(() => {
      if (!this.active) throw new Error(`${this.name} not active`);
      return value();
    });
  }

  asClient(): LndClient {
    const probe = (): Promise<NodeProbe> =>
      this.authed(() => {
        const has = (p: Permission) => this.granted.includes(p);
        const activeChannels = this.channelPeers.length ? this.channelPeers.filter((p) => this.connected.has(p)).length : this.activeChannels;
        return {
          permissions: { verifiedBy: 'CheckMacaroonPermissions', granted: [...this.granted], missing: ALL_PERMISSIONS.filter((p) => !has(p)) },
          info: has('info:read') ? { pubkey: 'shared-pubkey', syncedToChain: true, activeChannels } : undefined,
          channels: has('offchain:read') ? { activeChannels, inboundSats: 1_000_000 } : undefined,
        };
      });
    return {
      name: this.name,
      probe,
      confirmInvoiceAccess: () =>
        this.authed(() => {
          if (!this.granted.includes('invoices:read')) throw new Error(`${this.name} lookupInvoice: permission denied`);
        }),
      walletState: (): Promise<WalletState> =>
        this.answer(() => (this.active ? { state: 'server_active', leaderCandidate: true } : { state: 'waiting', leaderCandidate: false })),
      subscribeState: () => {
        if (!this.streams) throw new Error('unsupported');
        const s = new EventEmitter();
        this.stateStreams.push(s);
        if (this.up && !this.frozen) setImmediate(() => s.emit(this.active ? 'ready' : 'waiting', {}));
        return s;
      },
      info: () =>
        this.authed(() => ({
          pubkey: 'shared-pubkey',
          syncedToChain: true,
          activeChannels: this.channelPeers.length ? this.channelPeers.filter((p) => this.connected.has(p)).length : 1,
        })),
      inboundSats: () => this.authed(() => 1_000_000),
      createInvoice: () =>
        this.authed(() => {
          if (this.refuseCreates || !this.granted.includes('invoices:write')) throw new Error(`${this.name} addInvoice: permission denied`);
          this.invoices++;
          return { bolt11: 'lnbcrt1', paymentHash: `${this.name}-${this.invoices}`, expiresAt: new Date() };
        }),
      channelPeers: () =>
        this.authed(() => {
          if (!this.granted.includes('offchain:read')) throw new Error(`${this.name} getChannels: permission denied`);
          return this.channelPeers.map((pubkey) => ({ pubkey, channels: 1, activeChannels: this.connected.has(pubkey) ? 1 : 0 }));
        }),
      connectedPeers: () => this.authed(() => new Set(this.connected)),
      nodeAddresses: (pubkey: string) => this.authed(() => this.graph.get(pubkey) ?? []),
      connectPeer: (pubkey: string, address: string) =>
        this.hangDials
          ? new Promise(() => undefined)
          : this.authed(() => {
              this.dials.push(`${pubkey}@${address}`);
              if (this.startingDials > 0 && this.startingDials--) throw new Error(`${this.name} connectPeer: server is still in the process of starting`);
              if (!this.reachable.has(address)) throw new Error(`dial tcp ${address}: connection refused`);
              this.connected.add(pubkey);
            }),
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
    this.connected.clear();
    // Like ln-service's subscriptions: 'error' is emitted only while someone listens (a cancelled one stays quiet).
    for (const s of [...this.subscriptions, ...this.stateStreams]) if (s.listenerCount('error')) s.emit('error', new Error('stream reset'));
  }

  /** Wins the election: SERVER_ACTIVE, announced on its open state streams. */
  takeOver(): void {
    this.active = true;
    for (const s of this.stateStreams) s.emit('ready', {});
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

  /** The etcd watch's callback, once the cluster started watching. */
  let electionChanged: (() => void) | undefined;
  function start(processes: FakeProcess[], election?: () => string | undefined, opts: Partial<ClusterOptions> = {}) {
    electionChanged = undefined;
    const etcd = election
      ? ({ leaderId: async () => election(), watch: (onChange: () => void) => (electionChanged = onChange), close: () => undefined } as unknown as EtcdElection)
      : undefined;
    cluster = new ClusterBackend(
      'cluster',
      processes.map((p) => ({ name: p.name, clusterId: p.name, client: p.asClient() })),
      { healthIntervalMs: 50, leaderPollMs: 20, election: etcd, ...opts },
    );
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

  it('stop() while a leader probe is in flight: no invoice subscription is opened afterwards', async () => {
    const [a] = [new FakeProcess('a')];
    a.active = true;
    const c = start([a]);
    await c.start();
    await waitUntil('subscribed', () => a.subscriptions.length === 1);
    let answer: (() => void) | undefined;
    const client = (c as unknown as { members: { spec: { client: LndClient } }[] }).members[0].spec.client;
    const realProbe = client.probe.bind(client);
    client.probe = () => new Promise<NodeProbe>((resolve) => (answer = () => void realProbe().then(resolve)));
    await waitUntil('a probe in flight', () => answer !== undefined);
    await c.stop();
    answer!();
    await new Promise((r) => setTimeout(r, 100));
    expect(a.subscriptions.length).toBe(1);
  });

  describe('a frozen (SIGSTOP) leader', () => {
    it('is left as soon as the follower announces SERVER_ACTIVE on its state stream, though the frozen one never answers', async () => {
      const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
      a.active = true;
      // Slow ticks: only the stream can make the switch happen within the wait below.
      const c = start([a, b], undefined, { healthIntervalMs: 60_000 });
      await c.start();
      await waitUntil('b seen waiting on its stream', () => c.health().find((h) => h.name === 'b')?.reachable === true);
      a.frozen = true;
      b.takeOver();
      await waitUntil('switch to b', () => c.leaderName === 'b', 1000);
      expect(c.failovers).toBe(1);
      expect((await c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 })).nodeName).toBe('cluster');
      expect(b.invoices).toBe(1);
      expect(c.health().find((h) => h.name === 'a')).toMatchObject({ role: 'follower', canIssue: false });
    });

    it('without state streams, the concurrent polls find the new leader while the frozen one still has not answered', async () => {
      const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
      a.streams = b.streams = false;
      a.active = true;
      const c = start([a, b]);
      await c.start();
      expect(c.leaderName).toBe('a');
      await waitUntil('b polled as waiting', () => c.health().find((h) => h.name === 'b')?.reachable === true);
      a.frozen = true; // its State calls now hang for ever: a tick that waited for every member would never end
      await new Promise((r) => setTimeout(r, 100));
      b.active = true;
      await waitUntil('switch to b', () => c.leaderName === 'b');
      expect(c.failovers).toBe(1);
    });

    it('resumed, it still answers SERVER_ACTIVE for a moment: the server stays with the new leader', async () => {
      const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
      a.active = true;
      const c = start([a, b]);
      await c.start();
      await waitUntil('b seen waiting', () => c.health().find((h) => h.name === 'b')?.reachable === true);
      a.frozen = true;
      b.takeOver();
      await waitUntil('switch to b', () => c.leaderName === 'b');
      a.frozen = false; // resumes; a is still `active` until it notices the lost lease
      for (const s of a.stateStreams) s.emit('ready', {});
      await new Promise((r) => setTimeout(r, 200));
      expect(c.leaderName).toBe('b');
      expect(c.failovers).toBe(1);
    });

    it('resumed, it is not taken back when the new leader misses one State call (no etcd, or etcd unreachable)', async () => {
      for (const election of [
        undefined,
        () => {
          throw new Error('etcd unreachable');
        },
      ]) {
        const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
        a.active = true;
        const c = start([a, b], election);
        await c.start();
        await waitUntil('b seen waiting', () => c.health().find((h) => h.name === 'b')?.reachable === true);
        a.frozen = true;
        b.takeOver();
        await waitUntil('switch to b', () => c.leaderName === 'b');
        a.frozen = false; // resumed, still calls itself SERVER_ACTIVE until it notices the lost lease
        await waitUntil('a polled again', () => c.health().find((h) => h.name === 'a')?.reachable === true);
        const leaders = new Set<string>();
        const watch = setInterval(() => c.leaderName && leaders.add(c.leaderName), 1);
        b.up = false; // one missed State call on the real leader (a busy host)
        await new Promise((r) => setTimeout(r, 200));
        b.up = true;
        await waitUntil('back on b', () => c.leaderName === 'b');
        clearInterval(watch);
        expect([...leaders]).toEqual(['b']);
        expect(a.invoices).toBe(0);
        await c.stop();
      }
    });

    it('killed and restarted after being replaced, the old leader is taken again once it leads (no etcd)', async () => {
      const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
      a.active = true;
      const c = start([a, b]);
      await c.start();
      await waitUntil('b seen waiting', () => c.health().find((h) => h.name === 'b')?.reachable === true);
      a.frozen = true;
      b.takeOver();
      await waitUntil('switch to b', () => c.leaderName === 'b');
      a.frozen = false;
      a.kill(); // the liveness check kills it; its connection breaks
      a.up = true; // restarted
      b.kill();
      a.active = true; // and wins the next election
      await waitUntil('back on the restarted a', () => c.leaderName === 'a');
      expect(c.failovers).toBe(2);
    });

    it('with etcd configured, a member announcing SERVER_ACTIVE is taken only once etcd names it', async () => {
      const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
      a.active = true;
      let elected = 'a';
      const c = start([a, b], () => elected, { healthIntervalMs: 60_000 });
      await c.start();
      await waitUntil('b seen waiting', () => c.health().find((h) => h.name === 'b')?.reachable === true);
      a.frozen = true;
      b.takeOver();
      await new Promise((r) => setTimeout(r, 100));
      expect(c.leaderName).toBe('a');
      elected = 'b';
      for (const s of b.stateStreams) s.emit('ready', {});
      await waitUntil('switch to b', () => c.leaderName === 'b');
    });

    it('without state streams, an etcd election change makes the server poll at once and often', async () => {
      const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
      a.streams = b.streams = false;
      a.active = true;
      let elected = 'a';
      // Hour-long ticks: only the watch can make the server look again.
      const c = start([a, b], () => elected, { healthIntervalMs: 3_600_000, leaderPollMs: 20 });
      await c.start();
      expect(c.leaderName).toBe('a');
      a.frozen = true;
      b.active = true;
      elected = 'b';
      await new Promise((r) => setTimeout(r, 100));
      expect(c.leaderName).toBe('a');
      electionChanged!();
      await waitUntil('switch to b', () => c.leaderName === 'b');
    });
  });

  describe('channel peers after a failover', () => {
    const CUSTOMER = '02' + 'c'.repeat(64);
    const SHOP = '03' + 'd'.repeat(64);

    it('the new leader dials every channel peer (configured address first, then the graph) and health shows who is connected', async () => {
      const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
      for (const p of [a, b]) {
        p.channelPeers = [CUSTOMER, SHOP];
        p.graph.set(CUSTOMER, ['10.0.0.9:9735']);
        p.graph.set(SHOP, ['10.0.0.7:9735']);
      }
      a.active = true;
      a.connected = new Set([CUSTOMER, SHOP]);
      b.reachable = new Set(['10.0.0.5:9735', '10.0.0.7:9735']);
      const c = start([a, b], undefined, { peerAddresses: new Map([[CUSTOMER, ['10.0.0.5:9735']]]) });
      await c.start();
      expect(a.dials).toEqual([]); // all connected already
      a.kill();
      b.takeOver();
      await waitUntil('switch to b', () => c.leaderName === 'b');
      await waitUntil('both peers connected', () => b.connected.size === 2);
      expect(b.dials.sort()).toEqual([`${CUSTOMER}@10.0.0.5:9735`, `${SHOP}@10.0.0.7:9735`]);
      await waitUntil(
        'health shows them connected',
        () =>
          c
            .health()
            .find((h) => h.role === 'leader')
            ?.channelPeers?.every((p) => p.connected) === true,
      );
      const leader = c.health().find((h) => h.role === 'leader')!;
      expect(leader.channelPeers!.map((p) => [p.pubkey, p.connected]).sort()).toEqual([
        [CUSTOMER, true],
        [SHOP, true],
      ]);
      // The channels turned active: the leader can issue again without waiting for the next health tick.
      await waitUntil('active channels re-read', () => leader.activeChannels === 2 || c.health().find((h) => h.role === 'leader')?.activeChannels === 2);
    });

    it('a peer that cannot be dialled is shown disconnected with the error and dialled again later', async () => {
      const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
      b.channelPeers = [CUSTOMER];
      b.graph.set(CUSTOMER, ['10.0.0.9:9735']);
      a.active = true;
      const c = start([a, b]);
      await c.start();
      a.kill();
      b.takeOver();
      await waitUntil('switch to b', () => c.leaderName === 'b');
      await waitUntil('two dials', () => b.dials.length >= 2);
      const peer = c.health().find((h) => h.role === 'leader')!.channelPeers![0];
      expect(peer).toMatchObject({ pubkey: CUSTOMER, connected: false });
      expect(peer.lastError).toContain('connection refused');
      b.reachable.add('10.0.0.9:9735'); // e.g. the peer dropped its stale connection to the old leader
      await waitUntil('connected on a later attempt', () => c.health().find((h) => h.role === 'leader')?.channelPeers?.[0]?.connected === true);
    });

    it("a dial still hanging on the frozen old leader does not hold up the new leader's", async () => {
      const [a, b] = [new FakeProcess('a'), new FakeProcess('b')];
      for (const p of [a, b]) {
        p.channelPeers = [CUSTOMER];
        p.graph.set(CUSTOMER, ['10.0.0.9:9735']);
      }
      a.active = true;
      a.hangDials = true;
      b.reachable.add('10.0.0.9:9735');
      const c = start([a, b]);
      await c.start();
      await waitUntil('a dialling', () => c.health().find((h) => h.role === 'leader')?.channelPeers?.[0]?.lastAttemptAt !== undefined);
      a.frozen = true;
      b.takeOver();
      await waitUntil('switch to b', () => c.leaderName === 'b');
      await waitUntil('b connected to the customer', () => b.connected.has(CUSTOMER));
    });

    it('a dial refused because the new leader is still starting is tried again at once, not a health interval later', async () => {
      const [a] = [new FakeProcess('a')];
      a.channelPeers = [CUSTOMER];
      a.graph.set(CUSTOMER, ['10.0.0.9:9735']);
      a.reachable.add('10.0.0.9:9735');
      a.startingDials = 2;
      a.active = true;
      const c = start([a], undefined, { healthIntervalMs: 60_000 });
      await c.start();
      await waitUntil('connected after the server started', () => a.connected.has(CUSTOMER), 2000);
      expect(a.dials).toHaveLength(3);
    });

    it('a peer announcing a flood of addresses in the graph costs a bounded number of dials per attempt, and its error stays short', async () => {
      const [a] = [new FakeProcess('a')];
      a.channelPeers = [CUSTOMER];
      a.graph.set(
        CUSTOMER,
        Array.from({ length: 500 }, (_, i) => `10.1.${i >> 8}.${i & 255}:9735`),
      );
      a.active = true;
      const c = start([a], undefined, { healthIntervalMs: 60_000 });
      await c.start();
      await waitUntil('dial attempted', () => !!c.health()[0].channelPeers?.[0]?.lastError);
      expect(a.dials.length).toBeLessThanOrEqual(8);
      expect(c.health()[0].channelPeers![0].lastError!.length).toBeLessThan(2000);
    });

    it('a leader with the stock invoice.macaroon issues, and channelPeersError names the missing permission', async () => {
      const [a] = [new FakeProcess('a')];
      a.channelPeers = [CUSTOMER];
      a.active = true;
      a.granted = ['invoices:write', 'invoices:read'];
      const c = start([a]);
      await c.start();
      await waitUntil('channel peers error', () => !!c.health()[0].channelPeersError);
      expect(c.health()[0].channelPeersError).toMatch(/permission denied \(the macaroon lacks offchain:read\)/);
      await c.createInvoice({ amountSats: 1, description: 'x', expirySeconds: 60 });
      expect(a.invoices).toBe(1);
    });

    it('a peer with no address anywhere is reported as such', async () => {
      const [a] = [new FakeProcess('a')];
      a.channelPeers = [CUSTOMER];
      a.active = true;
      const c = start([a]);
      await c.start();
      await waitUntil('dial attempted', () => !!c.health()[0].channelPeers?.[0]?.lastError);
      expect(c.health()[0].channelPeers![0].lastError).toContain('no address');
    });
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
