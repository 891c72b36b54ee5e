import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { isObservable, Observable, Subscription } from 'rxjs';
import { LightningService } from '../lightning/lightning.service';
import { NodeHealth } from '../lightning/lightning-backend';
import { MetricsService } from './metrics.service';

/**
 * Node gauges read from the backends' cached health on every scrape, so they are never stale.
 * Failovers: read from `NodeHealth.failovers` (running totals per cluster); a backend may also
 * expose `failovers$` (an Observable of the group name), each emission counting one failover.
 */
@Injectable()
export class LightningNodeCollector implements OnModuleInit, OnModuleDestroy {
  private subscription?: Subscription;

  constructor(
    private readonly lightning: LightningService,
    private readonly metrics: MetricsService,
  ) {
    const registers = [metrics.registry];
    const gauge = (name: string, help: string, value: (n: NodeHealth) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['node', 'group', 'role'] as const,
        registers,
        collect() {
          this.reset();
          for (const node of safeHealth(lightning)) this.set({ node: node.name, group: node.group ?? '', role: node.role }, value(node));
        },
      });
    gauge('lightning_node_up', 'Node reachable (1) or not (0).', (n) => (n.reachable ? 1 : 0));
    gauge('lightning_node_can_issue', 'Node can issue invoices now: healthy and, in a cluster, the leader.', (n) => (n.canIssue ? 1 : 0));
    gauge('lightning_node_synced_to_chain', 'Node synced to the chain (1) or not (0).', (n) => (n.syncedToChain ? 1 : 0));
    gauge('lightning_node_inbound_sats', 'Inbound liquidity of the node, in sats.', (n) => n.inboundSats);
    gauge('lightning_node_active_channels', 'Active channels of the node.', (n) => n.activeChannels);
  }

  onModuleInit(): void {
    // Cluster backends count their leader changes in health(); report the largest per group.
    this.metrics.setFailoverCountSource(() => {
      const totals: Record<string, number> = {};
      for (const node of safeHealth(this.lightning)) {
        if (node.failovers === undefined) continue;
        const group = node.group ?? node.name;
        totals[group] = Math.max(totals[group] ?? 0, node.failovers);
      }
      return totals;
    });
    const failovers$ = (this.lightning.backend as { failovers$?: unknown }).failovers$;
    if (isObservable(failovers$)) this.subscription = (failovers$ as Observable<string>).subscribe((group) => this.metrics.failover(String(group)));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}

function safeHealth(lightning: LightningService): NodeHealth[] {
  try {
    return lightning.health();
  } catch {
    return [];
  }
}
