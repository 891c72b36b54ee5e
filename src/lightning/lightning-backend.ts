import { ChannelPeerHealth } from './cluster/channel-peers';
import { Observable } from 'rxjs';

export interface CreateInvoiceRequest {
  /** null: an amountless invoice, the payer chooses the amount (only where `amountlessInvoices`). */
  amountSats: number | null;
  description: string;
  expirySeconds: number;
  /** Pools keep a customer on "their" node; anonymous checkouts go round-robin. */
  customerId?: string | null;
}

export interface IssuedInvoice {
  bolt11: string;
  paymentHash: string;
  /** The leaf node (or cluster) that issued it: the invoice is watched and looked up there. */
  nodeName: string;
  nodePubkey: string;
  /** When the node stops accepting payment, as the node's own invoice says (timestamp + expiry). */
  expiresAt: Date;
}

export interface InvoiceRef {
  paymentHash: string;
  nodeName: string;
}

export interface InvoiceState {
  paymentHash: string;
  settled: boolean;
  canceled: boolean;
  settledAt?: Date;
  amountPaidSats?: number;
}

export interface Settlement {
  paymentHash: string;
  nodeName: string;
  settledAt: Date;
  amountPaidSats: number;
}

export type NodeRole = 'dev' | 'independent' | 'leader' | 'follower';

export interface NodeHealth {
  name: string;
  /** The cluster or pool a member belongs to, when it does. */
  group?: string;
  type: 'dev' | 'lnd' | 'cluster-member';
  role: NodeRole;
  pubkey?: string;
  reachable: boolean;
  syncedToChain: boolean;
  activeChannels: number;
  inboundSats: number;
  /** Healthy and (for cluster members) the leader: invoices can be created on it now. */
  canIssue: boolean;
  lastError?: string;
  lastInvoiceAt?: Date;
  checkedAt: Date;
  /** LND nodes: the macaroon's permissions as last verified (missing ones by name). */
  permissions?: { verifiedBy: 'CheckMacaroonPermissions' | 'calls'; granted: string[]; missing: string[]; rejected?: string };
  /** False when the macaroon cannot read them (no info:read / offchain:read): shown as unknown. */
  infoKnown?: boolean;
  liquidityKnown?: boolean;
  /** Issues, but the operator should know (e.g. an optional permission is missing). */
  warnings?: string[];
  /** Cluster members: leader changes seen so far, and when the last one happened. */
  failovers?: number;
  lastFailoverAt?: Date;
  /** Cluster leader: the remote node of each of its channels, connected or not. */
  channelPeers?: ChannelPeerHealth[];
  /** Cluster leader: why its channel peers could not be listed (e.g. a missing permission). */
  channelPeersError?: string;
}

/**
 * Every Lightning backend (dev, a single LND, a pool, a cluster) behind one interface. Composite
 * backends route lookups by `nodeName`, which names the leaf that issued the invoice.
 */
export interface LightningBackend {
  readonly name: string;
  /** Whether it issues amountless (zero-amount) BOLT11 invoices; absent means it does not. */
  readonly amountlessInvoices?: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  createInvoice(request: CreateInvoiceRequest): Promise<IssuedInvoice>;
  lookupInvoice(ref: InvoiceRef): Promise<InvoiceState>;
  /**
   * Cancels an open invoice on the node that issued it (LND's invoicesrpc CancelInvoice), so it can
   * no longer be paid. Resolves once the node has canceled it (or had already); rejects when the
   * node cannot be reached or the invoice is already settled, which the caller must then look up.
   */
  cancelInvoice(ref: InvoiceRef): Promise<void>;
  /** Settlements as the nodes report them, possibly more than once: applying them is idempotent. */
  readonly settlements$: Observable<Settlement>;
  /** Emits a node name whenever a node (re)connects, so its open invoices get reconciled. */
  readonly reconnects$: Observable<string>;
  /** Latest health of every leaf node; cheap (cached by the backend's own probing). */
  health(): NodeHealth[];
}

export class NoBackendAvailableError extends Error {
  constructor(detail: string) {
    super(`No Lightning node can issue this invoice: ${detail}`);
    this.name = 'NoBackendAvailableError';
  }
}

export class UnknownNodeError extends Error {
  constructor(nodeName: string) {
    super(`Unknown Lightning node "${nodeName}"`);
    this.name = 'UnknownNodeError';
  }
}
