import { DataSource, IsNull, Not } from 'typeorm';
import { CheckoutEvent } from '../../src/checkout/checkout-event.entity';
import { CheckoutEventType } from '../../src/checkout/checkout-status';
import { LightningService } from '../../src/lightning/lightning.service';
import { PermanentPluginError } from '../../src/plugins/plugin-errors';
import { PluginDelivery } from '../../src/plugins/plugin-delivery.entity';
import { PluginCheckoutEvent, PluginEvents } from '../../src/plugins/plugin-events.service';
import { WebhookFanout } from '../../src/webhooks/webhook-fanout';
import { eventually } from '../support/fake-platform-server';
import { startTestApp, TestApp } from '../support/test-app';

describe('PluginEvents: durable, at-least-once checkout events for plugins', () => {
  let t: TestApp;
  let events: PluginEvents;
  let auth: { Authorization: string };

  const createCheckout = async (orderId: string) => (await t.http.post('/api/v1/checkouts').set(auth).send({ amount: 100, orderId }).expect(201)).body;

  beforeAll(async () => {
    t = await startTestApp();
    auth = { Authorization: `token ${(await t.createStore()).apiKey}` };
    events = t.app.get(PluginEvents);
    events.retry = { baseMs: 50, maxMs: 100, maxAttempts: 3 };
    events.pollMs = 100;
  });
  afterAll(() => t?.close());

  it('starts at the newest event, retries failures with backoff, gives up on permanent errors and after maxAttempts', async () => {
    const before = await createCheckout('before');
    const seen: { type: string; orderId: string | null; attempt: number }[] = [];
    const unsubscribe = events.subscribe({
      consumer: 'test-retries',
      types: [CheckoutEventType.InvoiceCreated, CheckoutEventType.InvoiceSettled],
      handle: async (e: PluginCheckoutEvent) => {
        seen.push({ type: e.type, orderId: e.checkout.orderId, attempt: e.attempt });
        if (e.checkout.orderId === 'flaky' && e.type === CheckoutEventType.InvoiceCreated && e.attempt === 1) throw new Error('platform hiccup');
        if (e.checkout.orderId === 'doomed') throw new PermanentPluginError('order deleted on the platform');
        if (e.checkout.orderId === 'broken') throw new Error('always down');
      },
    });
    await events.wake();
    const flaky = await createCheckout('flaky');
    await createCheckout('doomed');
    await createCheckout('broken');
    void t.app.get(LightningService).simulatePayment(flaky.paymentHash);

    await eventually(() => seen.some((s) => s.orderId === 'flaky' && s.type === 'InvoiceSettled'), 'the settlement');
    await eventually(async () => (await events.stats('test-retries')).pending === 0, 'no pending deliveries');
    expect(seen.filter((s) => s.orderId === 'flaky' && s.type === 'InvoiceCreated').map((s) => s.attempt)).toEqual([1, 2]);
    expect(seen.filter((s) => s.orderId === 'doomed').map((s) => s.attempt)).toEqual([1]);
    expect(seen.filter((s) => s.orderId === 'broken').map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(seen.some((s) => s.orderId === before.orderId)).toBe(false);
    expect(await events.stats('test-retries')).toEqual({ pending: 0, done: 2, failed: 2 });
    unsubscribe();
  });

  it('queues events for a known consumer while its plugin is unsubscribed, on any fan-out, and delivers them when it subscribes again', async () => {
    const seen: string[] = [];
    const subscription = {
      consumer: 'test-durable',
      types: [CheckoutEventType.InvoiceCreated],
      handle: async (e: PluginCheckoutEvent) => void seen.push(e.checkoutId),
    };
    const unsubscribe = events.subscribe(subscription);
    await events.wake();
    unsubscribe();
    // No webhook endpoint exists: the fan-out still runs for the plugin consumer, here from the dispatcher alone.
    const missed = await createCheckout('while-away');
    await t.app.get(WebhookFanout).dispatchAll();
    const ds = t.app.get(DataSource);
    expect(await ds.getRepository(PluginDelivery).countBy({ consumer: 'test-durable', eventId: Not(IsNull()) })).toBe(1);
    expect(await ds.getRepository(CheckoutEvent).countBy({ checkoutId: missed.id, dispatchedAt: IsNull() })).toBe(0);
    expect(seen).toEqual([]);
    events.subscribe(subscription);
    await eventually(() => seen.includes(missed.id), 'the event queued while unsubscribed');
    expect(seen).toEqual([missed.id]);
  });
});
