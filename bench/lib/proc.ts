import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second: /proc/<pid>/stat times are in USER_HZ, 100 on Linux everywhere. */
const CLK_TCK = 100;

/** utime + stime of a process in seconds (NaN once it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

function statusKb(pid: number, key: string): number {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export const rssBytes = (pid: number) => statusKb(pid, 'VmRSS');

/** Samples a process's resident set every `intervalMs` and keeps the peak. */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 50,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const rss = rssBytes(this.pid);
    if (Number.isFinite(rss)) this.peak = Math.max(this.peak, rss);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak || NaN;
  }
}

/** CPU seconds each named process spent between start() and the returned function's call. */
export function cpuMeter(pids: Record<string, number>): () => Record<string, number> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const selfBefore = process.cpuUsage();
  return () => {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) out[name] = cpuSeconds(pid) - before[name];
    const self = process.cpuUsage(selfBefore);
    out['bench client'] = (self.user + self.system) / 1e6;
    return out;
  };
}
