// Smoke test of the real Lightning stack: btcd + customer lnd + merchant lnd, driven through ln-service.
import { ln, startNetwork, stopAll, withTimeout, type Network } from '../harness';

jest.setTimeout(10 * 60_000);

describe('lnd smoke (real btcd + lnd)', () => {
  let net: Network;

  beforeAll(async () => {
    net = await startNetwork({ merchants: 1 });
    console.log(`network setup took ${(net.setupMs / 1000).toFixed(1)} s`, net.timings);
  });

  afterAll(() => stopAll());

  it('customer pays a merchant invoice; the merchant subscription sees it confirmed', async () => {
    const [merchant] = net.merchants;
    const sub = ln.subscribeToInvoices({ lnd: merchant.lnd });
    const confirmed = new Promise<{ id: string; received: number }>((resolve, reject) => {
      sub.on('invoice_updated', (inv: { id: string; is_confirmed: boolean; received: number }) => {
        if (inv.is_confirmed) resolve(inv);
      });
      sub.on('error', reject);
    });

    try {
      const invoice = await ln.createInvoice({ lnd: merchant.lnd, tokens: 12_345, description: 'smoke test' });
      const started = Date.now();
      const paid = await ln.pay({ lnd: net.customer.lnd, request: invoice.request });
      console.log(`payment took ${Date.now() - started} ms`);
      expect(paid.is_confirmed).toBe(true);
      expect(paid.tokens).toBe(12_345);

      const event = await withTimeout(confirmed, 30_000, 'invoice subscription to report is_confirmed');
      expect(event.id).toBe(invoice.id);
      expect(event.received).toBe(12_345);

      const settled = await ln.getInvoice({ lnd: merchant.lnd, id: invoice.id });
      expect(settled.is_confirmed).toBe(true);
      expect(settled.received).toBe(12_345);
    } finally {
      sub.removeAllListeners();
    }
  });
});
