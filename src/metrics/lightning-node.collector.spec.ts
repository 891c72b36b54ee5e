import { Subject } from 'rxjs';
import { LightningService } from '../lightning/lightning.service';
import { LightningNodeCollector } from './lightning-node.collector';
import { MetricsService } from './metrics.service';

describe('LightningNodeCollector', () => {
  it('counts each failover a pool reports under its group', async () => {
    const failovers$ = new Subject<string>();
    const lightning = { backend: { failovers$ }, health: () => [] } as unknown as LightningService;
    const metrics = new MetricsService();
    const collector = new LightningNodeCollector(lightning, metrics);
    collector.onModuleInit();
    failovers$.next('shop-pool');
    failovers$.next('shop-pool');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^lightning_failovers_total\{group="shop-pool"\} 2$/m);
    collector.onModuleDestroy();
    failovers$.next('shop-pool');
    expect(await metrics.registry.metrics()).toMatch(/^lightning_failovers_total\{group="shop-pool"\} 2$/m);
  });
});
