// Real-process Lightning test harness: btcd (regtest), lnd, etcd, lnd clusters. See README.md.
export { ln, closeLnd, type AuthenticatedLnd, type UnauthenticatedLnd } from './ln';
export { binPaths, binCacheRoot, type BinPaths } from './paths';
export { freePort, freePorts } from './ports';
export { makeTempDir, registerCleanup, registerTeardown, spawnProcess, stopAll, type ManagedProcess } from './processes';
export { sleep, waitFor, withTimeout, describeError, WaitAbort } from './wait';
export { startBtcd, BURN_ADDRESS, SEGWIT_ACTIVATION_HEIGHT, type Btcd, type StartBtcdOptions } from './btcd';
export { startLnd, createLnd, LndNode, type LndState, type StartLndOptions } from './lnd';
export {
  fund,
  connectPeers,
  openChannel,
  openChannelUnconfirmed,
  confirmChannels,
  waitSynced,
  type ChannelInfo,
  type LndPeer,
  type PendingChannel,
} from './channels';
export { startNetwork, type Network, type NetworkOptions } from './network';
export { startEtcd, type Etcd } from './etcd';
export { startLndCluster, clusterLayoutFromEnv, ClusterMember, type ClusterLayout, type LndCluster, type StartLndClusterOptions } from './cluster';
export { createLndDatabase, HARNESS_PG_ADMIN_URL, type LndDatabase } from './postgres';
