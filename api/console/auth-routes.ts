import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { agentPresence, breaks, users } from '../../db/schema/index.ts';
import type { AppServices } from '../app-services.ts';
import { HttpError, httpErrors, parseInput } from '../http-errors.ts';
import type { Me } from '../../contract/common.ts';
import { rooms } from '../../kernel/realtime.ts';
import { DECOY_HASH, verifyPassword } from '../password-hash.ts';
import { createLoginThrottle } from '../login-throttle.ts';
import { ALL_ROLES, route, type RouteSpec } from '../route-table.ts';
import { createSession, hasLiveSession, revokeSession, SESSION_COOKIE } from '../sessions.ts';
import type { Actor } from '../../kernel/actor.ts';
import { goOffline } from '../../routing/agent-presence.ts';
import { inTransaction } from '../../kernel/unit-of-work.ts';
import { audit } from '../../kernel/audit.ts';

const loginSchema = z.object({ username: z.string().trim().min(1).max(100), password: z.string().min(1).max(200) });

/** The logged-in user as the console needs it: identity, role, presence and the breaks on offer. */
export async function presentMe(services: AppServices, actor: Pick<Actor, 'userId' | 'username' | 'displayName' | 'role'>): Promise<Me> {
  const presence = await services.db.query.agentPresence.findFirst({ where: eq(agentPresence.userId, actor.userId) });
  const breakNames = await services.db.select({ name: breaks.name }).from(breaks).orderBy(breaks.name);
  return {
    id: actor.userId,
    username: actor.username,
    displayName: actor.displayName,
    role: actor.role,
    presence: {
      state: presence?.state ?? 'offline',
      breakName: presence?.breakName ?? null,
      since: (presence?.since ?? new Date()).toISOString(),
    },
    breaks: breakNames.map((row) => row.name),
  };
}

/** "12 minutes", "2 hours": how long a locked-out sign-in waits, for people. */
function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  if (seconds < 2 * 3600) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}

export function authRoutes(services: AppServices): RouteSpec[] {
  const throttle = createLoginThrottle({ db: services.db, limits: services.config });
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: services.config.secureCookies,
    path: '/',
  };
  return [
    route({
      method: 'post',
      path: '/api/auth/login',
      access: { public: 'the login itself' },
      async handler(request, response) {
        const input = parseInput(loginSchema, request.body);
        const user = await services.db.query.users.findFirst({ where: eq(users.username, input.username) });
        const ip = request.ip ?? request.socket.remoteAddress ?? 'unknown';
        const verdict = await throttle.attempt({ username: input.username, ip, userId: user?.id ?? null }, async () => {
          // Hash even for an unknown user so the answer's timing does not tell which usernames exist.
          const valid = await verifyPassword(input.password, user?.passwordHash ?? DECOY_HASH);
          return Boolean(user && valid && user.enabled);
        });
        if (verdict.outcome === 'locked') {
          // The password was not checked: a locked-out user cannot learn whether it was right.
          response.set('Retry-After', String(verdict.retryAfterSeconds));
          throw new HttpError(429, 'too_many_attempts', `Too many failed sign-ins. Try again in ${waitText(verdict.retryAfterSeconds)}.`, {
            retryAfterSeconds: verdict.retryAfterSeconds,
          });
        }
        if (verdict.outcome === 'failed' || !user) {
          await audit(services.db, {
            by: { userId: user?.id ?? null },
            action: 'auth.login_failed',
            details: { username: input.username.slice(0, 100), ip: request.ip },
          });
          throw new HttpError(401, 'invalid_credentials', 'Wrong username or password');
        }
        const { token, expiresAt } = await createSession(services.db, {
          userId: user.id,
          ttlHours: services.config.sessionTtlHours,
          userAgent: request.get('user-agent'),
          ip: request.ip,
        });
        await audit(services.db, { by: { userId: user.id }, action: 'auth.login', details: { ip: request.ip } });
        response.cookie(SESSION_COOKIE, token, { ...cookieOptions, expires: expiresAt });
        response.json(await presentMe(services, { userId: user.id, username: user.username, displayName: user.displayName, role: user.role }));
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/logout',
      access: { roles: ALL_ROLES },
      async handler(_request, response, actor) {
        await inTransaction(services, async (uow) => {
          await revokeSession(uow.tx, actor.tokenHash);
          // Logged out of the last session: nobody is at the console, so routing must not offer more.
          if (!(await hasLiveSession(uow.tx, actor.userId))) await goOffline(uow, actor.userId, actor.userId, 'logout');
        });
        services.realtime.disconnect(rooms.session(actor.tokenHash));
        response.clearCookie(SESSION_COOKIE, cookieOptions);
        response.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/api/me',
      access: { roles: ALL_ROLES },
      async handler(_request, response, actor) {
        if (!actor) throw httpErrors.unauthorized();
        response.json(await presentMe(services, actor));
      },
    }),
  ];
}
