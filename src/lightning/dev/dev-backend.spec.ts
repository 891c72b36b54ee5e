import * as bolt11 from 'bolt11';
import { firstValueFrom } from 'rxjs';
import { DevBackend } from './dev-backend';

describe('DevBackend', () => {
  it('issues a correctly signed regtest BOLT11 invoice', async () => {
    const dev = new DevBackend('dev', null, {});
    const issued = await dev.createInvoice({ amountSats: 1234, description: 'Order #1', expirySeconds: 600 });
    const decoded = bolt11.decode(issued.bolt11);
    expect(issued.bolt11.startsWith('lnbcrt12340n1')).toBe(true);
    expect(decoded.complete).toBe(true);
    expect(decoded.satoshis).toBe(1234);
    expect(decoded.payeeNodeKey).toBe(issued.nodePubkey);
    expect(decoded.tags.find((t) => t.tagName === 'payment_hash')?.data).toBe(issued.paymentHash);
    expect(issued.expiresAt.getTime() - Date.now()).toBeGreaterThan(590_000);
  });

  it('reports a simulated payment as a settlement and in lookups', async () => {
    const dev = new DevBackend('dev', null, {});
    const issued = await dev.createInvoice({ amountSats: 10, description: '', expirySeconds: 60 });
    const next = firstValueFrom(dev.settlements$);
    void dev.simulatePayment(issued.paymentHash);
    expect(await next).toMatchObject({ paymentHash: issued.paymentHash, nodeName: 'dev', amountPaidSats: 10 });
    expect((await dev.lookupInvoice(issued)).settled).toBe(true);
  });

  it('records the amount really paid, and refuses to pay a canceled or unknown invoice', async () => {
    const dev = new DevBackend('dev', null, {});
    const issued = await dev.createInvoice({ amountSats: 1025, description: '', expirySeconds: 60 });
    expect((await dev.simulatePayment(issued.paymentHash, 400)).amountPaidSats).toBe(400);
    expect(await dev.lookupInvoice(issued)).toMatchObject({ settled: true, amountPaidSats: 400 });
    await expect(dev.cancelInvoice(issued)).rejects.toThrow(/already settled/);

    const canceled = await dev.createInvoice({ amountSats: 10, description: '', expirySeconds: 60 });
    await dev.cancelInvoice(canceled);
    await expect(dev.simulatePayment(canceled.paymentHash)).rejects.toMatchObject({ code: 'invoice_canceled' });
    expect(await dev.lookupInvoice(canceled)).toMatchObject({ settled: false, canceled: true });
    await expect(dev.simulatePayment('00'.repeat(32))).rejects.toMatchObject({ code: 'invoice_unknown' });
  });

  it('reports its node identity before the first invoice', () => {
    const dev = new DevBackend('dev', null, {});
    expect(dev.health()[0].pubkey).toMatch(/^0[23][0-9a-f]{64}$/);
  });

  it('is refused in production', () => {
    expect(() => new DevBackend('dev', null, { NODE_ENV: 'production' })).toThrow(/refused when NODE_ENV=production/);
  });
});
