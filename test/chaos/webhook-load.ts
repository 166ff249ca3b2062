import { signPhoneToken } from '../../gateway/simulator/phone-token.ts';
import { SIMULATOR_TOKEN_HEADER } from '../../gateway/simulator/simulator-channel.ts';

/** The simulator channel the messages go to, and the key its phone tokens are signed with. */
export type WebhookTarget = { id: number; signingKey: string };

export type LoadFigures = {
  sent: number;
  acknowledged: number;
  /** Answers other than 2xx, by status ('network' when no answer came). */
  refusals: Record<string, number>;
  attemptsMax: number;
  /** Messages never acknowledged, even after retrying. */
  unacknowledged: string[];
};

export type WebhookLoad = {
  /** Texts of the messages sent so far, by the provider id they were sent with. */
  readonly messages: ReadonlyMap<string, { text: string; from: string; acknowledgedAt: number | null }>;
  acknowledged(): number;
  /** Stops sending new messages and waits (up to `settleMs`) for every one to be acknowledged. */
  stop(settleMs: number): Promise<LoadFigures>;
};

/** Posts one simulator message as a provider would: signed, the same id on every retry. */
export async function postMessage(baseUrl: string, channel: WebhookTarget, from: string, id: string, text: string): Promise<number | 'network'> {
  try {
    const response = await fetch(`${baseUrl}/webhooks/${channel.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIMULATOR_TOKEN_HEADER]: signPhoneToken(channel.signingKey, channel.id, from) },
      body: JSON.stringify({ type: 'message', id, text }),
      signal: AbortSignal.timeout(20_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 'network';
  }
}

/**
 * Steady webhook traffic: `perSecond` messages a second, round robin over `customers`, each retried
 * like a provider retries (the same message id, backing off up to 4 s) until it is answered 2xx.
 */
export function startWebhookLoad(input: { baseUrl: string; channel: WebhookTarget; customers: string[]; perSecond: number; prefix: string }): WebhookLoad {
  const messages = new Map<string, { text: string; from: string; acknowledgedAt: number | null }>();
  const refusals: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let attemptsMax = 0;
  let acknowledged = 0;
  let stopping = false;
  let giveUpAt = Infinity;
  let sequence = 0;

  const deliver = async (id: string) => {
    const message = messages.get(id)!;
    for (let attempt = 1; ; attempt++) {
      attemptsMax = Math.max(attemptsMax, attempt);
      const status = await postMessage(input.baseUrl, input.channel, message.from, id, message.text);
      if (typeof status === 'number' && status >= 200 && status < 300) {
        message.acknowledgedAt = Date.now();
        acknowledged++;
        return;
      }
      refusals[status] = (refusals[status] ?? 0) + 1;
      if (Date.now() > giveUpAt) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 4000) * (0.75 + Math.random() / 2)));
    }
  };

  const timer = setInterval(() => {
    if (stopping) return;
    const n = ++sequence;
    const id = `${input.prefix}-${String(n).padStart(6, '0')}`;
    messages.set(id, { text: `m${n}`, from: input.customers[n % input.customers.length]!, acknowledgedAt: null });
    const delivery = deliver(id).finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }, 1000 / input.perSecond);

  return {
    messages,
    acknowledged: () => acknowledged,
    async stop(settleMs) {
      stopping = true;
      clearInterval(timer);
      giveUpAt = Date.now() + settleMs;
      while (inFlight.size) await Promise.all([...inFlight]);
      return {
        sent: messages.size,
        acknowledged,
        refusals,
        attemptsMax,
        unacknowledged: [...messages].filter(([, message]) => message.acknowledgedAt === null).map(([id]) => id),
      };
    },
  };
}

export type ReadinessSample = { at: number; status: number | 'no answer'; ms: number };

/** Asks `/readyz` every `intervalMs` (one at a time) and keeps every answer, until stopped. */
export function watchReadiness(baseUrl: string, intervalMs = 250) {
  const samples: ReadinessSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      const status = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(10_000) })
        .then(async (response) => (await response.arrayBuffer(), response.status))
        .catch(() => 'no answer' as const);
      samples.push({ at, status, ms: Date.now() - at });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
      return samples;
    },
  };
}
