import { resolve } from 'node:path';
import type { ScheduledJobs } from '../common/scheduled-job';
import { AppConfig, LightningBackendConfig } from '../config/app-config';
import { ClusterBackend } from './cluster/cluster-backend';
import { EtcdElection } from './cluster/etcd-election';
import { DevBackend } from './dev/dev-backend';
import { DevInvoiceStore } from './dev/dev-invoice-store';
import { LightningBackend } from './lightning-backend';
import { LndBackend } from './lnd/lnd-backend';
import { LndClient } from './lnd/lnd-client';
import { PoolBackend } from './pool/pool-backend';

/** Per-RPC bound when a backend sets none: long enough for a busy node, short enough for a checkout. */
export const DEFAULT_RPC_TIMEOUT_MS = 5000;
/** How often a cluster without a known leader is polled for one. */
const LEADER_POLL_MS = 500;

export interface BackendDeps {
  /** Where dev nodes keep their invoices (the database in the app; memory when absent). */
  devInvoices?: DevInvoiceStore;
  /** The app's scheduler, for the nodes' health probes (a private one when absent). */
  jobs?: ScheduledJobs;
}

/** Builds the configured backend tree (a pool's members may be single nodes or clusters). */
export function createBackend(spec: LightningBackendConfig, config: AppConfig, deps: BackendDeps = {}): LightningBackend {
  const healthIntervalMs = config.lightning.healthIntervalSeconds * 1000;
  const timeoutMs = spec.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  switch (spec.type) {
    case 'dev': {
      const keyPath =
        config.database.type === 'sqlite' && config.database.path !== ':memory:' ? resolve(config.database.path, '..', `${spec.name}-node.key`) : null;
      return new DevBackend(spec.name, keyPath, process.env, deps.devInvoices, spec.amountlessInvoices ?? true);
    }
    case 'lnd':
      return new LndBackend(spec.name, { socket: spec.socket!, cert: spec.cert!, macaroon: spec.macaroon!, timeoutMs, healthIntervalMs, jobs: deps.jobs });
    case 'cluster': {
      const members = (spec.clusterMembers ?? []).map((m) => ({
        name: m.name,
        clusterId: m.clusterId ?? m.name,
        client: new LndClient({ name: m.name, socket: m.socket, cert: m.cert, macaroon: m.macaroon, timeoutMs }),
      }));
      const election = spec.etcd ? new EtcdElection(spec.etcd.hosts, spec.etcd.electionKey, timeoutMs) : undefined;
      const peerAddresses = new Map<string, string[]>();
      for (const p of spec.peerAddresses ?? []) peerAddresses.set(p.pubkey.toLowerCase(), [...(peerAddresses.get(p.pubkey.toLowerCase()) ?? []), p.address]);
      return new ClusterBackend(spec.name, members, { healthIntervalMs, leaderPollMs: Math.min(LEADER_POLL_MS, healthIntervalMs), election, peerAddresses });
    }
    case 'pool': {
      const members = (spec.members ?? []).map((member) => {
        if (member.type === 'pool') throw new Error(`Pool "${spec.name}": a member cannot itself be a pool ("${member.name}")`);
        return createBackend(member, config, deps);
      });
      // One create may try several members; bound the whole attempt, not just each call.
      const requestBudgetMs = spec.timeoutMs ?? 2 * DEFAULT_RPC_TIMEOUT_MS;
      if (members.length === 0) throw new Error(`Pool "${spec.name}" has no members`);
      return new PoolBackend(spec.name, members, { minInboundSats: spec.minInboundSats ?? 0, requestBudgetMs });
    }
    default:
      throw new Error(`lightning.backend.type "${String(spec.type)}" is not supported`);
  }
}
