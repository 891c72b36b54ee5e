import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Etcd3 } from 'etcd3';
import { AppConfig } from '../config/app-config';

/** The app's etcd client, or null when `etcd.hosts` is empty (single replica, embedded setup). */
@Injectable()
export class EtcdConnection implements OnApplicationShutdown {
  readonly client: Etcd3 | null;
  readonly namespace: string;

  constructor(config: AppConfig) {
    this.namespace = config.etcd.namespace;
    this.client = config.etcd.hosts.length
      ? new Etcd3({
          hosts: config.etcd.hosts,
          dialTimeout: 2000,
          // Unary calls are bounded so a hung etcd cannot hang a health check or a campaign step.
          defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 3000 }),
        })
      : null;
  }

  get configured(): boolean {
    return this.client !== null;
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }
}
