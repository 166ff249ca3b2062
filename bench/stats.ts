import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** The value at percentile `p` of an ascending array (nearest rank); NaN when empty. */
export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** A number for a JSON line: rounded, null when not finite (JSON has no NaN). */
export const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** p50, p90, p99 and max of some latencies (ms), and how many. */
export function latencySummary(values: readonly number[], digits = 1) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50), digits),
    p90: round(percentile(sorted, 90), digits),
    p99: round(percentile(sorted, 99), digits),
    max: round(sorted.at(-1) ?? Number.NaN, digits),
  };
}

/**
 * A clock comparable across the processes of this machine (epoch milliseconds, sub-millisecond):
 * what the load generator, the socket clients and the bench stamp times with.
 */
export const wallClockMs = () => performance.timeOrigin + performance.now();

/** What else the machine was doing: its cores and the 1-minute load average (printed at a bench's start and end). */
export const machineLoad = () => ({ cores: os.availableParallelism(), loadAverage: round(os.loadavg()[0] ?? Number.NaN, 1) });
