import { Etcd3 } from 'etcd3';
import { withTimeout } from '../lnd/timeout';

/**
 * Reads LND's own leader election in etcd: every campaigning member writes a key under
 * `<db.etcd.namespace><cluster.etcd-election-prefix>`; the oldest one (lowest create revision)
 * is the leader, and its value is that member's `cluster.id`.
 */
export class EtcdElection {
  private readonly client: Etcd3;

  constructor(
    hosts: string[],
    private readonly electionKey: string,
    private readonly timeoutMs: number,
  ) {
    this.client = new Etcd3({ hosts, dialTimeout: timeoutMs });
  }

  async leaderId(): Promise<string | undefined> {
    const kvs = await withTimeout(this.client.getAll().prefix(this.electionKey).sort('Create', 'Ascend').limit(1).strings(), this.timeoutMs, 'etcd election lookup');
    return Object.values(kvs)[0];
  }

  close(): void {
    this.client.close();
  }
}
