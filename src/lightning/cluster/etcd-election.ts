import { Etcd3, Watcher } from 'etcd3';
import { withTimeout } from '../lnd/timeout';

/**
 * Reads LND's own leader election in etcd: every campaigning member writes a key under
 * `<db.etcd.namespace><cluster.etcd-election-prefix>`; the oldest one (lowest create revision)
 * is the leader, and its value is that member's `cluster.id`.
 */
export class EtcdElection {
  private readonly client: Etcd3;
  private watcher?: Promise<Watcher | undefined>;
  private closed = false;

  constructor(
    hosts: string[],
    private readonly electionKey: string,
    private readonly timeoutMs: number,
  ) {
    this.client = new Etcd3({ hosts, dialTimeout: timeoutMs });
  }

  async leaderId(): Promise<string | undefined> {
    const kvs = await withTimeout(
      this.client.getAll().prefix(this.electionKey).sort('Create', 'Ascend').limit(1).strings(),
      this.timeoutMs,
      'etcd election lookup',
    );
    return Object.values(kvs)[0];
  }

  /**
   * Calls `onChange` whenever a key under the election prefix is written or deleted: a leader's
   * key vanishes when its lease ends (killed or frozen), moments before the next member takes over.
   * Best effort: a failed watch only costs that early hint (the library re-establishes it).
   */
  watch(onChange: () => void, onError: (err: Error) => void): void {
    this.watcher ??= this.client
      .watch()
      .prefix(this.electionKey)
      .create()
      .then(
        (w) => {
          if (this.closed) {
            void w.cancel().catch(() => undefined);
            return undefined;
          }
          w.on('put', onChange);
          w.on('delete', onChange);
          w.on('error', onError);
          return w;
        },
        (err: Error) => {
          onError(err);
          return undefined;
        },
      );
  }

  close(): void {
    this.closed = true;
    void this.watcher?.then((w) => w?.cancel()).catch(() => undefined);
    this.client.close();
  }
}
