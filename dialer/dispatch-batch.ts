import { setTimeout as sleep } from 'node:timers/promises';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type postgres from 'postgres';
import type { Channel, OutboundMessage, SendResult } from '../gateway/channel.ts';
import { SPOOL_STATES, type DialerTemplate } from '../db/schema/index.ts';
import { claimBatch, recordOutcomes, releaseRows, type ClaimedRow, type Outcome } from './spool-claims.ts';
import { quietUntil } from './quiet-hours.ts';
import type { SlotPacer } from '../kernel/slot-pacer.ts';

/** What one batch loop needs to know about its dialer and channel, refreshed by the runner. */
export type DispatchTarget = {
  dialerId: number;
  channelId: number;
  channel: Channel;
  /** How the channel reads numbers without a country code. */
  defaultCountry: string;
  dialString: string | null;
  batchSize: number;
  /**
   * The clocks every send waits for, in order: the dialer's time between messages (first, when it
   * has one) and the channel's rate (shared with conversation sends on it), each reserved in blocks
   * across nodes; none when unpaced.
   */
  pacers: SlotPacer[];
  dncrCheck: boolean;
  quietHours: boolean;
  template: DialerTemplate | null;
  /** Sends in flight at once: the SMPP window, a modem pool, an HTTP provider's concurrency. */
  sendConcurrency: number;
};

export type BatchReport = { claimed: number; sent: number; blocked: number; other: number; failed: number; released: number };

/** A retryable failure gives the row back this long; past this many claims it is FAILED. */
const RETRY_DELAY_MS = 30_000;
const MAX_ATTEMPTS = 3;

/**
 * One batch: claim the next rows, mark bad numbers OTHER and DNCR numbers BLOCKED without sending,
 * hold rows in the recipient's quiet hours, send the rest in order through the channel with the
 * dialer's pacing, and store every outcome. `stopping()` is asked before each send: once it says
 * yes, the sends in hand finish and the rest of the batch goes back to the queue unsent.
 */
export async function dispatchBatch(sql: postgres.Sql, workerId: string, target: DispatchTarget, stopping: () => boolean): Promise<BatchReport> {
  const rows = await claimBatch(sql, target.dialerId, workerId, target.batchSize);
  const report: BatchReport = { claimed: rows.length, sent: 0, blocked: 0, other: 0, failed: 0, released: 0 };
  if (rows.length === 0) return report;
  const outcomes: Outcome[] = [];
  try {
    await processBatch(sql, workerId, target, stopping, rows, outcomes, report);
  } catch (error) {
    // Rows without an outcome go back to the queue now: never handed to the provider, or refused with
    // a retry asked (no send is in flight any more: every lane has ended). The outcomes of the others
    // must still be stored (the runner keeps trying), or they would be sent again.
    const settled = new Set(outcomes.map((outcome) => outcome.id));
    await releaseRows(
      sql,
      workerId,
      rows.filter((row) => !settled.has(row.id)).map((row) => row.id),
    ).catch(() => {});
    throw new BatchError(
      error,
      outcomes.filter((outcome) => !outcome.stored),
    );
  }
  return report;
}

/** A batch that failed midway, with the outcomes it could not store yet. */
export class BatchError extends Error {
  override name = 'BatchError';
  readonly unstored: Outcome[];
  constructor(cause: unknown, unstored: Outcome[]) {
    super(`dialer batch failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.unstored = unstored;
  }
}

async function processBatch(
  sql: postgres.Sql,
  workerId: string,
  target: DispatchTarget,
  stopping: () => boolean,
  rows: ClaimedRow[],
  outcomes: Outcome[],
  report: BatchReport,
): Promise<void> {
  const toSend: { row: ClaimedRow; to: string }[] = [];
  const held = new Map<number, { ids: number[]; until: Date }>();
  const now = new Date();
  const numbers = rows.map((row) => parseNumber(row.destination, target.defaultCountry));
  const blocked = target.dncrCheck ? await dncrHits(sql, rows, numbers) : new Set<number>();
  rows.forEach((row, index) => {
    const number = numbers[index];
    if (!number) {
      outcomes.push({ id: row.id, state: SPOOL_STATES.OTHER, error: `"${row.destination}" is not a valid phone number` });
      return;
    }
    if (blocked.has(row.id)) {
      outcomes.push({ id: row.id, state: SPOOL_STATES.BLOCKED, error: null });
      return;
    }
    const until = target.quietHours ? quietUntil(number.country, now) : null;
    if (until) {
      const group = held.get(until.getTime()) ?? { ids: [], until };
      group.ids.push(row.id);
      held.set(until.getTime(), group);
      return;
    }
    toSend.push({ row, to: number.e164 });
  });
  for (const group of held.values()) {
    await releaseRows(sql, workerId, group.ids, group.until, `held by quiet hours until ${group.until.toISOString()}`);
    report.released += group.ids.length;
  }
  const unsent = await send(sql, workerId, target, toSend, outcomes, stopping);
  if (unsent.length)
    await releaseRows(
      sql,
      workerId,
      unsent.map((row) => row.id),
    );
  report.released += unsent.length;
  await recordUntilStored(sql, workerId, outcomes);
  for (const outcome of outcomes) {
    if (outcome.state === SPOOL_STATES.SENT) report.sent++;
    else if (outcome.state === SPOOL_STATES.BLOCKED) report.blocked++;
    else if (outcome.state === SPOOL_STATES.OTHER) report.other++;
    else if (outcome.state === SPOOL_STATES.FAILED) report.failed++;
  }
}

/** E.164 and country of a valid number; null for a number no network would take. */
function parseNumber(input: string, defaultCountry: string): { e164: string; country: string | undefined } | null {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry as CountryCode);
  return parsed?.isValid() ? { e164: parsed.number, country: parsed.country } : null;
}

/** The rows whose number is on the global DNCR or on their campaign's. */
async function dncrHits(sql: postgres.Sql, rows: readonly ClaimedRow[], numbers: readonly ({ e164: string } | null)[]): Promise<Set<number>> {
  const wanted = [...new Set(numbers.filter((number) => number !== null).map((number) => number.e164))];
  if (wanted.length === 0) return new Set();
  const listed = await sql<{ number: string; campaignId: number | null }[]>`
    select number, campaign_id as "campaignId" from dncr where number = any(${sql.array(wanted)}::text[])`;
  if (listed.length === 0) return new Set();
  const keys = new Set(listed.map((entry) => `${entry.number}:${entry.campaignId ?? '*'}`));
  const hits = new Set<number>();
  rows.forEach((row, index) => {
    const number = numbers[index]?.e164;
    if (number && (keys.has(`${number}:*`) || keys.has(`${number}:${row.campaignId}`))) hits.add(row.id);
  });
  return hits;
}

/** Outcomes are stored together, at most this long after the send: a crash re-sends no more than that. */
const STORE_EVERY_MS = 250;

/**
 * Sends the queue in order, as many at once as the channel takes, each at its slot on the paced
 * clocks. Outcomes are stored together every STORE_EVERY_MS while the sends go on, and the rest at
 * the end; retryable failures go back to the queue for later. Answers the rows left unsent because
 * the dialer is stopping.
 */
async function send(
  sql: postgres.Sql,
  workerId: string,
  target: DispatchTarget,
  queue: readonly { row: ClaimedRow; to: string }[],
  outcomes: Outcome[],
  stopping: () => boolean,
): Promise<ClaimedRow[]> {
  const retry: Outcome[] = [];
  const unsent: ClaimedRow[] = [];
  const writer = outcomeWriter(sql, workerId);
  let next = 0;
  /** The first failure of any lane (the database, taking a slot): the other lanes stop at once. */
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (next < queue.length && !stopping() && !failure) {
      const index = next++;
      const { row, to } = queue[index]!;
      try {
        // The dialer's clock first, with the sends still to come; then one slot of the channel's.
        for (const [position, pacer] of target.pacers.entries()) await pacer.take(position === 0 ? queue.length - index : 1);
      } catch (error) {
        failure ??= { error };
      }
      if (stopping() || failure) {
        unsent.push(row);
        return;
      }
      const outcome = outcomeOf(row, await sendOne(target, row, to));
      if (outcome.state === SPOOL_STATES.TO_PROCESS) retry.push(outcome);
      else {
        outcomes.push(outcome);
        writer.add(outcome);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, target.sendConcurrency), queue.length) }, lane));
  await writer.finish();
  if (failure) throw (failure as { error: unknown }).error;
  const byError = Map.groupBy(retry, (outcome) => outcome.error ?? '');
  for (const [error, group] of byError)
    await releaseRows(
      sql,
      workerId,
      group.map((outcome) => outcome.id),
      new Date(Date.now() + RETRY_DELAY_MS),
      `will retry: ${error}`,
    );
  return [...unsent, ...queue.slice(next).map((item) => item.row)];
}

/**
 * Stores outcomes in the background while the sends go on, one statement for all that arrived since
 * the last; `finish` waits for the last write and throws if one could not be stored (the batch then
 * hands its unstored outcomes to the runner).
 */
function outcomeWriter(sql: postgres.Sql, workerId: string) {
  let due: Outcome[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const flush = () => {
    timer = undefined;
    const batch = due;
    due = [];
    writing = writing.then(async () => {
      if (failure !== null || batch.length === 0) return;
      try {
        await recordUntilStored(sql, workerId, batch);
        for (const outcome of batch) outcome.stored = true;
      } catch (error) {
        failure = error;
      }
    });
  };
  return {
    add(outcome: Outcome) {
      due.push(outcome);
      timer ??= setTimeout(flush, STORE_EVERY_MS);
    },
    async finish() {
      clearTimeout(timer);
      flush();
      await writing;
      if (failure !== null) throw failure;
    },
  };
}

function outcomeOf(row: ClaimedRow, result: SendResult): Outcome {
  if (result.ok) return { id: row.id, state: SPOOL_STATES.SENT, providerMessageId: result.providerMessageId, error: null };
  const error = `${result.errorCode}: ${result.errorMessage}`;
  if (result.retryable && row.attempts < MAX_ATTEMPTS) return { id: row.id, state: SPOOL_STATES.TO_PROCESS, error };
  return { id: row.id, state: SPOOL_STATES.FAILED, error };
}

function sendOne(target: DispatchTarget, row: ClaimedRow, to: string): Promise<SendResult> {
  const message: OutboundMessage = {
    messageId: row.id,
    to,
    text: row.message,
    media: [],
    ...(row.device || target.dialString ? { dialString: row.device || target.dialString! } : {}),
    ...(target.template
      ? {
          rich: {
            body: row.message,
            content: { type: 'template', name: target.template.name, language: target.template.language, bodyParameters: templateVariables(row.message) },
          },
        }
      : {}),
  };
  return target.channel.send(message).catch((error: unknown) => ({
    ok: false as const,
    errorCode: 'send_error',
    errorMessage: error instanceof Error ? error.message : String(error),
    retryable: true,
  }));
}

/** A template row's message holds the body variables, `|`-separated ({{1}}|{{2}}…). */
export function templateVariables(message: string): string[] {
  return message.trim() === '' ? [] : message.split('|').map((value) => value.trim());
}

/**
 * Outcomes must be stored before the loop moves on (the rows are claimed by this worker until then):
 * a failing database is retried with a growing pause, never skipped.
 */
async function recordUntilStored(sql: postgres.Sql, workerId: string, outcomes: readonly Outcome[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await recordOutcomes(
        sql,
        workerId,
        outcomes.filter((outcome) => !outcome.stored),
      );
      return;
    } catch (error) {
      if (attempt >= 8) throw error;
      await sleep(Math.min(5_000, 100 * 2 ** attempt));
    }
  }
}
