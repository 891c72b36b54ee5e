import { percentile } from './stats';

export interface LoadOptions {
  /** Operations to run in total (the count bound). */
  total: number;
  /** Operations in flight at once. */
  concurrency: number;
  /** Stop starting new operations after this long (the time bound). */
  timeLimitMs: number;
  /** Optional pause each worker takes between its operations (a steady, not saturating, load). */
  paceMs?: number;
  /** Checked before each new operation: return true to end the run early. */
  stop?: () => boolean;
  /** One operation; throws (or rejects) on failure. */
  op: (index: number) => Promise<unknown>;
}

export interface Sample {
  /** ms since the load started, when the operation started. */
  startedAt: number;
  /** ms since the load started, when the operation finished. */
  at: number;
  latencyMs: number;
  ok: boolean;
}

export interface LoadResult {
  ok: number;
  failed: number;
  /** Wall time from the first start to the last completion. */
  durationMs: number;
  /** Successful operations per second of wall time. */
  throughput: number;
  p50: number;
  p99: number;
  samples: Sample[];
  firstError?: string;
  /** True when the time bound stopped the run before `total` operations. */
  truncated: boolean;
}

/** Runs `op` `total` times with a fixed number of workers; latencies of successful operations only. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  const deadline = started + opts.timeLimitMs;
  const samples: Sample[] = [];
  let next = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < opts.total && performance.now() < deadline && !opts.stop?.()) {
      const index = next++;
      const t0 = performance.now();
      let ok = true;
      try {
        await opts.op(index);
      } catch (err) {
        ok = false;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      const t1 = performance.now();
      samples.push({ startedAt: t0 - started, at: t1 - started, latencyMs: t1 - t0, ok });
      if (opts.paceMs) await new Promise((r) => setTimeout(r, opts.paceMs));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const durationMs = performance.now() - started;
  const good = samples.filter((s) => s.ok).map((s) => s.latencyMs);
  return {
    ok: good.length,
    failed: samples.length - good.length,
    durationMs,
    throughput: good.length / (durationMs / 1000),
    p50: percentile(good, 50),
    p99: percentile(good, 99),
    samples,
    firstError,
    truncated: samples.length < opts.total,
  };
}
