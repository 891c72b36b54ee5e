import { startBtcd, type Btcd } from './btcd';
import { confirmChannels, fund, openChannelUnconfirmed, waitSynced, type ChannelInfo, type PendingChannel } from './channels';
import { startLndCluster, type LndCluster, type StartLndClusterOptions } from './cluster';
import { startEtcd, type Etcd } from './etcd';
import { startLnd, type LndNode } from './lnd';

export interface NetworkOptions {
  /** Number of standalone merchant lnds, each with a channel from the customer (default 1). */
  merchants?: number;
  /**
   * Merchant clusters (lnd + etcd leader election), each with a channel from the customer to its
   * leader. Starts one shared etcd if non-empty. Example: [{ members: 2 }].
   */
  clusters?: Array<Omit<StartLndClusterOptions, 'btcd' | 'etcd'>>;
  /** Capacity of each customer->merchant channel (default 5,000,000 sats). */
  channelSats?: number;
  /** Sats pushed to the merchant side at open (default 0: merchants only get inbound liquidity). */
  pushSats?: number;
  /** Extra on-chain sats the customer keeps after opening the channels (default 10,000,000). */
  spareSats?: number;
  /** Extra flags for every standalone lnd. */
  extraArgs?: string[];
  /** Enable lnd REST listeners. */
  rest?: boolean;
}

export interface Network {
  btcd: Btcd;
  /** Only set when clusters were requested. */
  etcd?: Etcd;
  /** Funded payer node with one channel to every merchant and cluster. */
  customer: LndNode;
  merchants: LndNode[];
  /** channels[i] is customer -> merchants[i]. */
  channels: ChannelInfo[];
  clusters: LndCluster[];
  /** clusterChannels[i] is customer -> clusters[i] (opened with its first leader). */
  clusterChannels: ChannelInfo[];
  /** Wall-clock setup time. */
  setupMs: number;
  /** Milliseconds since start at which each setup phase finished. */
  timings: Record<string, number>;
}

/**
 * btcd + a funded "customer" lnd + N merchant lnds (+ optional merchant clusters), each merchant
 * with an active, announced channel from the customer. Everything starts in parallel, funding is
 * one mining step, and all channel opens are confirmed by one 6-block mining step.
 */
export async function startNetwork(opts: NetworkOptions = {}): Promise<Network> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const mark = (phase: string) => (timings[phase] = Date.now() - started);
  const merchantCount = opts.merchants ?? 1;
  const clusterOpts = opts.clusters ?? [];
  const channelCount = merchantCount + clusterOpts.length;
  const channelSats = opts.channelSats ?? 5_000_000;
  const pushSats = opts.pushSats ?? 0;
  const spare = opts.spareSats ?? 10_000_000;

  const [btcd, etcd] = await Promise.all([startBtcd(), clusterOpts.length ? startEtcd() : undefined]);
  mark('btcd');
  const common = { btcd, extraArgs: opts.extraArgs, rest: opts.rest };

  const customerReady = (async () => {
    const customer = await startLnd({ ...common, name: 'customer' });
    mark('customerReady');
    // One mature coinbase per channel open (plus a spare) so the opens don't wait on change outputs.
    await fund(btcd, customer, channelCount * channelSats + spare, { utxos: channelCount + 1 });
    mark('customerFunded');
    return customer;
  })();
  const merchantsReady = Promise.all(Array.from({ length: merchantCount }, (_, i) => startLnd({ ...common, name: `merchant${i + 1}` }))).then(
    (nodes) => (mark('merchantsReady'), nodes),
  );
  const clustersReady = Promise.all(clusterOpts.map((c, i) => startLndCluster({ name: `cluster${i + 1}`, rest: opts.rest, ...c, btcd, etcd: etcd! }))).then(
    (clusters) => (mark('clustersReady'), clusters),
  );
  const [customer, merchants, clusters] = await Promise.all([customerReady, merchantsReady, clustersReady]);

  // The funding step mined 100+ blocks; a fundee still catching up rejects open_channel
  // ("funding failed due to internal error"), so let everyone reach the tip first.
  const leaders = await Promise.all(clusters.map((c) => c.waitForLeader()));
  await waitSynced(btcd, [customer, ...merchants, ...leaders]);
  mark('synced');

  const pending: PendingChannel[] = [];
  for (const merchant of merchants) {
    pending.push(await openChannelUnconfirmed(customer, merchant, channelSats, pushSats));
  }
  for (const leader of leaders) {
    pending.push(await openChannelUnconfirmed(customer, leader, channelSats, pushSats));
  }
  mark('channelsOpened');
  const all = await confirmChannels(btcd, pending);
  mark('channelsActive');
  return {
    btcd,
    etcd,
    customer,
    merchants,
    channels: all.slice(0, merchants.length),
    clusters,
    clusterChannels: all.slice(merchants.length),
    setupMs: Date.now() - started,
    timings,
  };
}
