import { forkBenchChild, type BenchChild } from './bench-child.ts';

/**
 * Simulator webhooks (`POST /webhooks/:channelId`, `{ type: 'message', id, text }`, signed by a phone
 * token) sent by a process of their own (bench/webhook-load-child.ts), so the HTTP client's CPU is not
 * counted as the platform's and never holds the platform's event loop.
 */
export type LoadTarget = {
  /** Base URL of the server (the platform, or a bench server answering the same route). */
  url: string;
  channelId: number;
  signingKey: string;
  /** Message i comes from customer `firstCustomer + i % customers` (`customerNumber`). */
  customers: number;
  firstCustomer?: number;
  /** Provider ids are `<idPrefix>-<i>-<epoch ms it was sent, or scheduled>`: the database can time each. */
  idPrefix: string;
  text?: string;
};

export type LoadPlan = LoadTarget &
  (
    | { mode: 'count'; concurrency: number; count: number }
    | { mode: 'timed'; concurrency: number; warmupSeconds: number; seconds: number }
    | { mode: 'open'; ratePerSecond: number; seconds: number }
  );

export type LoadResult = {
  sent: number;
  ok: number;
  failed: number;
  /** Answers other than 200, by status, and transport errors, by code. */
  statuses: Record<string, number>;
  errors: Record<string, number>;
  firstError: string | null;
  /** First request to last answer. */
  seconds: number;
  /** Request to answer, every request answered 200 (`timed`: those that ended within the measured seconds). */
  latencyMs: { n: number; p50: number | null; p90: number | null; p99: number | null; max: number | null };
  /** `timed`: answers 200 that ended within the measured seconds (after the warm-up), per second. */
  measured: { ok: number; seconds: number; perSecond: number } | null;
  /** `open`: how late the generator fired against its schedule, and the most requests in flight at once. */
  open: { maxLagMs: number; p99LagMs: number; maxInFlight: number } | null;
  /** The load generator's own CPU for the run. */
  cpuMs: number;
};

/** Customer i's phone number (E.164, Uruguayan mobile range, as the simulator accepts). */
export const customerNumber = (i: number) => `+598994${String(i).padStart(5, '0')}`;

export type WebhookLoad = { pid: number; run(plan: LoadPlan): Promise<LoadResult>; close(): Promise<void> };

export async function startWebhookLoad(): Promise<WebhookLoad> {
  const child: BenchChild = await forkBenchChild(new URL('./webhook-load-child.ts', import.meta.url), { name: 'the webhook load generator' });
  return {
    pid: child.pid,
    run: (plan) => child.request<LoadResult>('run', { plan }),
    close: () => child.close(),
  };
}
