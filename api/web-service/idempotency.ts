import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/connection.ts';
import { apiIdempotencyKeys } from '../../db/schema/index.ts';
import { HttpError } from '../http-errors.ts';

export type StoredAnswer = { status: number; body: unknown };

/** A request body's fingerprint, independent of the order of its keys. */
export function requestHash(body: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
          )
        : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

/**
 * Runs `work` once per (API key, Idempotency-Key): a repeat with the same body gets the first answer
 * again, a repeat with another body a 422 `idempotency_conflict`. Race-safe: the key's row is inserted
 * first, in the transaction that does the work, so a duplicate arriving meanwhile blocks on that
 * insert's unique index until the first commits (then reads its answer) or rolls back (then does the
 * work itself). A failed request stores nothing: the client may retry it with the same key.
 */
export async function idempotent(
  db: Db,
  scope: { apiKeyId: number; key: string; requestHash: string },
  work: (tx: Tx) => Promise<StoredAnswer>,
): Promise<StoredAnswer> {
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .insert(apiIdempotencyKeys)
      .values({ apiKeyId: scope.apiKeyId, key: scope.key, requestHash: scope.requestHash, responseStatus: 0, responseBody: {} })
      .onConflictDoNothing()
      .returning({ key: apiIdempotencyKeys.key });
    const where = and(eq(apiIdempotencyKeys.apiKeyId, scope.apiKeyId), eq(apiIdempotencyKeys.key, scope.key));
    if (!claimed) {
      // Read committed: this statement sees the row whose commit the insert above waited for.
      const [first] = await tx.select().from(apiIdempotencyKeys).where(where);
      if (!first) throw new HttpError(503, 'retry', 'The same Idempotency-Key is being used by another request; try again');
      if (first.requestHash !== scope.requestHash) {
        throw new HttpError(422, 'idempotency_conflict', 'This Idempotency-Key was already used with a different request body');
      }
      return { status: first.responseStatus, body: first.responseBody };
    }
    const answer = await work(tx);
    await tx.update(apiIdempotencyKeys).set({ responseStatus: answer.status, responseBody: answer.body }).where(where);
    return answer;
  });
}
