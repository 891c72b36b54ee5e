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
      const { sample, error } = await timed(opts.op, next++, started);
      samples.push(sample);
      firstError ??= error;
      if (opts.paceMs) await new Promise((r) => setTimeout(r, opts.paceMs));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return summarize(samples, performance.now() - started, opts.total, firstError);
}

/** Runs one operation and records when it started and ended (ms since `started`) and whether it failed. */
async function timed(op: (index: number) => Promise<unknown>, index: number, started: number): Promise<{ sample: Sample; error?: string }> {
  const t0 = performance.now();
  let error: string | undefined;
  try {
    await op(index);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const t1 = performance.now();
  return { sample: { startedAt: t0 - started, at: t1 - started, latencyMs: t1 - t0, ok: error === undefined }, error };
}

function summarize(samples: Sample[], durationMs: number, total: number, firstError: string | undefined): LoadResult {
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
    truncated: samples.length < total,
  };
}

export interface InterleavedOptions {
  /** Operations of each side. */
  total: number;
  /** Operations of one side run back to back before the other side's turn. */
  block: number;
  timeLimitMs: number;
  /** The operations compared; one result per operation, in this order. */
  ops: Array<(index: number) => Promise<unknown>>;
}

/**
 * One operation at a time, alternating blocks of each of `ops` until each ran `total` times. All
 * sides see the same machine: a change in its speed during the run (a busy neighbour, the CPU
 * clock) lands on both sides of a ratio instead of on whichever ran second.
 */
export async function runInterleaved(opts: InterleavedOptions): Promise<LoadResult[]> {
  const started = performance.now();
  const deadline = started + opts.timeLimitMs;
  const sides = opts.ops.map((op) => ({ op, samples: [] as Sample[], busyMs: 0, firstError: undefined as string | undefined }));
  for (let done = 0; done < opts.total && performance.now() < deadline; done += opts.block) {
    for (const side of sides) {
      for (let i = done; i < Math.min(done + opts.block, opts.total); i++) {
        const { sample, error } = await timed(side.op, i, started);
        side.samples.push(sample);
        side.busyMs += sample.latencyMs;
        side.firstError ??= error;
      }
    }
  }
  return sides.map((side) => summarize(side.samples, side.busyMs, opts.total, side.firstError));
}
