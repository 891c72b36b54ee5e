import { Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import { CreateInvoiceRequest, InvoiceRef, InvoiceState, IssuedInvoice, LightningBackend, NoBackendAvailableError, NodeHealth, Settlement, UnknownNodeError } from '../lightning-backend';
import { InvoiceStream } from '../lnd/invoice-stream';
import { LndClient, WalletState } from '../lnd/lnd-client';
import { assessProbe, isPermissionDenied, NodeProbe, permissionFingerprint, ProbeAssessment } from '../lnd/permissions';
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
}

interface MemberState {
  spec: ClusterMemberSpec;
  wallet?: WalletState;
  reachable: boolean;
  lastError?: string;
  checkedAt: Date;
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

/**
 * The LND processes of one LND cluster (shared identity and etcd database; only the elected
 * leader serves). Issues and looks up on the leader only; when the leader goes away it finds the
 * new one, re-subscribes there and asks for reconciliation. Appears as ONE node named after the
 * cluster, since every member has the same pubkey and invoice database.
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
  private leader?: MemberState;
  private leaderProbe?: LeaderProbe;
  private previousLeader?: string;
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
  private stopped = false;

  constructor(
    readonly name: string,
    members: ClusterMemberSpec[],
    private readonly options: ClusterOptions,
  ) {
    if (members.length === 0) throw new Error(`Cluster "${name}" has no members`);
    this.logger = new Logger(`ClusterBackend:${name}`);
    this.members = members.map((spec) => ({ spec, reachable: false, checkedAt: new Date(0) }));
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
  }

  get leaderName(): string | undefined {
    return this.leader?.spec.name;
  }

  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stream.detach();
    for (const m of this.members) m.spec.client.close();
    this.options.election?.close();
    this.settlements$.complete();
    this.reconnects$.complete();
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<IssuedInvoice> {
    const leader = this.leader;
    const probe = this.leaderProbe;
    if (!leader || !probe) throw new NoBackendAvailableError(`cluster "${this.name}" has no leader right now`);
    // The leader is a fact of the cluster; whether it can issue is ours to check (channels, permissions).
    if (!this.leaderCanIssue(probe)) throw new NoBackendAvailableError(`cluster "${this.name}": leader ${leader.spec.name} cannot issue (${this.issueProblem(probe)})`);
    try {
      const created = await leader.spec.client.createInvoice(request.amountSats, request.description, request.expirySeconds);
      this.lastInvoiceAt = new Date();
      probe.pubkey ??= LndClient.payeeOf(created.bolt11);
      return { ...created, nodeName: this.name, nodePubkey: probe.pubkey ?? '' };
    } catch (err) {
      if (isPermissionDenied(err)) {
        // Not a lost leader: the same leader with the same permissions must stay out until they change.
        this.denied = { member: leader.spec.name, fingerprint: permissionFingerprint(probe.permissions) };
        this.logger.error({ leader: leader.spec.name, missing: ['invoices:write'] }, 'LND refused to create an invoice: permission denied; kept out until the macaroon permissions change');
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

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.leader ? this.options.healthIntervalMs : this.options.leaderPollMs;
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

  private async runTick(): Promise<void> {
    await Promise.all(this.members.map((m) => this.refreshState(m)));
    if (this.stopped) return;
    if (this.leader) {
      if (!this.leader.wallet?.leaderCandidate) this.leaderLost(`state is ${this.leader.wallet?.state ?? 'unreachable'}`);
      else await this.probeLeader(this.leader);
    }
    if (!this.leader) await this.elect();
  }

  private async refreshState(member: MemberState): Promise<void> {
    try {
      member.wallet = await member.spec.client.walletState();
      member.reachable = true;
      member.lastError = undefined;
    } catch (err) {
      member.wallet = undefined;
      member.reachable = false;
      member.lastError = (err as Error).message;
    }
    member.checkedAt = new Date();
  }

  private async probeLeader(leader: MemberState): Promise<void> {
    try {
      const probe = await leader.spec.client.probe();
      if (leader !== this.leader) return;
      this.noteProbe(leader, probe);
      this.leaderProbe = leaderProbeOf(probe, this.leaderProbe);
      // Attached only once the macaroon can read invoices (otherwise it would fail and re-elect in a loop).
      if (!this.stream.attachedTo && probe.permissions.granted.includes('invoices:read')) this.stream.attach(leader.spec.client);
    } catch (err) {
      this.leaderLost(`health probe: ${(err as Error).message}`, leader);
    }
  }

  private async elect(): Promise<void> {
    const candidates = this.members.filter((m) => m.wallet?.leaderCandidate);
    if (candidates.length === 0) return;
    let ordered = candidates;
    if (this.options.election) {
      try {
        const elected = await this.options.election.leaderId();
        // A paused-then-resumed old leader may still call itself active until it notices it lost
        // its lease; etcd says who really holds it.
        ordered = candidates.filter((m) => m.spec.clusterId === elected);
        if (ordered.length === 0) {
          this.lastError = `etcd names ${elected ?? 'no one'} as leader; no active member matches`;
          return;
        }
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'etcd election lookup failed; trusting the State RPC alone');
      }
    }
    for (const candidate of ordered) {
      try {
        // The State RPC needs no macaroon; verifying the macaroon's permissions proves the member
        // answers authenticated calls (and tells whether it can issue).
        const probe = await candidate.spec.client.probe();
        if (this.stopped || this.leader) return;
        this.noteProbe(candidate, probe);
        this.becomeLeader(candidate, leaderProbeOf(probe));
        return;
      } catch (err) {
        candidate.lastError = (err as Error).message;
      }
    }
  }

  private becomeLeader(member: MemberState, probe: LeaderProbe): void {
    this.leader = member;
    this.leaderProbe = probe;
    this.lastError = undefined;
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
  }

  /** Permission changes are logged once by name; a refused create is forgiven once they change. */
  private noteProbe(member: MemberState, probe: NodeProbe): void {
    const fingerprint = permissionFingerprint(probe.permissions);
    // Another member's macaroon, or the same one with changed permissions: worth trying again.
    if (this.denied && (this.denied.member !== member.spec.name || this.denied.fingerprint !== fingerprint)) this.denied = undefined;
    if (fingerprint === permissionFingerprint(this.leaderProbe?.permissions)) return;
    const { verifiedBy, granted, missing, rejected } = probe.permissions;
    const assessed = assessProbe(probe);
    if (!assessed.canIssue && assessed.problem && (rejected || missing.some((p) => p.startsWith('invoices:')))) this.logger.error({ verifiedBy, granted, missing }, assessed.problem);
    else if (assessed.warnings.length) this.logger.warn({ verifiedBy, granted, missing }, assessed.warnings.join('; '));
  }

  /** Stops using the leader at once; the next tick (soon) looks for the new one. */
  private leaderLost(reason: string, which?: MemberState): void {
    const leader = this.leader;
    if (!leader || (which && which !== leader)) return;
    this.logger.warn({ leader: leader.spec.name, reason }, 'lost the cluster leader; looking for the new one');
    this.leader = undefined;
    this.leaderProbe = undefined;
    this.lastError = `leader ${leader.spec.name} lost: ${reason}`;
    leader.lastError = reason;
    this.leaderLostAt = Date.now();
    this.stream.detach();
    this.pollSoon();
  }
}
