import { and, inArray, isNull, or, eq } from 'drizzle-orm';
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
