import { LightningService } from '../../src/lightning/lightning.service';
import { MetricsService } from '../../src/metrics/metrics.service';
import { startTestApp, TestApp } from '../support/test-app';

/** Value of one sample line, e.g. metric('checkouts_created_total{node="dev"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus /metrics', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  const scrape = async () => (await t.http.get('/metrics').expect(200)).text;

  beforeAll(async () => {
    t = await startTestApp();
    auth = { Authorization: `token ${(await t.createStore()).apiKey}` };
  });
  afterAll(() => t?.close());

  it('serves the text exposition format with default process metrics', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('counts created checkouts per node, invoice creation time and status changes', async () => {
    const before = await scrape();
    const c1 = await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 100 }).expect(201);
    await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 200 }).expect(201);
    await t.http.post(`/api/v1/checkouts/${c1.body.id}/cancel`).set(auth).expect(200);
    const after = await scrape();
    const delta = (series: string) => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    expect(delta('checkouts_created_total{node="dev"}')).toBe(2);
    expect(delta('checkout_status_changes_total{status="New"}')).toBe(2);
    expect(delta('checkout_status_changes_total{status="Invalid"}')).toBe(1);
    expect(delta('invoice_creation_seconds_count{node="dev",outcome="ok"}')).toBe(2);
  });

  it('measures settlement → committed event latency', async () => {
    const c = await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 300 }).expect(201);
    void t.app.get(LightningService).simulatePayment(c.body.paymentHash);
    let text = '';
    for (let i = 0; i < 100 && !(sample(text, 'checkout_status_changes_total{status="Settled"}') ?? 0); i++) {
      text = await scrape();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sample(text, 'checkout_status_changes_total{status="Settled"}')).toBe(1);
    expect(sample(text, 'settle_to_event_seconds_count')).toBe(1);
    // Local and immediate: well under the 10 s bucket.
    expect(sample(text, 'settle_to_event_seconds_bucket{le="10"}')).toBe(1);
  });

  it('exposes node health gauges read on scrape', async () => {
    const text = await scrape();
    expect(sample(text, 'lightning_node_up{node="dev",group="",role="dev"}')).toBe(1);
    expect(sample(text, 'lightning_node_can_issue{node="dev",group="",role="dev"}')).toBe(1);
    expect(sample(text, 'lightning_node_inbound_sats{node="dev",group="",role="dev"}')).toBeGreaterThan(0);
    expect(text).toMatch(/^lightning_node_active_channels\{node="dev",group="",role="dev"\} \d+/m);
    expect(sample(text, 'replica_is_leader')).toBe(1);
  });

  it('reports pending webhook deliveries from the database by default', async () => {
    const created = await t.http
      .post('/api/v1/webhooks')
      .set(auth)
      .send({ url: 'http://127.0.0.1:1/never', events: ['InvoiceCreated'] })
      .expect(201);
    const before = sample(await scrape(), 'webhook_queue_depth') ?? 0;
    await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 10 }).expect(201);
    let depth = before;
    for (let i = 0; i < 100 && depth <= before; i++) {
      depth = sample(await scrape(), 'webhook_queue_depth') ?? 0;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Port 1 refuses: the delivery stays pending (retrying with backoff).
    expect(depth).toBe(before + 1);
    await t.http.delete(`/api/v1/webhooks/${created.body.id}`).set(auth).expect(204);
  });

  it('offers hooks for failovers and webhook deliveries', async () => {
    const metrics = t.app.get(MetricsService);
    // Real deliveries of earlier tests count too (the retrying endpoint above), so compare deltas.
    const earlier = await scrape();
    const delivered = sample(earlier, 'webhook_deliveries_total{outcome="delivered"}') ?? 0;
    const retried = sample(earlier, 'webhook_deliveries_total{outcome="retry"}') ?? 0;
    metrics.failover('cluster-a');
    metrics.webhookDelivery('delivered');
    metrics.webhookDelivery('retry');
    metrics.setWebhookQueueDepthSource(async () => 7);
    const text = await scrape();
    expect(sample(text, 'lightning_failovers_total{group="cluster-a"}')).toBe(1);
    expect(sample(text, 'webhook_deliveries_total{outcome="delivered"}')).toBe(delivered + 1);
    expect(sample(text, 'webhook_deliveries_total{outcome="retry"}')).toBe(retried + 1);
    expect(sample(text, 'webhook_queue_depth')).toBe(7);
    // A failing source must not break the scrape.
    metrics.setWebhookQueueDepthSource(() => Promise.reject(new Error('redis down')));
    expect(sample(await scrape(), 'webhook_queue_depth')).toBe(7);
  });

  it('counts cluster failovers from the running totals in node health', async () => {
    const lightning = t.app.get(LightningService);
    const member = (name: string, role: 'leader' | 'follower', failovers: number) => ({
      name,
      group: 'shop-cluster',
      type: 'cluster-member' as const,
      role,
      reachable: true,
      syncedToChain: true,
      activeChannels: 1,
      inboundSats: 1000,
      canIssue: role === 'leader',
      checkedAt: new Date(),
      failovers,
    });
    const spy = jest.spyOn(lightning, 'health').mockReturnValue([member('c-1', 'follower', 2), member('c-2', 'leader', 2)]);
    try {
      expect(sample(await scrape(), 'lightning_failovers_total{group="shop-cluster"}')).toBe(2);
      // Scraping again does not count them twice; a new failover adds one.
      expect(sample(await scrape(), 'lightning_failovers_total{group="shop-cluster"}')).toBe(2);
      spy.mockReturnValue([member('c-1', 'leader', 3), member('c-2', 'follower', 3)]);
      const text = await scrape();
      expect(sample(text, 'lightning_failovers_total{group="shop-cluster"}')).toBe(3);
      expect(sample(text, 'lightning_node_up{node="c-1",group="shop-cluster",role="leader"}')).toBe(1);
      const nodes = await t.http.get('/health/nodes').expect(200);
      expect(nodes.body.nodes[0]).toMatchObject({ name: 'c-1', role: 'leader', failovers: 3 });
    } finally {
      spy.mockRestore();
    }
  });
});
