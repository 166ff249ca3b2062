import { and, inArray, isNull, or, eq } from 'drizzle-orm';
import { normalizeProviderAddress } from '../gateway/phone-number.ts';
import type { Executor } from '../db/connection.ts';
import { dncr } from '../db/schema/index.ts';

/**
 * Of these numbers, the ones the DNCR blocks for a campaign: its own list and the global one. Every
 * broadcast checks here before it sends, and the opt-out keywords of the bot layer write here.
 */
export async function blockedNumbers(db: Executor, campaignId: number, numbers: readonly string[]): Promise<Set<string>> {
  if (!numbers.length) return new Set();
  const rows = await db
    .selectDistinct({ number: dncr.number })
    .from(dncr)
    .where(and(inArray(dncr.number, [...numbers]), or(isNull(dncr.campaignId), eq(dncr.campaignId, campaignId))));
  return new Set(rows.map((row) => row.number));
}

/** A number as people write one: digits with an optional leading `+` and the usual separators. */
const WRITTEN_NUMBER = /^\+?\(?[0-9][0-9 ().\-/]*$/;
/** Fewer digits than this is no number anyone can be called at (short codes have at least 3). */
const MIN_DIGITS = 3;

/**
 * How a number is stored on the DNCR: E.164 when it parses (read with `country` when it has no
 * country code), else `+digits`; null when it is not written as a phone number (letters, a leading
 * `-`, SQL, fewer than three digits). The dialer looks numbers up in the same form, so `098344484`
 * on the list blocks `+59898344484` in a broadcast.
 */
export function dncrNumber(input: string, country: string): string | null {
  const written = input.trim();
  if (!WRITTEN_NUMBER.test(written) || written.replace(/[^0-9]/g, '').length < MIN_DIGITS) return null;
  try {
    return normalizeProviderAddress(written, country);
  } catch {
    return null;
  }
}
