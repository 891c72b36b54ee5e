import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ScheduledJob, ScheduledJobs } from './scheduled-job';

/** A run that stays in flight until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** Fake time: each tick of the interval, and every promise it sets off, runs when the test says. */
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

describe('ScheduledJobs', () => {
  let registry: SchedulerRegistry;
  let jobs: ScheduledJobs;
  let busy: string[];
  let errors: unknown[][];
  let logs: unknown[][];
  let warnings: unknown[][];
  const started: ScheduledJob[] = [];

  beforeEach(() => {
    jest.useFakeTimers();
    registry = new SchedulerRegistry();
    busy = [];
    jobs = new ScheduledJobs(registry, { scheduledJobBusyTick: (job: string) => busy.push(job) } as never);
    // A failed assertion must not leave a job ticking into the next test.
    const every = jobs.every.bind(jobs);
    jest.spyOn(jobs, 'every').mockImplementation((options) => {
      const job = every(options);
      started.push(job);
      return job;
    });
    errors = [];
    logs = [];
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args));
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => void errors.push(args));
    jest.spyOn(Logger.prototype, 'log').mockImplementation((...args: unknown[]) => void logs.push(args));
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });

  afterEach(() => {
    for (const job of started.splice(0)) void job.stop();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('registers the interval under its name, logs the name and period on start, and runs every period', async () => {
    let runs = 0;
    jobs.every({ name: 'expiry-sweep', everyMs: 1000, run: async () => void runs++ });
    expect(registry.getIntervals()).toEqual(['expiry-sweep']);
    expect(logs).toContainEqual([{ job: 'expiry-sweep', everyMs: 1000 }, expect.stringContaining('expiry-sweep')]);
    await advance(999);
    expect(runs).toBe(0);
    await advance(1);
    expect(runs).toBe(1);
    await advance(3000);
    expect(runs).toBe(4);
  });

  it('skips a tick that comes while the previous run is still going, and counts it', async () => {
    const release = gate();
    let started = 0;
    const job = jobs.every({ name: 'slow', everyMs: 1000, run: async () => (started++, started === 1 ? release.opened : undefined) });
    await advance(4000);
    expect(started).toBe(1);
    expect(job.busyTicks).toBe(3);
    expect(busy).toEqual(['slow', 'slow', 'slow']);
    release.open();
    await advance(0);
    // Skipped ticks are not made up for: the next run is on the next tick.
    expect(started).toBe(1);
    await advance(1000);
    expect(started).toBe(2);
    await advance(1000);
    expect(started).toBe(3);
    expect(job.busyTicks).toBe(3);
  });

  it('warns once, by name, when a run has lasted ten periods (at least a minute), and again for the next stuck run', async () => {
    let release = gate();
    const job = jobs.every({ name: 'reconcile', everyMs: 5000, run: () => release.opened });
    await advance(5000 + 55_000);
    expect(warnings).toEqual([]);
    await advance(5000);
    expect(warnings).toEqual([[{ job: 'reconcile', runningMs: 60_000 }, expect.stringMatching(/scheduled job reconcile has been running for 60 s/)]]);
    await advance(120_000);
    expect(warnings).toHaveLength(1);
    release.open();
    release = gate();
    await advance(5000);
    expect(job.busyTicks).toBeGreaterThan(10);
    await advance(65_000);
    expect(warnings).toHaveLength(2);
  });

  it('with whenBusy coalesce, ticks during a run become exactly one more run right after it', async () => {
    const first = gate();
    let started = 0;
    const job = jobs.every({
      name: 'instance-heartbeat',
      everyMs: 1000,
      whenBusy: 'coalesce',
      run: async () => (started++, started === 1 ? first.opened : undefined),
    });
    await advance(3500);
    expect(started).toBe(1);
    expect(job.busyTicks).toBe(2);
    first.open();
    await advance(0);
    expect(started).toBe(2);
    await advance(499);
    expect(started).toBe(2);
    await advance(1);
    expect(started).toBe(3);
  });

  it('logs a failing run with the job name and runs again on the next tick', async () => {
    let runs = 0;
    jobs.every({
      name: 'reconcile',
      everyMs: 1000,
      run: async () => {
        runs++;
        if (runs === 1) throw new Error('node down');
      },
    });
    await advance(1000);
    expect(runs).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0][0]).toMatchObject({ job: 'reconcile', err: expect.objectContaining({ message: 'node down' }) });
    expect(String(errors[0][1])).toContain('reconcile');
    await advance(2000);
    expect(runs).toBe(3);
    expect(errors).toHaveLength(1);
  });

  it('catches a synchronous throw the same way', async () => {
    let runs = 0;
    jobs.every({
      name: 'sync-throw',
      everyMs: 1000,
      run: () => {
        runs++;
        throw new Error('boom');
      },
    });
    await advance(2000);
    expect(runs).toBe(2);
    expect(errors).toHaveLength(2);
  });

  it('stop removes the interval from the registry, waits for the run in flight, and nothing runs after', async () => {
    const release = gate();
    let runs = 0;
    let finished = false;
    const job = jobs.every({ name: 'webhook-retention', everyMs: 1000, run: async () => (runs++, await release.opened, (finished = true)) });
    await advance(1000);
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    expect(registry.doesExist('interval', 'webhook-retention')).toBe(false);
    await advance(5000);
    expect(stopped).toBe(false);
    release.open();
    await stopping;
    expect(finished).toBe(true);
    await advance(5000);
    expect(runs).toBe(1);
    await job.tick();
    expect(runs).toBe(1);
  });

  it('stop is harmless after the scheduler already cleared its intervals at shutdown', async () => {
    let runs = 0;
    const job = jobs.every({ name: 'instance-heartbeat', everyMs: 1000, run: async () => void runs++ });
    // What ScheduleModule does in beforeApplicationShutdown.
    for (const name of registry.getIntervals()) registry.deleteInterval(name);
    await expect(job.stop()).resolves.toBeUndefined();
    await advance(5000);
    expect(runs).toBe(0);
  });

  it('refuses a second job under a name already in use', () => {
    jobs.every({ name: 'webhook-sweep', everyMs: 1000, run: async () => undefined });
    expect(() => jobs.every({ name: 'webhook-sweep', everyMs: 1000, run: async () => undefined })).toThrow(/webhook-sweep/);
  });

  it('a job refused for its name leaves no timer running behind it', async () => {
    jobs.every({ name: 'webhook-sweep', everyMs: 1000, run: async () => undefined });
    let refusedRuns = 0;
    expect(() => jobs.every({ name: 'webhook-sweep', everyMs: 1000, run: async () => void refusedRuns++ })).toThrow(/webhook-sweep/);
    await advance(3000);
    expect(refusedRuns).toBe(0);
  });
});
