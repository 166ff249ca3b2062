import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Executor } from '../../db/connection.ts';
import { apiKeys } from '../../db/schema/index.ts';
import { HttpError } from '../http-errors.ts';

/** The API key a web-service request acts as: what it may send for and through which dialer. */
export type ApiCaller = { id: number; name: string; campaignIds: number[]; securityGroupId: number | null; dialerId: number | null };

/**
 * SHA-256 of a key. A key is 32 random bytes, so a fast hash is enough: a slow password hash only
 * helps against guessing low-entropy secrets, and 2^256 keys cannot be guessed. A fast hash also lets
 * every request look its key up by hash, without a per-request scrypt.
 */
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

const firstString = (value: unknown): string | undefined => {
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' && one.trim() !== '' ? one.trim() : undefined;
};

/**
 * The key a request carries: `X-API-Key`, `Authorization: Bearer <key>`, or the `apikey` field of the
 * query or form body. The last two exist for old integrations that can only change the URL or form;
 * a key in a URL ends up in proxies' logs, so the headers are what the docs recommend.
 */
export function readApiKey(request: Request): string | undefined {
  const header = firstString(request.headers['x-api-key']);
  if (header) return header;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1];
  return (
    firstString((request.query as Record<string, unknown> | undefined)?.apikey) ?? firstString((request.body as Record<string, unknown> | undefined)?.apikey)
  );
}

/** How often `last_used_at` is written: a busy key would otherwise write its row on every request. */
const LAST_USED_EVERY_MS = 60_000;

/** The caller behind the request's key; 401 with a message saying what is missing or wrong. */
export async function authenticateApiKey(db: Executor, request: Request): Promise<ApiCaller> {
  const key = readApiKey(request);
  if (!key) {
    throw new HttpError(401, 'unauthorized', 'An API key is required: send it in the X-API-Key header, as Authorization: Bearer <key>, or in the apikey field');
  }
  // Looked up by hash: equality on a hash leaks nothing useful through timing (no timing-safe compare needed).
  const keyHash = hashApiKey(key);
  const [row] =
    key.length > 200
      ? []
      : await db
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
  if (!row) throw new HttpError(401, 'unauthorized', 'This API key is not valid or was revoked');
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
    // Conditional, so concurrent requests of one key write it once at most per minute.
    await db
      .update(apiKeys)
      .set({ lastUsedAt: new Date() })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(Date.now() - LAST_USED_EVERY_MS)))));
  }
  return { id: row.id, name: row.name, campaignIds: row.campaignIds, securityGroupId: row.securityGroupId, dialerId: row.dialerId };
}
