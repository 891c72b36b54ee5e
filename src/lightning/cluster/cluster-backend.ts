import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Subject } from 'rxjs';
import {
  CreateInvoiceRequest,
  InvoiceRef,
  InvoiceState,
  IssuedInvoice,
  LightningBackend,
  NoBackendAvailableError,
  NodeHealth,
  Settlement,
  UnknownNodeError,
} from '../lightning-backend';
import { InvoiceStream } from '../lnd/invoice-stream';
import { LndClient, WalletState } from '../lnd/lnd-client';
import { assessProbe, isPermissionDenied, NodeProbe, permissionFingerprint, ProbeAssessment } from '../lnd/permissions';
import { ChannelPeers } from './channel-peers';
import { EtcdElection } from './etcd-election';

export interface ClusterMemberSpec {
  /** Member process name (health breakdown). */
  name: string;
  /** Its `--cluster.id`, the value it writes into the etcd election. */
  clusterId: string;
  client: LndClient;
}

export interface ClusterOptions {
  healthIntervalMs: number;
  /** How often to look for a leader while none is known. */
  leaderPollMs: number;
  election?: EtcdElection;
  /** Configured p2p addresses of channel peers (pubkey → host:port list), tried before the graph's. */
  peerAddresses?: ReadonlyMap<string, string[]>;
}

interface MemberState {
  spec: ClusterMemberSpec;
  wallet?: WalletState;
  reachable: boolean;
  lastError?: string;
  checkedAt: Date;
  /**
   * Seen WAITING_TO_START since it last led: it is campaigning, so its next SERVER_ACTIVE is a fresh
   * election win. A paused-then-resumed old leader also answers SERVER_ACTIVE, but never after waiting.
   */
  campaigning: boolean;
  /**
   * Replaced by a member that won the election while this one was silent (frozen): when it resumes it
   * still answers SERVER_ACTIVE until it notices its lost lease, so without etcd to ask it is not a
   * candidate until it is seen campaigning or restarting (another state, or its stream broke).
   */
  deposed?: boolean;
  /** The State call in flight: a frozen member holds one until its timeout, never a pile of them. */
  polling?: Promise<void>;
  stateStream?: EventEmitter;
  streamRetry?: NodeJS.Timeout;
  streamFailures: number;
}

interface LeaderProbe extends ProbeAssessment {
  pubkey?: string;
  permissions: NodeProbe['permissions'];
  checkedAt: Date;
}

/** The leader's standing from one probe (its permissions, then what they let us read). */
function leaderProbeOf(probe: NodeProbe, previous?: LeaderProbe): LeaderProbe {
  return { ...assessProbe(probe), pubkey: probe.info?.pubkey ?? previous?.pubkey, permissions: probe.permissions, checkedAt: new Date() };
}

/** After an etcd election change: for how long, and how often, every member is polled. */
const ELECTION_WATCH_FAST_POLL_MS = 30_000;
const ELECTION_WATCH_POLL_MS = 200;

/** SubscribeState events (ln-service names) as the State RPC's answers. */
const STREAMED_STATES: Record<string, WalletState> = {
  ready: { state: 'server_active', leaderCandidate: true },
  active: { state: 'rpc_active', leaderCandidate: true },
  waiting: { state: 'waiting', leaderCandidate: false },
  starting: { state: 'starting', leaderCandidate: false },
  locked: { state: 'locked', leaderCandidate: false },
  absent: { state: 'absent', leaderCandidate: false },
};

/**
 * The LND processes of one LND cluster (shared identity and etcd database; only the elected
 * leader serves). Issues and looks up on the leader only; when the leader goes away it finds the
 * new one, re-subscribes there and asks for reconciliation. Appears as ONE node named after the
 * cluster, since every member has the same pubkey and invoice database.
 *
 * Members are watched one by one, each with its own timeout: their State streams push a new
 * leader's SERVER_ACTIVE at once, and each poll runs on its own, so a frozen member (SIGSTOP,
 * which answers nothing until its timeout) never delays noticing the member that took over.
 */
export class ClusterBackend implements LightningBackend {
  /** Its members are LND nodes. */
  readonly amountlessInvoices = true;
  readonly settlements$ = new Subject<Settlement>();
  readonly reconnects$ = new Subject<string>();
  /** Leader changes after the first leader was found. */
  failovers = 0;
  lastFailoverAt?: Date;
  private readonly logger: Logger;
  private readonly members: MemberState[];
  private readonly stream: InvoiceStream;
  private readonly channelPeers: ChannelPeers;
  private leader?: MemberState;
  private leaderProbe?: LeaderProbe;
  private previousLeader?: string;
  /** The member last given up on: chosen again only when no other member is a candidate. */
  private lostLeader?: MemberState;
  private leaderLostAt?: number;
  private lastInvoiceAt?: Date;
  private lastError?: string;
  /**
   * Set when the leader refused a create for permissions: which member (each presents its own
   * macaroon) and its permissions as verified then.
   */
  private denied?: { member: string; fingerprint: string };
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private electing?: Promise<void>;
  private electAgain = false;
  private fastPollUntil = 0;
  private stopped = false;

  constructor(
    readonly name: string,
    members: ClusterMemberSpec[],
    private readonly options: ClusterOptions,
  ) {
    if (members.length === 0) throw new Error(`Cluster "${name}" has no members`);
    this.logger = new Logger(`ClusterBackend:${name}`);
    this.members = members.map((spec) => ({ spec, reachable: false, checkedAt: new Date(0), campaigning: false, streamFailures: 0 }));
    this.stream = new InvoiceStream(
      { nodeName: name },
      {
        onSettlement: (s) => this.settlements$.next(s),
        onConnected: () => {
          this.logger.log({ leader: this.leader?.spec.name }, 'invoice subscription on the leader (re)connected; reconciling open invoices');
          this.reconnects$.next(this.name);
        },
        onDisconnected: (err) => this.leaderLost(`invoice subscription: ${err.message}`),
      },
    );
    this.channelPeers = new ChannelPeers(this.logger, {
      addresses: options.peerAddresses ?? new Map(),
      retryMs: options.healthIntervalMs,
      // Its channels turn active once the peer is back and the channel re-established (a moment
      // after the connection): show (and let pools use) that without waiting for the next tick.
      onConnected: () => {
        for (const wait of [0, 500, 1500]) {
          setTimeout(() => {
            const leader = this.leader;
            if (leader && !this.stopped) void this.probeLeader(leader);
          }, wait).unref();
        }
      },
    });
  }

  get leaderName(): string | undefined {
    return this.leader?.spec.name;
  }

  async start(): Promise<void> {
    for (const m of this.members) this.watchState(m);
    this.options.election?.watch(
      () => this.electionChanged(),
      (err) => this.logger.warn({ err: err.message }, "etcd election watch failed; relying on the members' State RPC"),
    );
    await this.tick();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stream.detach();
    this.channelPeers.stop();
    for (const m of this.members) {
      clearTimeout(m.streamRetry);
      m.stateStream?.removeAllListeners();
      m.spec.client.close();
    }
    this.options.election?.close();
    this.settlements$.complete();
    this.reconnects$.complete();
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<IssuedInvoice> {
    const leader = this.leader;
    const probe = this.leaderProbe;
    if (!leader || !probe) throw new NoBackendAvailableError(`cluster "${this.name}" has no leader right now`);
    // The leader is a fact of the cluster; whether it can issue is ours to check (channels, permissions).
    if (!this.leaderCanIssue(probe))
      throw new NoBackendAvailableError(`cluster "${this.name}": leader ${leader.spec.name} cannot issue (${this.issueProblem(probe)})`);
    try {
      const created = await leader.spec.client.createInvoice(request.amountSats, request.description, request.expirySeconds);
      this.lastInvoiceAt = new Date();
      probe.pubkey ??= LndClient.payeeOf(created.bolt11);
      return { ...created, nodeName: this.name, nodePubkey: probe.pubkey ?? '' };
    } catch (err) {
      if (isPermissionDenied(err)) {
        // Not a lost leader: the same leader with the same permissions must stay out until they change.
        this.denied = { member: leader.spec.name, fingerprint: permissionFingerprint(probe.permissions) };
        this.logger.error(
          { leader: leader.spec.name, missing: ['invoices:write'] },
          'LND refused to create an invoice: permission denied; kept out until the macaroon permissions change',
        );
        throw err;
      }
      this.leaderLost(`createInvoice: ${(err as Error).message}`, leader);
      throw err;
    }
  }

  async lookupInvoice(ref: InvoiceRef): Promise<InvoiceState> {
    if (ref.nodeName !== this.name) throw new UnknownNodeError(ref.nodeName);
    const leader = this.leader;
    if (!leader) throw new Error(`cluster "${this.name}" has no leader right now`);
    return leader.spec.client.lookupInvoice(ref.paymentHash);
  }

  /** On the leader: cluster members share one invoice database, so that is the issuing node. */
  async cancelInvoice(ref: InvoiceRef): Promise<void> {
    if (ref.nodeName !== this.name) throw new UnknownNodeError(ref.nodeName);
    const leader = this.leader;
    if (!leader) throw new Error(`cluster "${this.name}" has no leader right now`);
    await leader.spec.client.cancelInvoice(ref.paymentHash);
  }

  health(): NodeHealth[] {
    const probe = this.leaderProbe;
    return this.members.map((m) => {
      const isLeader = m === this.leader && !!probe;
      return {
        name: m.spec.name,
        group: this.name,
        type: 'cluster-member' as const,
        role: isLeader ? ('leader' as const) : ('follower' as const),
        pubkey: probe?.pubkey,
        reachable: m.reachable,
        syncedToChain: isLeader ? probe.syncedToChain : false,
        activeChannels: isLeader ? probe.activeChannels : 0,
        inboundSats: isLeader ? probe.inboundSats : 0,
        canIssue: isLeader && this.leaderCanIssue(probe),
        ...(isLeader ? { permissions: probe.permissions, infoKnown: probe.infoKnown, liquidityKnown: probe.liquidityKnown, warnings: probe.warnings } : {}),
        lastError: m.lastError ?? (isLeader ? (this.leaderCanIssue(probe) ? undefined : this.issueProblem(probe)) : this.lastError),
        lastInvoiceAt: isLeader ? this.lastInvoiceAt : undefined,
        checkedAt: isLeader ? probe.checkedAt : m.checkedAt,
        failovers: this.failovers,
        lastFailoverAt: this.lastFailoverAt,
        ...(isLeader ? { channelPeers: this.channelPeers.health(), channelPeersError: this.channelPeers.lastError } : {}),
      };
    });
  }

  private leaderCanIssue(probe: LeaderProbe): boolean {
    return probe.canIssue && this.denied === undefined;
  }

  private issueProblem(probe: LeaderProbe): string {
    if (this.denied !== undefined) return 'LND refused to create an invoice: permission denied; kept out until the macaroon permissions change';
    return probe.problem ?? 'unknown';
  }

  /**
   * etcd saw the election change (the leader's lease ended, or a member joined the campaign): poll
   * every member often for a while, so a member that takes over is seen even without its stream.
   */
  private electionChanged(): void {
    this.fastPollUntil = Date.now() + ELECTION_WATCH_FAST_POLL_MS;
    this.pollSoon();
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = !this.leader
      ? this.options.leaderPollMs
      : Date.now() < this.fastPollUntil
        ? Math.min(ELECTION_WATCH_POLL_MS, this.options.leaderPollMs)
        : this.options.healthIntervalMs;
    this.timer = setTimeout(() => void this.tick().finally(() => this.schedule()), delay);
    this.timer.unref();
  }

  /** Polls sooner than scheduled (right after a leader loss). */
  private pollSoon(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick().finally(() => this.schedule()), 50);
    this.timer.unref();
  }

  private tick(): Promise<void> {
    this.ticking ??= this.runTick().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /**
   * Polls every member at once, each with its own timeout; the first member to answer as a fresh
   * leader starts the election (see observe). The tick waits at most a leader poll for the answers,
   * then probes the leader (and its channel peers) if it answered.
   */
  private async runTick(): Promise<void> {
    const leader = this.leader;
    let leaderAnswered = false;
    const polls = this.members.map((m) => this.poll(m).then(() => void (m === leader && (leaderAnswered = true))));
    // A frozen member's call stays pending until its timeout; the others are not kept waiting for it.
    await Promise.race([Promise.allSettled(polls), delay(this.options.leaderPollMs)]);
    if (this.stopped) return;
    if (leader && leader === this.leader && leaderAnswered) {
      await this.probeLeader(leader);
      void this.channelPeers.refresh();
    }
    await this.electing;
  }

  /** One State call per member at a time, bounded by the client's timeout. */
  private poll(member: MemberState): Promise<void> {
    member.polling ??= member.spec.client
      .walletState()
      .then(
        (wallet) => this.observe(member, wallet),
        (err: Error) => this.unreachable(member, err),
      )
      .finally(() => (member.polling = undefined));
    return member.polling;
  }

  /** SubscribeState on one member, re-opened with backoff when it fails (e.g. the process is down). */
  private watchState(member: MemberState): void {
    if (this.stopped) return;
    let stream: EventEmitter;
    try {
      stream = member.spec.client.subscribeState();
    } catch (err) {
      this.logger.debug({ member: member.spec.name, err: (err as Error).message }, 'state subscription unavailable');
      return;
    }
    member.stateStream = stream;
    for (const [event, wallet] of Object.entries(STREAMED_STATES)) {
      stream.on(event, () => {
        member.streamFailures = 0;
        this.observe(member, wallet);
      });
    }
    stream.on('error', () => {
      stream.removeAllListeners();
      if (member.stateStream !== stream || this.stopped) return;
      member.stateStream = undefined;
      // Its connection broke: the process died or restarted (a frozen one keeps its connection open).
      member.deposed = false;
      // A dead process fails its stream at once: confirm with a poll instead of waiting for the tick.
      if (member === this.leader) void this.poll(member);
      const wait = Math.min(5000, 250 * 2 ** member.streamFailures++);
      member.streamRetry = setTimeout(() => this.watchState(member), wait);
      member.streamRetry.unref();
    });
  }

  /** A member's state, from a poll or its stream. */
  private observe(member: MemberState, wallet: WalletState): void {
    member.wallet = wallet;
    member.reachable = true;
    member.lastError = undefined;
    member.checkedAt = new Date();
    if (this.stopped) return;
    if (wallet.state === 'waiting') member.campaigning = true;
    if (wallet.state !== 'server_active' && wallet.state !== 'rpc_active') member.deposed = false;
    if (member === this.leader) {
      if (!wallet.leaderCandidate) this.leaderLost(`state is ${wallet.state}`);
      return;
    }
    if (!wallet.leaderCandidate) return;
    // No leader: any candidate. A leader we still use (it may be frozen and not yet timed out):
    // only a member that just won the election, so we switch without waiting for the old one.
    if (!this.leader || (wallet.state === 'server_active' && member.campaigning)) this.electSoon();
  }

  private unreachable(member: MemberState, err: Error): void {
    member.wallet = undefined;
    member.reachable = false;
    member.lastError = err.message;
    member.checkedAt = new Date();
    // Refused, not silent: the process is gone, and the next one it starts campaigns afresh.
    if (!/timed out/i.test(err.message)) member.deposed = false;
    if (member === this.leader) this.leaderLost(`state: ${err.message}`);
  }

  private async probeLeader(leader: MemberState): Promise<void> {
    try {
      const probe = await leader.spec.client.probe();
      // Stopped meanwhile: attaching now would open a subscription on a closed client.
      if (this.stopped || leader !== this.leader) return;
      this.noteProbe(leader, probe);
      this.leaderProbe = leaderProbeOf(probe, this.leaderProbe);
      // Attached only once the macaroon can read invoices (otherwise it would fail and re-elect in a loop).
      if (!this.stream.attachedTo && probe.permissions.granted.includes('invoices:read')) this.stream.attach(leader.spec.client);
    } catch (err) {
      if (this.stopped) return;
      this.leaderLost(`health probe: ${(err as Error).message}`, leader);
    }
  }

  /** One election at a time; a candidate seen meanwhile gets another round right after. */
  private electSoon(): void {
    if (this.electing) {
      this.electAgain = true;
      return;
    }
    this.electing = (async () => {
      do {
        this.electAgain = false;
        await this.elect();
      } while (this.electAgain && !this.stopped);
    })().finally(() => (this.electing = undefined));
  }

  private async elect(): Promise<void> {
    const current = this.leader;
    let candidates = this.members.filter((m) => m !== current && m.wallet?.leaderCandidate);
    if (current) candidates = candidates.filter((m) => m.wallet?.state === 'server_active' && m.campaigning);
    // A resumed old leader may answer SERVER_ACTIVE for a moment before it notices it lost its lease.
    candidates.sort((a, b) => Number(a === this.lostLeader) - Number(b === this.lostLeader) || Number(b.campaigning) - Number(a.campaigning));
    if (candidates.length === 0) return;
    let ordered: typeof candidates;
    if (this.options.election) {
      try {
        const elected = await this.options.election.leaderId();
        // etcd says who really holds the lease.
        ordered = candidates.filter((m) => m.spec.clusterId === elected);
        if (ordered.length === 0) {
          if (!current) this.lastError = `etcd names ${elected ?? 'no one'} as leader; no active member matches`;
          return;
        }
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'etcd election lookup failed; trusting the State RPC alone');
        ordered = candidates.filter((m) => !m.deposed);
      }
    } else {
      ordered = candidates.filter((m) => !m.deposed);
    }
    for (const candidate of ordered) {
      try {
        // The State RPC needs no macaroon; verifying the macaroon's permissions proves the member
        // answers authenticated calls (and tells whether it can issue).
        const probe = await candidate.spec.client.probe();
        if (this.stopped || this.leader !== current) return;
        this.noteProbe(candidate, probe);
        this.becomeLeader(candidate, leaderProbeOf(probe));
        return;
      } catch (err) {
        candidate.lastError = (err as Error).message;
      }
    }
  }

  private becomeLeader(member: MemberState, probe: LeaderProbe): void {
    const replaced = this.leader;
    if (replaced) {
      // Still ours but silent (frozen): the member that just won the election takes over now.
      this.logger.warn({ leader: replaced.spec.name, next: member.spec.name }, 'another member won the cluster election; leaving the old leader');
      replaced.lastError = `replaced by ${member.spec.name}, which won the election`;
      replaced.deposed = true;
      this.lostLeader = replaced;
      this.leaderLostAt ??= Date.now();
    }
    this.leader = member;
    this.leaderProbe = probe;
    this.lastError = undefined;
    member.campaigning = false;
    member.deposed = false;
    if (this.previousLeader && this.previousLeader !== member.spec.name) {
      this.failovers++;
      this.lastFailoverAt = new Date();
      const gapMs = this.leaderLostAt ? Date.now() - this.leaderLostAt : undefined;
      this.logger.warn({ leader: member.spec.name, failovers: this.failovers, gapMs }, 'cluster failed over to a new leader');
    } else {
      this.logger.log({ leader: member.spec.name, pubkey: probe.pubkey }, 'cluster leader found');
    }
    this.previousLeader = member.spec.name;
    this.leaderLostAt = undefined;
    if (probe.permissions.granted.includes('invoices:read')) this.stream.attach(member.spec.client);
    // Its channels are inactive until each peer reconnects, and no peer knows this member's address.
    void this.channelPeers.follow(member.spec.client);
  }

  /** Permission changes are logged once by name; a refused create is forgiven once they change. */
  private noteProbe(member: MemberState, probe: NodeProbe): void {
    const fingerprint = permissionFingerprint(probe.permissions);
    // Another member's macaroon, or the same one with changed permissions: worth trying again.
    if (this.denied && (this.denied.member !== member.spec.name || this.denied.fingerprint !== fingerprint)) this.denied = undefined;
    if (fingerprint === permissionFingerprint(this.leaderProbe?.permissions)) return;
    const { verifiedBy, granted, missing, rejected } = probe.permissions;
    const assessed = assessProbe(probe);
    if (!assessed.canIssue && assessed.problem && (rejected || missing.some((p) => p.startsWith('invoices:'))))
      this.logger.error({ verifiedBy, granted, missing }, assessed.problem);
    else if (assessed.warnings.length) this.logger.warn({ verifiedBy, granted, missing }, assessed.warnings.join('; '));
  }

  /** Stops using the leader at once; the next tick (soon) looks for the new one. */
  private leaderLost(reason: string, which?: MemberState): void {
    const leader = this.leader;
    if (!leader || (which && which !== leader)) return;
    this.logger.warn({ leader: leader.spec.name, reason }, 'lost the cluster leader; looking for the new one');
    this.leader = undefined;
    this.leaderProbe = undefined;
    this.lostLeader = leader;
    this.lastError = `leader ${leader.spec.name} lost: ${reason}`;
    leader.lastError = reason;
    this.leaderLostAt = Date.now();
    this.stream.detach();
    this.channelPeers.stop();
    this.pollSoon();
  }
}

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
  });
