// Two replicas of different versions during a rolling upgrade: the new one's plugin takes an event
// type the old one's does not. The old replica must not settle those deliveries as "not wanted":
// they are owed to the consumer as it is registered now.
import { CheckoutEventType } from '../../src/checkout/checkout-status';
import { LightningService } from '../../src/lightning/lightning.service';
import { PluginCheckoutEvent, PluginEvents } from '../../src/plugins/plugin-events.service';
import { eventually } from '../support/fake-platform-server';
import { startTestApp, TestApp } from '../support/test-app';

describe('plugin deliveries across replicas whose plugin versions take different event types', () => {
  let oldReplica: TestApp;
  let newReplica: TestApp;

  beforeAll(async () => {
    oldReplica = await startTestApp();
    newReplica = await startTestApp({ db: oldReplica.db });
    for (const t of [oldReplica, newReplica]) {
      const events = t.app.get(PluginEvents);
      events.retry = { baseMs: 50, maxMs: 100, maxAttempts: 3 };
      // Driven by hand below, so which replica works when is the test's choice.
      events.pollMs = 3_600_000;
    }
  });
  afterAll(async () => {
    await newReplica?.close();
    await oldReplica?.close();
  });

  it('an event of a type only the new version takes waits for a replica that handles it', async () => {
    const seenOld: string[] = [];
    const seenNew: string[] = [];
    const oldEvents = oldReplica.app.get(PluginEvents);
    const newEvents = newReplica.app.get(PluginEvents);
    oldEvents.subscribe({
      consumer: 'mixed',
      types: [CheckoutEventType.InvoiceCreated],
      handle: async (e: PluginCheckoutEvent) => void seenOld.push(`${e.type}:${e.checkoutId}`),
    });
    await oldEvents.wake();
    const newSubscription = {
      consumer: 'mixed',
      types: [CheckoutEventType.InvoiceCreated, CheckoutEventType.InvoiceSettled],
      handle: async (e: PluginCheckoutEvent) => void seenNew.push(`${e.type}:${e.checkoutId}`),
    };
    const stopNew = newEvents.subscribe(newSubscription);
    await newEvents.wake();
    // The new replica goes away for a moment (a restart in the rollout); the old one carries on.
    stopNew();

    const auth = { Authorization: `token ${(await oldReplica.createStore()).apiKey}` };
    const c = (await oldReplica.http.post('/api/v1/checkouts').set(auth).send({ amount: 100 }).expect(201)).body;
    await oldReplica.app.get(LightningService).simulatePayment(c.paymentHash);
    await eventually(() => seenOld.includes(`InvoiceCreated:${c.id}`), 'the old replica to deliver InvoiceCreated');
    for (let i = 0; i < 3; i++) await oldEvents.wake();
    expect(seenOld).toEqual([`InvoiceCreated:${c.id}`]);

    newEvents.subscribe(newSubscription);
    await eventually(async () => (await newEvents.wake(), seenNew.includes(`InvoiceSettled:${c.id}`)), 'the new replica to deliver InvoiceSettled', 5_000);
    expect(seenNew).toEqual([`InvoiceSettled:${c.id}`]);
  });
});
