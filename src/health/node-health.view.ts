import { NodeHealth } from '../lightning/lightning-backend';

export interface NodeHealthView {
  name: string;
  group: string | null;
  type: NodeHealth['type'];
  role: NodeHealth['role'];
  pubkey: string | null;
  reachable: boolean;
  /** null: not known, the macaroon lacks info:read. */
  syncedToChain: boolean | null;
  activeChannels: number;
  /** null: not known, the macaroon lacks offchain:read (`liquidity: 'unknown'`). */
  inboundSats: number | null;
  liquidity: 'known' | 'unknown';
  canIssue: boolean;
  /** LND nodes: the macaroon's permissions by name, as last verified. */
  permissions: { verifiedBy: string; granted: string[]; missing: string[]; rejected: string | null } | null;
  warnings: string[];
  lastError: string | null;
  lastInvoiceAt: string | null;
  checkedAt: string;
  /** Cluster members: leader changes seen so far, and the last one. */
  failovers?: number;
  lastFailoverAt?: string | null;
  /** Cluster leader: each channel peer and whether the leader is connected to it now. */
  channelPeers?: ChannelPeerView[];
  channelPeersError?: string | null;
}

export interface ChannelPeerView {
  pubkey: string;
  connected: boolean;
  channels: number;
  activeChannels: number;
  lastAttemptAt: string | null;
  lastError: string | null;
}

/** Long base64/hex runs could be credentials echoed in an error; health is unauthenticated. */
const LONG_TOKEN = /[A-Za-z0-9+/=_-]{48,}/g;

/** Dial errors name the peer's address (`dial tcp 10.0.0.5:9735: ...`); health shows no sockets. */
const SOCKET = /(\[[0-9a-fA-F:.]+\]|\b\d{1,3}(\.\d{1,3}){3}|\b[A-Za-z0-9.-]+\.onion):\d{1,5}\b/g;

export function sanitizeError(message: string | undefined): string | null {
  if (!message) return null;
  const clean = message.replace(LONG_TOKEN, '[redacted]').replace(SOCKET, '[address]');
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
}

const iso = (d: Date | string | undefined) => (d ? new Date(d).toISOString() : null);

/** Only names and state: no sockets, certificates or macaroons. */
export function nodeHealthView(n: NodeHealth): NodeHealthView {
  return {
    name: n.name,
    group: n.group ?? null,
    type: n.type,
    role: n.role,
    pubkey: n.pubkey ?? null,
    reachable: n.reachable,
    syncedToChain: n.infoKnown === false ? null : n.syncedToChain,
    activeChannels: n.activeChannels,
    inboundSats: n.liquidityKnown === false ? null : n.inboundSats,
    liquidity: n.liquidityKnown === false ? 'unknown' : 'known',
    canIssue: n.canIssue,
    permissions: n.permissions
      ? {
          verifiedBy: n.permissions.verifiedBy,
          granted: n.permissions.granted,
          missing: n.permissions.missing,
          rejected: sanitizeError(n.permissions.rejected),
        }
      : null,
    warnings: n.warnings ?? [],
    lastError: sanitizeError(n.lastError),
    lastInvoiceAt: iso(n.lastInvoiceAt),
    checkedAt: iso(n.checkedAt) ?? new Date().toISOString(),
    ...(n.failovers !== undefined ? { failovers: n.failovers, lastFailoverAt: iso(n.lastFailoverAt) } : {}),
    ...(n.channelPeers
      ? {
          channelPeers: n.channelPeers.map((p) => ({
            pubkey: p.pubkey,
            connected: p.connected,
            channels: p.channels,
            activeChannels: p.activeChannels,
            lastAttemptAt: iso(p.lastAttemptAt),
            lastError: sanitizeError(p.lastError),
          })),
          channelPeersError: sanitizeError(n.channelPeersError),
        }
      : {}),
  };
}
