import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Subject } from 'rxjs';
import { ScheduledJob, ScheduledJobs } from '../../common/scheduled-job';
import {
  CreateInvoiceRequest,
  InvoiceRef,
  InvoiceState,
  IssuedInvoice,
  LightningBackend,
  NodeHealth,
  Settlement,
  UnknownNodeError,
} from '../lightning-backend';
import { InvoiceStream } from './invoice-stream';
import { LndClient, LndClientOptions } from './lnd-client';
import { assessProbe, isPermissionDenied, permissionFingerprint } from './permissions';

export interface LndBackendOptions extends Omit<LndClientOptions, 'name'> {
  healthIntervalMs: number;
  /** The app's scheduler; a private one when absent (a backend built outside the app). */
  jobs?: ScheduledJobs;
}

/**
 * One independent LND node. Health is probed on an interval and cached, so that choosing a node
 * for a checkout never waits on a node; every RPC is time-bounded.
 */
export class LndBackend implements LightningBackend {
  readonly amountlessInvoices = true;
  readonly settlements$ = new Subject<Settlement>();
  readonly reconnects$ = new Subject<string>();
  private readonly logger: Logger;
  private readonly client: LndClient;
  private readonly stream: InvoiceStream;
  private healthJob?: ScheduledJob;
  private probing?: Promise<void>;
  private stopped = false;
  private state: NodeHealth;
  /** Set when LND refused a create for permissions: the permissions as verified then. */
  private deniedWith?: string;
  /** Last logged permission state, so a change is logged once, not every probe. */
  private loggedPermissions?: string;

  constructor(
    readonly name: string,
    private readonly options: LndBackendOptions,
    client?: LndClient,
  ) {
    this.logger = new Logger(`LndBackend:${name}`);
    this.client = client ?? new LndClient({ ...options, name });
    this.state = {
      name,
      type: 'lnd',
      role: 'independent',
      reachable: false,
      syncedToChain: false,
      activeChannels: 0,
      inboundSats: 0,
      canIssue: false,
      checkedAt: new Date(0),
    };
    this.stream = new InvoiceStream(
      { nodeName: name },
      {
        onSettlement: (s) => this.settlements$.next(s),
        onConnected: () => {
          this.logger.log('invoice subscription (re)connected; reconciling open invoices');
          this.reconnects$.next(this.name);
        },
        onDisconnected: (err) => {
          this.logger.warn({ err: err.message }, 'invoice subscription lost; re-subscribing');
          this.state = { ...this.state, lastError: err.message };
        },
      },
    );
  }

  async start(): Promise<void> {
    this.stream.attach(this.client);
    // A node that is down at start-up must not stop the server from starting: it joins later.
    await this.probe();
    const jobs = this.options.jobs ?? new ScheduledJobs(new SchedulerRegistry());
    this.healthJob = jobs.every({ name: `lnd-health:${this.name}`, everyMs: this.options.healthIntervalMs, run: () => this.probe() });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    void this.healthJob?.stop();
    this.stream.detach();
    this.client.close();
    this.settlements$.complete();
    this.reconnects$.complete();
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<IssuedInvoice> {
    try {
      const created = await this.client.createInvoice(request.amountSats, request.description, request.expirySeconds);
      // Without info:read the probe cannot learn the pubkey; the node's own signature on the invoice names it.
      const pubkey = this.state.pubkey ?? LndClient.payeeOf(created.bolt11) ?? (await this.client.info()).pubkey;
      this.state = { ...this.state, pubkey, lastInvoiceAt: new Date() };
      return { ...created, nodeName: this.name, nodePubkey: pubkey };
    } catch (err) {
      if (isPermissionDenied(err)) {
        // A probe that verifies the same permissions again must not bring it back (it would flap):
        // it stays out until they change.
        this.deniedWith = permissionFingerprint(this.state.permissions);
        const lastError = `LND refused to create an invoice: permission denied (invoices:write); kept out until the macaroon's permissions change`;
        this.logger.error({ missing: ['invoices:write'] }, lastError);
        this.state = { ...this.state, canIssue: false, lastError };
        throw err;
      }
      // Until the next successful probe, nobody should choose this node.
      this.state = { ...this.state, canIssue: false, lastError: (err as Error).message };
      throw err;
    }
  }

  async lookupInvoice(ref: InvoiceRef): Promise<InvoiceState> {
    if (ref.nodeName !== this.name) throw new UnknownNodeError(ref.nodeName);
    return this.client.lookupInvoice(ref.paymentHash);
  }

  async cancelInvoice(ref: InvoiceRef): Promise<void> {
    if (ref.nodeName !== this.name) throw new UnknownNodeError(ref.nodeName);
    await this.client.cancelInvoice(ref.paymentHash);
  }

  health(): NodeHealth[] {
    return [this.state];
  }

  /** Runs one health probe now (coalesced with a running one). */
  probe(): Promise<void> {
    this.probing ??= this.runProbe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async runProbe(): Promise<void> {
    const wasReachable = this.state.reachable;
    const recovering = !wasReachable && this.state.checkedAt.getTime() !== 0;
    try {
      const probe = await this.client.probe();
      if (this.stopped) return;
      const assessed = assessProbe(probe);
      const fingerprint = permissionFingerprint(probe.permissions);
      if (this.deniedWith !== undefined && this.deniedWith !== fingerprint) {
        this.logger.log({ missing: probe.permissions.missing }, 'macaroon permissions changed since LND refused a create; the node is considered again');
        this.deniedWith = undefined;
        // The refusal is no longer the node's story: /health/nodes must not say "kept out" of a node that is back.
        this.state = { ...this.state, lastError: undefined };
      }
      const problem = this.deniedWith !== undefined ? this.state.lastError : assessed.problem;
      this.logPermissions(fingerprint, probe.permissions, assessed.warnings);
      this.state = {
        ...this.state,
        pubkey: probe.info?.pubkey ?? this.state.pubkey,
        reachable: true,
        syncedToChain: assessed.syncedToChain,
        activeChannels: assessed.activeChannels,
        inboundSats: assessed.inboundSats,
        infoKnown: assessed.infoKnown,
        liquidityKnown: assessed.liquidityKnown,
        permissions: probe.permissions,
        warnings: assessed.warnings,
        canIssue: assessed.canIssue && this.deniedWith === undefined,
        lastError: problem ?? this.state.lastError,
        checkedAt: new Date(),
      };
      if (!wasReachable)
        this.logger.log(
          { pubkey: this.state.pubkey, activeChannels: assessed.activeChannels, inboundSats: assessed.liquidityKnown ? assessed.inboundSats : 'unknown' },
          'node reachable',
        );
      if (recovering) {
        // A node that was unreachable (e.g. paused) may hold a subscription that silently stalled:
        // start a fresh one, which also triggers reconciliation of its open invoices.
        if (this.stream.connected) this.stream.attach(this.client);
      }
    } catch (err) {
      if (this.stopped) return;
      const message = (err as Error).message;
      if (wasReachable || this.state.checkedAt.getTime() === 0) this.logger.warn({ err: message }, 'node unreachable');
      this.state = { ...this.state, reachable: false, canIssue: false, lastError: message, checkedAt: new Date() };
    }
  }

  /** Missing permissions by name, once per change (never the macaroon itself). */
  private logPermissions(fingerprint: string, permissions: NonNullable<NodeHealth['permissions']>, warnings: string[]): void {
    if (fingerprint === this.loggedPermissions) return;
    this.loggedPermissions = fingerprint;
    const fields = { verifiedBy: permissions.verifiedBy, granted: permissions.granted, missing: permissions.missing };
    if (permissions.rejected) this.logger.error({ ...fields, reason: permissions.rejected }, 'LND rejected the macaroon: this node cannot be used');
    else if (permissions.missing.some((p) => p.startsWith('invoices:')))
      this.logger.error(fields, `macaroon lacks ${permissions.missing.join(', ')}: this node cannot issue invoices`);
    else if (warnings.length) this.logger.warn(fields, warnings.join('; '));
    else this.logger.log(fields, 'macaroon permissions verified');
  }
}
