import type { Btcd } from './btcd';
import { ln } from './ln';
import type { LndNode } from './lnd';
import { waitFor } from './wait';

/** Anything with an ln-service handle, a pubkey and a p2p address (LndNode, cluster leader). */
export interface LndPeer {
  readonly name: string;
  readonly lnd: LndNode['lnd'];
  readonly pubkey: string;
  readonly p2pSocket: string;
}

export interface ChannelInfo {
  /** Short channel id (e.g. "105x1x0"). */
  id: string;
  transactionId: string;
  transactionVout: number;
  capacity: number;
  from: string;
  to: string;
}

const COINBASE_MATURITY = 100;
const REGTEST_HALVING_INTERVAL = 150;

/** Waits until every node reports is_synced_to_chain at btcd's current height. */
export async function waitSynced(btcd: Btcd, nodes: Array<Pick<LndPeer, 'name' | 'lnd'>>, timeoutMs = 120_000): Promise<void> {
  const height = await btcd.height();
  await Promise.all(
    nodes.map((node) =>
      waitFor(
        `${node.name} to sync to height ${height}`,
        async () => {
          const info = await ln.getWalletInfo({ lnd: node.lnd });
          return info.current_block_height >= height && info.is_synced_to_chain;
        },
        { timeoutMs, intervalMs: 100 },
      ),
    ),
  );
}

/** Number of regtest coinbases needed for `sats` at the current height (subsidy halves every 150 blocks). */
async function coinbasesFor(btcd: Btcd, sats: number): Promise<number> {
  const next = (await btcd.height()) + 1;
  const subsidy = Math.floor(50e8 / 2 ** Math.floor(next / REGTEST_HALVING_INTERVAL));
  if (subsidy < 1e6) throw new Error('regtest chain too long for coinbase funding');
  return Math.max(1, Math.ceil(sats / (subsidy * 0.95)));
}

/**
 * Gives `node` at least `sats` of confirmed, spendable on-chain funds: mines coinbases straight to
 * a fresh address of the node plus 99 more blocks (to the same address) for coinbase maturity.
 * `utxos` forces a minimum number of separate mature coinbase outputs (one per parallel channel
 * open). Resolves when the node's confirmed chain balance is >= sats.
 */
export async function fund(btcd: Btcd, node: LndPeer, sats: number, opts: { utxos?: number } = {}): Promise<void> {
  const { chain_balance: before } = await ln.getChainBalance({ lnd: node.lnd });
  const k = Math.max(opts.utxos ?? 1, await coinbasesFor(btcd, sats));
  const { address } = await ln.createChainAddress({ lnd: node.lnd, format: 'p2wpkh' });
  await btcd.mine(k + COINBASE_MATURITY - 1, address);
  await waitFor(`${node.name} chain balance >= ${sats}`, async () => (await ln.getChainBalance({ lnd: node.lnd })).chain_balance >= before + sats, {
    timeoutMs: 120_000,
    intervalMs: 200,
  });
}

/** Connects `from` to `to` over p2p (no-op if already connected) and waits until both see the peer. */
export async function connectPeers(from: LndPeer, to: LndPeer): Promise<void> {
  await waitFor(
    `${from.name} to connect to ${to.name} (${to.p2pSocket})`,
    async () => {
      const peers = (await ln.getPeers({ lnd: from.lnd })).peers;
      if (!peers.some((p) => p.public_key === to.pubkey)) {
        await ln.addPeer({ lnd: from.lnd, public_key: to.pubkey, socket: to.p2pSocket, timeout: 10_000 });
      }
      return (await ln.getPeers({ lnd: to.lnd })).peers.some((p) => p.public_key === from.pubkey);
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

export interface PendingChannel {
  from: LndPeer;
  to: LndPeer;
  transactionId: string;
  transactionVout: number;
  capacity: number;
}

/** Connects and sends open_channel; returns once the funding tx is broadcast (not confirmed). */
export async function openChannelUnconfirmed(
  from: LndPeer,
  to: LndPeer,
  sats: number,
  pushSats = 0,
  opts: { isPrivate?: boolean } = {},
): Promise<PendingChannel> {
  await connectPeers(from, to);
  const res = await ln.openChannel({
    lnd: from.lnd,
    local_tokens: sats,
    give_tokens: pushSats || undefined,
    partner_public_key: to.pubkey,
    chain_fee_tokens_per_vbyte: 2,
    is_private: opts.isPrivate ?? false,
  });
  return { from, to, transactionId: res.transaction_id, transactionVout: res.transaction_vout, capacity: sats };
}

/**
 * Mines the funding transactions of `pending` (waits until they are in btcd's mempool, then mines
 * 6 blocks so the channels are also announced) and waits until every channel is active on both
 * sides and present in the funder's graph.
 */
export async function confirmChannels(btcd: Btcd, pending: PendingChannel[]): Promise<ChannelInfo[]> {
  if (!pending.length) return [];
  await waitFor(
    'funding transactions in the mempool',
    async () => {
      const mempool = await btcd.rpc<string[]>('getrawmempool');
      return pending.every((p) => mempool.includes(p.transactionId));
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  await btcd.mine(6);
  return Promise.all(
    pending.map(async (p) => {
      const find = async (node: LndPeer) =>
        (await ln.getChannels({ lnd: node.lnd })).channels.find(
          (c) => c.transaction_id === p.transactionId && c.transaction_vout === p.transactionVout && c.is_active,
        );
      const chan = await waitFor(`channel ${p.from.name}->${p.to.name} active at ${p.from.name}`, () => find(p.from), {
        timeoutMs: 120_000,
        intervalMs: 100,
      });
      await waitFor(`channel ${p.from.name}->${p.to.name} active at ${p.to.name}`, () => find(p.to), {
        timeoutMs: 120_000,
        intervalMs: 100,
      });
      await waitFor(`channel ${chan.id} in ${p.from.name}'s graph`, () => ln.getChannel({ lnd: p.from.lnd, id: chan.id }), {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      return {
        id: chan.id,
        transactionId: p.transactionId,
        transactionVout: p.transactionVout,
        capacity: p.capacity,
        from: p.from.pubkey,
        to: p.to.pubkey,
      };
    }),
  );
}

/** openChannelUnconfirmed + confirmChannels for one channel. */
export async function openChannel(
  btcd: Btcd,
  from: LndPeer,
  to: LndPeer,
  sats: number,
  pushSats = 0,
  opts: { isPrivate?: boolean } = {},
): Promise<ChannelInfo> {
  const pending = await openChannelUnconfirmed(from, to, sats, pushSats, opts);
  const [channel] = await confirmChannels(btcd, [pending]);
  return channel;
}
