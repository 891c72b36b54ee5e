import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CheckoutEvent } from '../checkout/checkout-event.entity';
import { CheckoutEventsBus } from '../checkout/checkout-events.bus';
import { ScheduledJobs } from '../common/scheduled-job';
import { Subject } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { InstanceRegistry } from '../instances/instance-registry';
import { DeliveryQueue } from './delivery-queue';
import { DeliveryWorker } from './delivery-worker';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookFanout } from './webhook-fanout';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A dispatcher whose fan-out only counts its runs; the sweep's database reads fail and are logged. */
function dispatcher(fanoutDelayMs: number) {
  const runs: number[] = [];
  const fanout = { dispatchAll: async () => (runs.push(Date.now()), []) } as unknown as WebhookFanout;
  const queue = { mode: 'in-process', start: async () => undefined, stop: async () => undefined, enqueue: async () => undefined } as unknown as DeliveryQueue;
  const uow = {
    dataSource: {
      createQueryBuilder: () => {
        throw new Error('no database in this test');
      },
    },
  } as unknown as UnitOfWork;
  const config = { webhooks: { pollIntervalMs: 60_000, fanoutDelayMs } } as AppConfig;
  const bus = new CheckoutEventsBus();
  const instance = { reclaimed$: new Subject() } as unknown as InstanceRegistry;
  const d = new WebhookDispatcher(fanout, {} as DeliveryWorker, queue, bus, uow, config, instance, new ScheduledJobs(new SchedulerRegistry()));
  return { d, bus, runs };
}

describe('WebhookDispatcher fan-out scheduling', () => {
  // The sweep's reads fail on purpose here (no database); its warnings are expected, not news.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));
  it('takes a burst of outbox hints in one fan-out after the delay', async () => {
    const { d, bus, runs } = dispatcher(50);
    await d.onApplicationBootstrap();
    await sleep(20);
    const afterStart = runs.length; // the start-up sweep fans out once
    for (let i = 0; i < 5; i++) bus.publish([{ id: `evt_${i}` } as CheckoutEvent]);
    await sleep(10);
    expect(runs.length).toBe(afterStart);
    await sleep(200);
    expect(runs.length).toBe(afterStart + 1);
    await d.onModuleDestroy();
  });

  it('fans out at once with no delay configured', async () => {
    const { d, bus, runs } = dispatcher(0);
    await d.onApplicationBootstrap();
    await sleep(20);
    const afterStart = runs.length;
    bus.publish([{ id: 'evt_1' } as CheckoutEvent]);
    await sleep(5);
    expect(runs.length).toBe(afterStart + 1);
    await d.onModuleDestroy();
  });

  it('does not fan out after shutdown even when a hint was waiting', async () => {
    const { d, bus, runs } = dispatcher(50);
    await d.onApplicationBootstrap();
    await sleep(20);
    const afterStart = runs.length;
    bus.publish([{ id: 'evt_1' } as CheckoutEvent]);
    await d.onModuleDestroy();
    await sleep(150);
    expect(runs.length).toBe(afterStart);
  });
});
