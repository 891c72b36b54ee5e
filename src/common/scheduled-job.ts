import { Injectable, Logger, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MetricsService } from '../metrics/metrics.service';

export interface ScheduledJobOptions {
  /** Shown in the logs and in the scheduler registry; unique per app. */
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
  /**
   * What a tick does while the previous run is still going: `skip` it (the default), or `coalesce`
   * it into one more run right after, for loops whose next pass must not wait a whole period
   * (a heartbeat, a poll that picks up what arrived during the pass).
   */
  whenBusy?: 'skip' | 'coalesce';
}

const STUCK_AFTER_MS = 60_000;
const STUCK_AFTER_PERIODS = 10;

/**
 * One named interval in Nest's SchedulerRegistry with an overlap guard: never two runs at once,
 * and a failing run is logged under its name and never ends the loop.
 */
export class ScheduledJob {
  private running?: Promise<void>;
  private runStartedAt = 0;
  private warnedStuck = false;
  private again = false;
  private stopped = false;
  private handle?: NodeJS.Timeout;
  /** Ticks that came while a run was still going (skipped, or folded into one more run). */
  busyTicks = 0;

  constructor(
    private readonly options: ScheduledJobOptions,
    private readonly registry: SchedulerRegistry,
    private readonly logger: Logger,
    private readonly onBusyTick: (name: string) => void = () => undefined,
  ) {}

  get name(): string {
    return this.options.name;
  }

  start(): this {
    if (this.handle || this.stopped) return this;
    const handle = setInterval(() => void this.tick(), this.options.everyMs);
    // Like the loops it replaces: a scheduled job alone never keeps the process alive.
    handle.unref();
    try {
      this.registry.addInterval(this.options.name, handle);
    } catch (err) {
      // Refused (the name is taken): no timer may keep ticking for a job nobody holds.
      clearInterval(handle);
      throw err;
    }
    this.handle = handle;
    this.logger.log({ job: this.options.name, everyMs: this.options.everyMs }, `scheduled job ${this.options.name} started`);
    return this;
  }

  /** One tick, as the timer gives it; resolves when the run it started (if any) is done. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.busyTicks++;
      this.onBusyTick(this.options.name);
      if (this.options.whenBusy === 'coalesce') this.again = true;
      else this.logger.debug({ job: this.options.name }, 'previous run still going; tick skipped');
      this.warnIfStuck();
      return this.running;
    }
    this.runStartedAt = Date.now();
    this.warnedStuck = false;
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.options.run();
        } catch (err) {
          this.logger.error({ job: this.options.name, err }, `scheduled job ${this.options.name} failed; it runs again on the next tick`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * A run has no time limit (the loops it replaced had none, and cutting a sweep off halfway helps
   * nobody), so one that hangs would otherwise show only as busy ticks: say so once per run.
   */
  private warnIfStuck(): void {
    const runningMs = Date.now() - this.runStartedAt;
    if (this.warnedStuck || runningMs < Math.max(STUCK_AFTER_MS, STUCK_AFTER_PERIODS * this.options.everyMs)) return;
    this.warnedStuck = true;
    this.logger.warn(
      { job: this.options.name, runningMs },
      `scheduled job ${this.options.name} has been running for ${Math.round(runningMs / 1000)} s; the next run waits for it`,
    );
  }

  /** Clears the interval (whether or not the scheduler already did at shutdown) and waits for a run in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle) {
      clearInterval(this.handle);
      const { name } = this.options;
      if (this.registry.doesExist('interval', name) && this.registry.getInterval(name) === this.handle) this.registry.deleteInterval(name);
      this.handle = undefined;
    }
    await this.running;
  }
}

/** Starts named, overlap-guarded intervals; periods come from configuration, hence no @Interval. */
@Injectable()
export class ScheduledJobs {
  private readonly logger = new Logger(ScheduledJobs.name);

  constructor(
    private readonly registry: SchedulerRegistry,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  every(options: ScheduledJobOptions): ScheduledJob {
    return new ScheduledJob(options, this.registry, this.logger, (name) => this.metrics?.scheduledJobBusyTick(name)).start();
  }
}
