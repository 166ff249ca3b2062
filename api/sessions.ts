import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import type { Actor } from '../kernel/actor.ts';
import { sessions, userSecurityGroups, users } from '../db/schema/index.ts';

export const SESSION_COOKIE = 'omnichat_session';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Opens a session; returns the cookie token (only its hash is stored). */
export async function createSession(db: Executor, input: { userId: number; ttlHours: number; userAgent?: string; ip?: string }) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + input.ttlHours * 3600_000);
  await db.insert(sessions).values({
    tokenHash: hashToken(token),
    userId: input.userId,
    expiresAt,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
    ip: input.ip ?? null,
  });
  return { token, expiresAt };
}

/** The actor behind a session token, or null when unknown, expired, revoked or the user is disabled. */
export async function resolveSession(db: Executor, token: string | undefined): Promise<Actor | null> {
  if (!token || token.length > 200) return null;
  const tokenHash = hashToken(token);
  const [row] = await db
    .select({
      user: { id: users.id, username: users.username, displayName: users.displayName, role: users.role },
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date()), eq(users.enabled, true)));
  if (!row) return null;
  if (Date.now() - row.lastSeenAt.getTime() > 60_000) {
    await db.update(sessions).set({ lastSeenAt: new Date() }).where(eq(sessions.tokenHash, tokenHash));
  }
  const groups = await db.select({ id: userSecurityGroups.securityGroupId }).from(userSecurityGroups).where(eq(userSecurityGroups.userId, row.user.id));
  return {
    userId: row.user.id,
    username: row.user.username,
    displayName: row.user.displayName,
    role: row.user.role,
    securityGroupIds: groups.map((group) => group.id),
    tokenHash,
  };
}

export async function revokeSession(db: Executor, tokenHash: string): Promise<void> {
  await db.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.tokenHash, tokenHash));
}

/** Whether the user still has an unexpired, unrevoked session (another tab or device). */
export async function hasLiveSession(db: Executor, userId: number): Promise<boolean> {
  const [row] = await db
    .select({ userId: sessions.userId })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
    .limit(1);
  return row !== undefined;
}
