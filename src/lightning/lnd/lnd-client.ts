import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as bolt11 from 'bolt11';
import { invoiceExpiresAt } from '../invoice-expiry';
import { invoiceMemo } from '../invoice-memo';
import { InvoiceState, Settlement } from '../lightning-backend';
import { loadCert, loadMacaroon } from './credentials';
import { AuthenticatedLnd, closeLnd, ln, lnError, UnauthenticatedLnd } from './ln';
import { ALL_PERMISSIONS, CHECK_PERMISSION, errorText, isMacaroonRejected, isPermissionDenied, NodeProbe, Permission, PermissionCheck } from './permissions';
import { withTimeout } from './timeout';

export interface LndClientOptions {
  /** Label for errors and logs (the node or cluster member name). */
  name: string;
  socket: string;
  /** File path, PEM, or base64 of the PEM. */
  cert: string;
  /** File path, hex or base64. */
  macaroon: string;
  timeoutMs: number;
}

export interface NodeInfo {
  pubkey: string;
  syncedToChain: boolean;
  activeChannels: number;
}

/** What LND's State RPC says; `leaderCandidate` is false for WAITING_TO_START and for anything not up. */
export interface WalletState {
  state: 'waiting' | 'starting' | 'locked' | 'absent' | 'rpc_active' | 'server_active' | 'unknown';
  leaderCandidate: boolean;
}

export interface ChannelPeer {
  pubkey: string;
  /** Open channels with this peer, and how many of them are active (usable) now. */
  channels: number;
  activeChannels: number;
}

export interface CreatedInvoice {
  bolt11: string;
  paymentHash: string;
  expiresAt: Date;
}

/** ln-service types its raw gRPC services as `any`; this is the one AddInvoice call made on them. */
type AddInvoiceRpc = { addInvoice(req: object, done: (err: Error | null, res: { r_hash?: unknown; payment_request?: string }) => void): void };

/** One LND process over ln-service, with a time bound on every call. */
export class LndClient {
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly authenticated: AuthenticatedLnd;
  private readonly unauthenticated: UnauthenticatedLnd;
  /** What CheckMacaroonPermissions is asked about: the macaroon this client itself presents. */
  private readonly macaroonBase64: string;

  constructor(options: LndClientOptions) {
    this.name = options.name;
    this.timeoutMs = options.timeoutMs;
    const cert = loadCert(options.cert);
    const macaroon = loadMacaroon(options.macaroon);
    this.macaroonBase64 = Buffer.from(macaroon, 'hex').toString('base64');
    this.authenticated = ln.authenticatedLndGrpc({ socket: options.socket, cert, macaroon }).lnd;
    this.unauthenticated = ln.unauthenticatedLndGrpc({ socket: options.socket, cert }).lnd;
  }

  /**
   * AddInvoice on the raw gRPC client: its reply already holds all that is kept (the request and
   * the payment hash). ln-service's createInvoice would add a LookupInvoice round trip and decode
   * the BOLT11 twice (public-key recovery): about a third of the server's CPU per checkout.
   * The expiry is read from the returned invoice (LND's creation date + expiry), so the server never
   * expires a checkout before the node does: not later than that when the node's clock is ahead, and
   * not earlier than our clock after the reply + expiry when the node's clock is behind.
   */
  /** amountSats null: a zero-amount invoice, which LND lets the payer fill in. */
  async createInvoice(amountSats: number | null, description: string, expirySeconds: number): Promise<CreatedInvoice> {
    const request = { value_msat: (BigInt(amountSats ?? 0) * 1000n).toString(), memo: invoiceMemo(description), expiry: expirySeconds };
    const added = await this.call(
      'addInvoice',
      () =>
        new Promise<{ r_hash?: unknown; payment_request?: string }>((resolve, reject) =>
          (this.authenticated.default as AddInvoiceRpc).addInvoice(request, (err, res) => (err ? reject(err) : resolve(res))),
        ),
    );
    if (!added?.payment_request) throw new Error(`${this.name}: addInvoice returned no payment request`);
    if (!Buffer.isBuffer(added.r_hash) || added.r_hash.length !== 32) throw new Error(`${this.name}: addInvoice returned no payment hash`);
    // The node made the invoice before this reply, so it stops accepting no later than now + expiry
    // on our clock: when its clock is behind ours the invoice's own date would expire us too early.
    const latestOnOurClock = Date.now() + expirySeconds * 1000;
    const expiresAt = new Date(Math.max(invoiceExpiresAt(added.payment_request).getTime(), latestOnOurClock));
    return { bolt11: added.payment_request, paymentHash: added.r_hash.toString('hex'), expiresAt };
  }

  /** invoicesrpc CancelInvoice: voids an open invoice (of any kind, not only hold invoices). */
  async cancelInvoice(paymentHash: string): Promise<void> {
    await this.call('cancelInvoice', () => ln.cancelHodlInvoice({ lnd: this.authenticated, id: paymentHash }));
  }

  async lookupInvoice(paymentHash: string): Promise<InvoiceState> {
    const invoice = await this.call('getInvoice', () => ln.getInvoice({ lnd: this.authenticated, id: paymentHash }));
    return {
      paymentHash,
      settled: invoice.is_confirmed,
      canceled: !!invoice.is_canceled,
      settledAt: invoice.is_confirmed && invoice.confirmed_at ? new Date(invoice.confirmed_at) : undefined,
      amountPaidSats: invoice.is_confirmed ? invoice.received : undefined,
    };
  }

  async info(): Promise<NodeInfo> {
    const info = await this.call('getWalletInfo', () => ln.getWalletInfo({ lnd: this.authenticated }));
    return { pubkey: info.public_key, syncedToChain: info.is_synced_to_chain, activeChannels: info.active_channels_count };
  }

  /** Sats this node can receive now: what the peers hold on active channels above their reserve. */
  async inboundSats(): Promise<number> {
    return (await this.channels()).inboundSats;
  }

  /** Active channels and the inbound liquidity on them (offchain:read). */
  async channels(): Promise<{ activeChannels: number; inboundSats: number }> {
    const { channels } = await this.call('getChannels', () => ln.getChannels({ lnd: this.authenticated, is_active: true }));
    return { activeChannels: channels.length, inboundSats: channels.reduce((sum, c) => sum + Math.max(0, c.remote_balance - (c.remote_reserve ?? 0)), 0) };
  }

  /**
   * Which of the permissions the server uses this macaroon holds. LND's CheckMacaroonPermissions
   * (ln-service verifyAccess) needs macaroon:read itself, and answers "permission denied" both when
   * the checked permission is missing and when the caller may not ask: so first ask about
   * macaroon:read, which is true exactly when the answers that follow can be trusted. A macaroon
   * without it (LND's stock invoice.macaroon) is checked by calls that need exactly one permission
   * and change nothing. Throws when the node cannot be asked (unreachable, not started).
   */
  async verifyPermissions(): Promise<PermissionCheck> {
    let canCheck: boolean;
    try {
      canCheck = await this.hasPermission(CHECK_PERMISSION);
    } catch (err) {
      // LND's own reason, without our call label and ln-service's wrapper code.
      if (isMacaroonRejected(err))
        return { verifiedBy: 'CheckMacaroonPermissions', granted: [], missing: [...ALL_PERMISSIONS], rejected: errorText(err).replace(/^.*\(\d{3}\): /, '') };
      throw err;
    }
    const verifiedBy = canCheck ? ('CheckMacaroonPermissions' as const) : ('calls' as const);
    // The usual case, a macaroon with everything, costs one call; only a "no" is broken down by name.
    if (canCheck && (await this.hasPermission(...ALL_PERMISSIONS))) return { verifiedBy, granted: [...ALL_PERMISSIONS], missing: [] };
    const results = await Promise.all(ALL_PERMISSIONS.map(async (p) => [p, canCheck ? await this.hasPermission(p) : await this.provePermission(p)] as const));
    return { verifiedBy, granted: results.filter(([, ok]) => ok).map(([p]) => p), missing: results.filter(([, ok]) => !ok).map(([p]) => p) };
  }

  /** Permissions first, then what they allow to be read; one call each, in parallel where possible. */
  async probe(): Promise<NodeProbe> {
    const permissions = await this.verifyPermissions();
    if (permissions.rejected) return { permissions };
    const granted = (p: Permission) => permissions.granted.includes(p);
    const [info, channels] = await Promise.all([granted('info:read') ? this.info() : undefined, granted('offchain:read') ? this.channels() : undefined]);
    return { permissions, info, channels };
  }

  /**
   * Proves invoices:read without info:read (the stock invoice.macaroon has no info:read): a lookup
   * of a random hash is let through and answers "not found". Used to confirm that an invoice
   * subscription on this node can deliver.
   */
  async confirmInvoiceAccess(): Promise<void> {
    if (!(await this.provePermission('invoices:read'))) throw new Error(`${this.name}: permission denied (macaroon lacks invoices:read)`);
  }

  /** The node's pubkey from an invoice it signed, for nodes whose macaroon cannot call GetInfo. */
  static payeeOf(paymentRequest: string): string | undefined {
    try {
      return bolt11.decode(paymentRequest).payeeNodeKey;
    } catch {
      return undefined;
    }
  }

  private async hasPermission(...permissions: string[]): Promise<boolean> {
    const { is_valid } = await this.call('verifyAccess', () => ln.verifyAccess({ lnd: this.authenticated, macaroon: this.macaroonBase64, permissions }));
    return is_valid;
  }

  /** True when the node lets through a call needing exactly this permission; false on "permission denied". */
  private async provePermission(permission: Permission): Promise<boolean> {
    const hash = randomBytes(32);
    const raw = this.authenticated as unknown as Record<string, Record<string, (req: object, done: (err: Error | null) => void) => void>>;
    const calls: Record<Permission, () => Promise<unknown>> = {
      'invoices:write': () =>
        new Promise((resolve, reject) => raw.invoices.cancelInvoice({ payment_hash: hash }, (err) => (err ? reject(err) : resolve(null)))),
      'invoices:read': () => new Promise((resolve, reject) => raw.default.lookupInvoice({ r_hash: hash }, (err) => (err ? reject(err) : resolve(null)))),
      'info:read': () => new Promise((resolve, reject) => raw.default.getInfo({}, (err) => (err ? reject(err) : resolve(null)))),
      'offchain:read': () => new Promise((resolve, reject) => raw.default.listChannels({ active_only: true }, (err) => (err ? reject(err) : resolve(null)))),
    };
    try {
      await withTimeout(calls[permission](), this.timeoutMs, `${this.name} ${permission} check`);
      return true;
    } catch (err) {
      if (isPermissionDenied(err)) return false;
      // Let through and refused for the random hash: the permission is there.
      if (/unable to locate invoice|not found|there are no existing invoices/i.test(errorText(err))) return true;
      throw new Error(`${this.name} ${permission} check: ${errorText(err)}`);
    }
  }

  /** The State RPC (no macaroon): how cluster members tell the leader from the followers. */
  async walletState(): Promise<WalletState> {
    const s = await this.call('getWalletStatus', () => ln.getWalletStatus({ lnd: this.unauthenticated }));
    if (s.is_waiting) return { state: 'waiting', leaderCandidate: false };
    if (s.is_ready) return { state: 'server_active', leaderCandidate: true };
    if (s.is_active) return { state: 'rpc_active', leaderCandidate: true };
    if (s.is_starting) return { state: 'starting', leaderCandidate: false };
    if (s.is_locked) return { state: 'locked', leaderCandidate: false };
    if (s.is_absent) return { state: 'absent', leaderCandidate: false };
    return { state: 'unknown', leaderCandidate: false };
  }

  /**
   * LND's SubscribeState stream (no macaroon): pushes the current state, then every change. A
   * follower waiting in the election announces SERVER_ACTIVE the moment it has taken over, without
   * the server polling for it. Emits 'waiting', 'starting', 'locked', 'absent', 'active', 'ready', 'error'.
   */
  subscribeState(): EventEmitter {
    return ln.subscribeToWalletStatus({ lnd: this.unauthenticated });
  }

  /** The remote node of every open channel (active or not: a channel is inactive exactly while its peer is away). */
  async channelPeers(): Promise<ChannelPeer[]> {
    const { channels } = await this.call('getChannels', () => ln.getChannels({ lnd: this.authenticated }));
    const peers = new Map<string, ChannelPeer>();
    for (const c of channels) {
      const peer = peers.get(c.partner_public_key) ?? { pubkey: c.partner_public_key, activeChannels: 0, channels: 0 };
      peer.channels++;
      if (c.is_active) peer.activeChannels++;
      peers.set(peer.pubkey, peer);
    }
    return [...peers.values()];
  }

  /** Public keys of the peers connected right now. */
  async connectedPeers(): Promise<Set<string>> {
    const { peers } = await this.call('getPeers', () => ln.getPeers({ lnd: this.authenticated }));
    return new Set(peers.map((p) => p.public_key));
  }

  /** The p2p addresses a node announces in the graph (none when it announces none or is unknown). */
  async nodeAddresses(pubkey: string): Promise<string[]> {
    try {
      const node = await this.call('getNode', () => ln.getNode({ lnd: this.authenticated, public_key: pubkey, is_omitting_channels: true }));
      return node.sockets.map((s) => s.socket);
    } catch (err) {
      if (/NodeIsUnknown|unable to find node/i.test((err as Error).message)) return [];
      throw err;
    }
  }

  /**
   * ConnectPeer, synchronous (not `perm`), so the answer says whether it worked; a channel peer
   * stays one LND reconnects to by itself after a later disconnect. "Already connected" counts as done.
   */
  async connectPeer(pubkey: string, address: string): Promise<void> {
    // LND's own dial timeout below the call's bound, so LND gives up before we stop waiting.
    const dialMs = Math.max(1000, this.timeoutMs - 500);
    await this.call('connectPeer', () =>
      ln.addPeer({ lnd: this.authenticated, public_key: pubkey, socket: address, is_temporary: true, retry_count: 0, timeout: dialMs }),
    );
  }

  /** The raw invoice subscription; InvoiceStream owns its life cycle. */
  subscribeInvoices(): EventEmitter {
    return ln.subscribeToInvoices({ lnd: this.authenticated });
  }

  close(): void {
    closeLnd(this.authenticated);
    closeLnd(this.unauthenticated);
  }

  private async call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(run(), this.timeoutMs, `${this.name} ${method}`);
    } catch (err) {
      const error = lnError(err);
      if (!error.message.startsWith(this.name)) error.message = `${this.name} ${method}: ${error.message}`;
      throw error;
    }
  }
}

/** The settlement an `invoice_updated` event describes, if it is one. */
export function settlementOf(nodeName: string, invoice: { id: string; is_confirmed: boolean; confirmed_at?: string; received: number }): Settlement | null {
  if (!invoice.is_confirmed) return null;
  return { paymentHash: invoice.id, nodeName, settledAt: invoice.confirmed_at ? new Date(invoice.confirmed_at) : new Date(), amountPaidSats: invoice.received };
}
