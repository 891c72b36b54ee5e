import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Subject } from 'rxjs';
import { Repository } from 'typeorm';
import { Checkout } from '../checkout/checkout.entity';
import { CheckoutTransitions, PaymentReport } from '../checkout/checkout-transitions';
import { ScheduledJobs } from '../common/scheduled-job';
import { AppConfig } from '../config/app-config';
import { InvoiceRef, InvoiceState } from '../lightning/lightning-backend';
import { LightningService } from '../lightning/lightning.service';
import { Reconciler } from './reconciler';

type Row = Pick<Checkout, 'id' | 'paymentHash' | 'nodeName'> & { invoiceCancelPending?: boolean };

function setup(rows: Row[], lookup: (ref: InvoiceRef) => Promise<InvoiceState>, reconcileIntervalSeconds = 3600) {
  const applied: PaymentReport[] = [];
  const lookups: InvoiceRef[] = [];
  // Each `where` alternative carries nodeName when the pass is for one node.
  const repo = {
    find: async ({ where }: { where: Array<{ nodeName?: string }> }) => rows.filter((r) => !where[0].nodeName || r.nodeName === where[0].nodeName),
  } as unknown as Repository<Checkout>;
  const lightning = {
    reconnects$: new Subject<string>(),
    lookupInvoice: (ref: InvoiceRef) => (lookups.push(ref), lookup(ref)),
  } as unknown as LightningService;
  const canceled: string[] = [];
  const transitions = {
    applyPayment: async (r: PaymentReport) => (applied.push(r), 'settled'),
    cancelOnNode: async (c: Row) => void canceled.push(c.paymentHash),
  } as unknown as CheckoutTransitions;
  const config = { checkout: { lateWindowSeconds: 3600 }, lightning: { reconcileIntervalSeconds } } as AppConfig;
  return { reconciler: new Reconciler(repo, lightning, transitions, config, new ScheduledJobs(new SchedulerRegistry())), applied, lookups, canceled };
}

const rowsOn = (node: string, n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${node}-${i}`, paymentHash: `${node}-hash-${i}`, nodeName: node }));
const settled = (ref: InvoiceRef): InvoiceState => ({
  paymentHash: ref.paymentHash,
  settled: true,
  canceled: false,
  amountPaidSats: 10,
  settledAt: new Date(),
});

describe('Reconciler', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it('a node that is down does not hold up the others, and is given up on after a couple of failed lookups', async () => {
    const { reconciler, applied, lookups } = setup([...rowsOn('down', 20), ...rowsOn('up', 5)], async (ref) => {
      if (ref.nodeName === 'down') {
        await new Promise((r) => setTimeout(r, 30)); // what an RPC timeout looks like, shortened
        throw new Error('down getInvoice timed out');
      }
      return settled(ref);
    });
    const result = await reconciler.reconcile();
    expect(applied.map((a) => a.paymentHash).sort()).toEqual(
      rowsOn('up', 5)
        .map((r) => r.paymentHash)
        .sort(),
    );
    expect(result.applied).toBe(5);
    // About one round of parallel lookups went to the dead node before its pass stopped, not 20.
    expect(lookups.filter((l) => l.nodeName === 'down').length).toBeLessThanOrEqual(5);
    expect(result.skipped).toBeGreaterThanOrEqual(15);
  });

  it('only applies settled invoices, once per lookup, for the node asked for', async () => {
    const { reconciler, applied } = setup([...rowsOn('a', 3), ...rowsOn('b', 3)], async (ref) =>
      ref.paymentHash.endsWith('-1') ? settled(ref) : { paymentHash: ref.paymentHash, settled: false, canceled: false },
    );
    const result = await reconciler.reconcile('a');
    expect(result).toEqual({ checked: 3, applied: 1, failed: 0, skipped: 0 });
    expect(applied.map((a) => a.paymentHash)).toEqual(['a-hash-1']);
  });

  it('cancels on the node the invoices of canceled checkouts that are still pending there', async () => {
    const rows: Row[] = [
      { id: 'c1', paymentHash: 'h1', nodeName: 'n', invoiceCancelPending: true },
      { id: 'c2', paymentHash: 'h2', nodeName: 'n' },
    ];
    const { reconciler, canceled, applied } = setup(rows, async (ref) => ({ paymentHash: ref.paymentHash, settled: false, canceled: false }));
    await reconciler.reconcile('n');
    expect(canceled).toEqual(['h1']);
    expect(applied).toEqual([]);
  });

  it('a reconnect during a running pass gets a pass of its own afterwards (the running one may predate it)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const { reconciler, lookups } = setup(rowsOn('n', 1), async (ref) => {
      if (calls++ === 0) await gate;
      return { paymentHash: ref.paymentHash, settled: false, canceled: false };
    });
    const first = reconciler.reconcile('n');
    const coalesced = reconciler.reconcile('n');
    const alsoCoalesced = reconciler.reconcile('n');
    release();
    await Promise.all([first, coalesced, alsoCoalesced]);
    await new Promise((r) => setTimeout(r, 20));
    expect(lookups).toHaveLength(2);
  });

  it('on the periodic tick, a node whose pass outlasts the period does not hold up the other nodes', async () => {
    jest.useFakeTimers();
    let release!: () => void;
    const slowPass = new Promise<void>((r) => (release = r));
    const { reconciler, lookups } = setup(
      [...rowsOn('slow', 1), ...rowsOn('fast', 1)],
      async (ref) => {
        if (ref.nodeName === 'slow') await slowPass; // a node with many open invoices, or one answering slowly
        return { paymentHash: ref.paymentHash, settled: false, canceled: false };
      },
      1,
    );
    try {
      reconciler.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(5000);
      // The start-up pass and one per tick: the fast node is not made to wait for the slow one.
      expect(lookups.filter((l) => l.nodeName === 'fast').length).toBeGreaterThanOrEqual(5);
      expect(lookups.filter((l) => l.nodeName === 'slow')).toHaveLength(1);
      release();
      await jest.advanceTimersByTimeAsync(0);
      // The slow node's ticks during its pass became one more pass right after it.
      expect(lookups.filter((l) => l.nodeName === 'slow')).toHaveLength(2);
    } finally {
      release();
      reconciler.onApplicationShutdown();
      jest.useRealTimers();
    }
  });
});
