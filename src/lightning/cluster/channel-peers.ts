import { Logger } from '@nestjs/common';
import { LndClient } from '../lnd/lnd-client';
import { isPermissionDenied } from '../lnd/permissions';

/** LND's answer to ConnectPeer while its server is still starting (ln-service words it differently). */
const NOT_STARTED = /still in the process of starting|server not active|StillSyncing/i;
const STARTING_RETRY_MS = 250;

/** A refusal names the permission the macaroon lacks for that call (LND's own answer names none). */
function explained(err: unknown, permission: string): string {
  const message = (err as Error).message;
  return isPermissionDenied(err) ? `${message} (the macaroon lacks ${permission})` : message;
}
/**
 * Graph addresses tried per dial: the graph is gossip the peer controls, and each dial of an
 * unreachable address may take a whole RPC timeout (configured addresses are always all tried).
 */
const MAX_GRAPH_ADDRESSES = 4;

/** What `/health/nodes` shows per channel peer of the cluster leader. */
export interface ChannelPeerHealth {
  pubkey: string;
  connected: boolean;
  /** Open channels with this peer, and how many are active now. */
  channels: number;
  activeChannels: number;
  lastAttemptAt?: Date;
  lastError?: string;
}

export interface ChannelPeersOptions {
  /** Per-peer p2p addresses from configuration, tried before the graph's. */
  addresses: ReadonlyMap<string, string[]>;
  /** A disconnected peer is dialled again at most this often. */
  retryMs: number;
  /** After a dial that worked: the caller re-reads the leader's channels (they turn active). */
  onConnected?: () => void;
}

/**
 * Keeps the cluster leader connected to the remote nodes of its channels. A new leader has a new
 * p2p address and its channels stay inactive until each peer is connected again; the peer cannot
 * know the new address, and LND's own reconnect only knows addresses from the graph and from past
 * connections. So the leader is asked to dial each channel peer (configured addresses first, then
 * the graph's) at once after every leader change, and again while one stays disconnected.
 */
export class ChannelPeers {
  private peers = new Map<string, ChannelPeerHealth>();
  private client?: LndClient;
  private refreshing?: Promise<void>;
  /** Peers being dialled by the current leader (a new leader starts afresh: the old one's dials may hang). */
  private dialing = new Set<string>();
  lastError?: string;

  constructor(
    private readonly logger: Logger,
    private readonly options: ChannelPeersOptions,
  ) {}

  /** A new leader: forget the old one's view and dial every channel peer now. */
  follow(client: LndClient): Promise<void> {
    this.client = client;
    this.peers = new Map();
    this.dialing = new Set();
    this.lastError = undefined;
    this.refreshing = undefined;
    return this.refresh();
  }

  stop(): void {
    this.client = undefined;
    this.peers = new Map();
  }

  health(): ChannelPeerHealth[] {
    return [...this.peers.values()].map((p) => ({ ...p }));
  }

  /** Re-reads channels and connected peers; dials those that are away (no more often than retryMs). */
  refresh(): Promise<void> {
    this.refreshing ??= this.runRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async runRefresh(): Promise<void> {
    const client = this.client;
    if (!client) return;
    let channelPeers: Awaited<ReturnType<LndClient['channelPeers']>>;
    let connected: Set<string>;
    try {
      [channelPeers, connected] = await Promise.all([
        client.channelPeers().catch((err: unknown) => Promise.reject(new Error(explained(err, 'offchain:read')))),
        client.connectedPeers().catch((err: unknown) => Promise.reject(new Error(explained(err, 'peers:read')))),
      ]);
    } catch (err) {
      // e.g. a macaroon without offchain:read or peers:read: issuing still works, this does not.
      if (client === this.client) this.lastError = `channel peers: ${(err as Error).message}`;
      return;
    }
    if (client !== this.client) return;
    this.lastError = undefined;
    const next = new Map<string, ChannelPeerHealth>();
    for (const p of channelPeers) {
      const before = this.peers.get(p.pubkey);
      next.set(p.pubkey, {
        pubkey: p.pubkey,
        connected: connected.has(p.pubkey),
        channels: p.channels,
        activeChannels: p.activeChannels,
        lastAttemptAt: before?.lastAttemptAt,
        lastError: connected.has(p.pubkey) ? undefined : before?.lastError,
      });
    }
    this.peers = next;
    const now = Date.now();
    for (const peer of next.values()) {
      if (peer.connected || this.dialing.has(peer.pubkey)) continue;
      if (peer.lastAttemptAt && now - peer.lastAttemptAt.getTime() < this.options.retryMs) continue;
      void this.dial(client, peer);
    }
  }

  private async dial(client: LndClient, peer: ChannelPeerHealth): Promise<void> {
    const dialing = this.dialing;
    dialing.add(peer.pubkey);
    peer.lastAttemptAt = new Date();
    const errors: string[] = [];
    try {
      const addresses = [...(this.options.addresses.get(peer.pubkey) ?? [])];
      try {
        const fromGraph = (await client.nodeAddresses(peer.pubkey)).filter((a) => !addresses.includes(a));
        addresses.push(...fromGraph.slice(0, MAX_GRAPH_ADDRESSES));
      } catch (err) {
        errors.push(explained(err, 'info:read'));
      }
      if (addresses.length === 0) errors.push('no address: not configured and none announced in the graph');
      for (const address of addresses) {
        if (client !== this.client) return;
        try {
          await client.connectPeer(peer.pubkey, address);
          const current = this.peers.get(peer.pubkey);
          if (client !== this.client || !current) return;
          current.connected = true;
          current.lastError = undefined;
          this.logger.log({ leader: client.name, peer: peer.pubkey }, 'cluster leader connected to a channel peer');
          this.options.onConnected?.();
          return;
        } catch (err) {
          errors.push(explained(err, 'peers:write'));
        }
      }
      const current = this.peers.get(peer.pubkey);
      if (client !== this.client || !current) return;
      current.lastError = errors.join('; ');
      if (errors.every((e) => NOT_STARTED.test(e))) {
        // Taken as leader at RPC_ACTIVE, a moment before its p2p server runs: try again at once, not a health interval later.
        current.lastAttemptAt = undefined;
        setTimeout(() => void this.refresh(), STARTING_RETRY_MS).unref();
        return;
      }
      this.logger.warn(
        { leader: client.name, peer: peer.pubkey, error: current.lastError },
        'cluster leader could not connect to a channel peer; retrying later',
      );
    } finally {
      dialing.delete(peer.pubkey);
    }
  }
}
