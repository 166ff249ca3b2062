/**
 * The webhook load generator of the benchmarks, alone in its process: `run` sends simulator webhooks
 * as its plan says (bench/webhook-load.ts) and answers what came back.
 *
 * - `count`: `count` messages with `concurrency` requests in flight (closed loop).
 * - `timed`: closed loop for `warmupSeconds + seconds`; what ended in the last `seconds` is measured.
 * - `open`: `ratePerSecond` on a fixed schedule for `seconds`, whatever the answers take (open loop:
 *   a slow server gets more requests in flight, not fewer requests).
 */
import http from 'node:http';
import { signPhoneToken } from '../gateway/simulator/phone-token.ts';
import { serveParent } from './bench-child.ts';
import { latencySummary, percentile, wallClockMs } from './stats.ts';
import { customerNumber, type LoadPlan, type LoadResult } from './webhook-load.ts';

async function run(plan: LoadPlan): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.mode === 'open' ? Number.POSITIVE_INFINITY : plan.concurrency });
  const target = new URL(`/webhooks/${plan.channelId}`, plan.url);
  const tokens = new Map<number, string>();
  const tokenOf = (customer: number) => {
    let token = tokens.get(customer);
    if (!token) {
      token = signPhoneToken(plan.signingKey, plan.channelId, customerNumber(customer));
      tokens.set(customer, token);
    }
    return token;
  };
  const text = plan.text ?? 'Hello';
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let firstError: string | null = null;
  let ok = 0;
  let sent = 0;
  const latencies: number[] = [];
  let windowFrom = 0;
  let windowTo = Number.POSITIVE_INFINITY;
  let measuredOk = 0;

  /** Sends message i (stamped `at`, its scheduled time in open loop); resolves when answered, never rejects. */
  const send = (i: number, at: number) =>
    new Promise<void>((resolve) => {
      const customer = (plan.firstCustomer ?? 0) + (i % plan.customers);
      const body = JSON.stringify({ type: 'message', id: `${plan.idPrefix}-${i}-${Math.round(at)}`, text });
      const started = wallClockMs();
      sent++;
      const request = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-simulator-token': tokenOf(customer) },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            const ended = wallClockMs();
            if (response.statusCode === 200) {
              ok++;
              if (plan.mode !== 'timed' || (ended >= windowFrom && ended <= windowTo)) {
                latencies.push(ended - started);
                if (plan.mode === 'timed') measuredOk++;
              }
            } else {
              statuses[String(response.statusCode)] = (statuses[String(response.statusCode)] ?? 0) + 1;
              firstError ??= `HTTP ${response.statusCode}`;
            }
            resolve();
          });
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        errors[error.code ?? error.message] = (errors[error.code ?? error.message] ?? 0) + 1;
        firstError ??= error.message;
        resolve();
      });
      request.end(body);
    });

  const cpu = process.cpuUsage();
  const start = wallClockMs();
  let open: LoadResult['open'] = null;
  if (plan.mode === 'count' || plan.mode === 'timed') {
    let next = 0;
    const stopAt = plan.mode === 'timed' ? start + (plan.warmupSeconds + plan.seconds) * 1000 : Number.POSITIVE_INFINITY;
    if (plan.mode === 'timed') {
      windowFrom = start + plan.warmupSeconds * 1000;
      windowTo = stopAt;
    }
    await Promise.all(
      Array.from({ length: plan.concurrency }, async () => {
        for (;;) {
          if (plan.mode === 'count' ? next >= plan.count : wallClockMs() >= stopAt) return;
          const i = next++;
          await send(i, wallClockMs());
        }
      }),
    );
  } else {
    const total = Math.round(plan.ratePerSecond * plan.seconds);
    const interval = 1000 / plan.ratePerSecond;
    const lags: number[] = [];
    const inFlight = new Set<Promise<void>>();
    let maxInFlight = 0;
    for (let i = 0; i < total; ) {
      const now = wallClockMs();
      // Everything due by now goes out at once: a late wake-up catches up instead of drifting.
      while (i < total && start + i * interval <= now) {
        const due = start + i * interval;
        lags.push(now - due);
        const request = send(i, due);
        inFlight.add(request);
        void request.then(() => inFlight.delete(request));
        maxInFlight = Math.max(maxInFlight, inFlight.size);
        i++;
      }
      if (i < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + i * interval - wallClockMs())));
    }
    await Promise.all(inFlight);
    lags.sort((a, b) => a - b);
    open = { maxLagMs: Math.round(lags.at(-1) ?? 0), p99LagMs: Math.round(percentile(lags, 99)), maxInFlight };
  }
  const seconds = (wallClockMs() - start) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  const measuredSeconds = plan.mode === 'timed' ? plan.seconds : 0;
  return {
    sent,
    ok,
    failed: sent - ok,
    statuses,
    errors,
    firstError,
    seconds,
    latencyMs: latencySummary(latencies),
    measured: plan.mode === 'timed' ? { ok: measuredOk, seconds: measuredSeconds, perSecond: Math.round(measuredOk / measuredSeconds) } : null,
    open,
    cpuMs: (used.user + used.system) / 1000,
  };
}

serveParent({ run: (payload) => run(payload.plan as LoadPlan) }, {});
