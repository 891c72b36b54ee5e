// Two replicas on one PostgreSQL, both running the fan-out and the plugin delivery loop for the same
// consumer at once: every event reaches the consumer once, none is lost.
import { CheckoutEventType } from '../../src/checkout/checkout-status';
import { PluginCheckoutEvent, PluginEvents } from '../../src/plugins/plugin-events.service';
import { eventually } from '../support/fake-platform-server';
import { startTestApp, TestApp } from '../support/test-app';

jest.setTimeout(120_000);

describe('plugin deliveries with two replicas fanning out at once', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ db: a.db });
    for (const t of [a, b]) {
      const events = t.app.get(PluginEvents);
      events.retry = { baseMs: 50, maxMs: 100, maxAttempts: 3 };
      events.pollMs = 50;
    }
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('every event is handled exactly once across both replicas', async () => {
    const handled = new Map<string, number>();
    const count = (e: PluginCheckoutEvent) => void handled.set(`${e.type}:${e.checkoutId}`, (handled.get(`${e.type}:${e.checkoutId}`) ?? 0) + 1);
    const types = [CheckoutEventType.InvoiceCreated, CheckoutEventType.InvoiceSettled, CheckoutEventType.InvoiceInvalid];
    for (const t of [a, b]) {
      t.app.get(PluginEvents).subscribe({ consumer: 'replicated', types, handle: async (e) => count(e) });
      await t.app.get(PluginEvents).wake();
    }
    const keys = await Promise.all([a, b].map(async (t) => `token ${(await t.createStore()).apiKey}`));
    const expected: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const t = i % 2 ? a : b;
        const auth = { Authorization: keys[i % 2] };
        const c = (
          await t.http
            .post('/api/v1/checkouts')
            .set(auth)
            .send({ amount: 100 + i })
            .expect(201)
        ).body;
        expected.push(`InvoiceCreated:${c.id}`);
        if (i % 3 === 0) {
          await t.http.post(`/api/v1/checkouts/${c.id}/cancel`).set(auth).expect(200);
          expected.push(`InvoiceInvalid:${c.id}`);
        } else {
          await (i % 4 ? a : b).http.post(`/i/${c.id}/simulate-payment`).set({ Accept: 'application/json' }).expect(202);
          expected.push(`InvoiceSettled:${c.id}`);
        }
      }),
    );
    await eventually(() => expected.every((k) => handled.has(k)), 'every event to be handled', 30_000);
    for (let i = 0; i < 3; i++) await Promise.all([a, b].map((t) => t.app.get(PluginEvents).wake()));
    expect([...handled.keys()].sort()).toEqual([...expected].sort());
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
  });
});
