/**
 * Timing and resident memory of one benchmark phase: RSS before and after, and sampled on a
 * timer while the phase runs. A synchronous phase blocks the timer, so its peak is at least
 * max(before, after) and may miss a transient peak; asynchronous phases are sampled throughout.
 *
 * Because the cores are shared with other processes, each phase also records the CPU time this
 * process used (less sensitive to other load than wall time) and the time its threads spent
 * runnable but waiting for a core (Linux schedstat, summed over threads, so it can exceed the wall
 * time): a direct measure of how much the other load slowed the phase down.
 *
 * @module
 */

import process from "node:process";
import { loadAverage } from "./host.ts";

/** Time and memory of one phase. */
export interface PhaseMeasure {
  /** Wall time in seconds. */
  seconds: number;
  /** RSS just before the phase, MiB. */
  rss_before_mb: number;
  /** RSS just after the phase, MiB. */
  rss_after_mb: number;
  /** Largest RSS seen: before, after and every timer sample, MiB. */
  peak_rss_mb: number;
  /** Timer samples taken during the phase (0 for a phase that never yields to the event loop). */
  rss_samples: number;
  /** CPU time (user + system) of the whole process during the phase, s. */
  cpu_seconds: number;
  /** Time the process's threads spent runnable but waiting for a core, summed over threads, s (0 where unknown). */
  runqueue_wait_seconds: number;
  /** 1-minute load average at the end of the phase. */
  loadavg_1m: number;
}

const MB = 2 ** 20;

/**
 * The process's resident memory now.
 *
 * @returns the current resident set size in MiB
 */
export function rssMb(): number {
  return Deno.memoryUsage().rss / MB;
}

/**
 * CPU time (user + system) this process has used so far.
 *
 * @returns seconds
 */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Time this process's live threads have spent runnable but waiting for a core (the second field
 * of /proc/self/task/<tid>/schedstat, summed). Threads that exited are no longer counted, so take
 * differences over intervals in which the thread set is stable (the benchmark's phases).
 *
 * @returns seconds, or 0 where schedstat is unavailable
 */
export function runqueueWaitSeconds(): number {
  let ns = 0;
  try {
    for (const e of Deno.readDirSync("/proc/self/task")) {
      try {
        ns += Number(Deno.readTextFileSync(`/proc/self/task/${e.name}/schedstat`).split(" ")[1]) || 0;
      } catch { /* the thread exited */ }
    }
  } catch {
    return 0;
  }
  return ns / 1e9;
}

/**
 * Run a phase, timing it and tracking its peak RSS.
 *
 * @param f the phase (sync or async)
 * @param intervalMs sampling period of the RSS timer
 * @returns the phase's value and its measure
 * @example
 * ```ts
 * import { measurePhase } from "./memory.ts";
 * const { value, measure } = await measurePhase(() => new Float32Array(1e6).fill(1).length);
 * console.log(value, measure.seconds, measure.peak_rss_mb);
 * ```
 */
export async function measurePhase<T>(
  f: () => T | Promise<T>,
  intervalMs = 20,
): Promise<{ value: T; measure: PhaseMeasure }> {
  const before = rssMb();
  let peak = before, samples = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb());
    samples++;
  }, intervalMs);
  const [cpu0, wait0] = [cpuSeconds(), runqueueWaitSeconds()];
  const t0 = performance.now();
  try {
    const value = await f();
    const seconds = (performance.now() - t0) / 1000;
    const [cpu1, wait1] = [cpuSeconds(), runqueueWaitSeconds()];
    const after = rssMb();
    return {
      value,
      measure: {
        seconds,
        rss_before_mb: round1(before),
        rss_after_mb: round1(after),
        peak_rss_mb: round1(Math.max(peak, after)),
        rss_samples: samples,
        cpu_seconds: cpu1 - cpu0,
        runqueue_wait_seconds: Math.max(0, wait1 - wait0),
        loadavg_1m: loadAverage()[0],
      },
    };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Merge measures of the same phase run several times (e.g. once per level): seconds add up,
 * the peak is the largest, before is the first's and after the last's.
 *
 * @param parts the measures, in run order (at least one)
 * @returns the combined measure
 */
export function combineMeasures(parts: PhaseMeasure[]): PhaseMeasure {
  if (parts.length === 0) throw new RangeError("Expected at least one phase measure but found none");
  return {
    seconds: parts.reduce((s, p) => s + p.seconds, 0),
    rss_before_mb: parts[0].rss_before_mb,
    rss_after_mb: parts[parts.length - 1].rss_after_mb,
    peak_rss_mb: Math.max(...parts.map((p) => p.peak_rss_mb)),
    rss_samples: parts.reduce((s, p) => s + p.rss_samples, 0),
    cpu_seconds: parts.reduce((s, p) => s + p.cpu_seconds, 0),
    runqueue_wait_seconds: parts.reduce((s, p) => s + p.runqueue_wait_seconds, 0),
    loadavg_1m: parts[parts.length - 1].loadavg_1m,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
