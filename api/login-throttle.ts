import { isIPv6 } from 'node:net';
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/connection.ts';
import { rateLimits } from '../db/schema/index.ts';
import type { Config } from '../kernel/config.ts';
import { audit } from '../kernel/audit.ts';

export type LoginLimits = Pick<Config, 'loginMaxConsecutiveFails' | 'loginLockoutSeconds' | 'loginMaxFailsPerAddress' | 'loginAddressLockoutSeconds'>;

/** Who is trying: the username as typed, the client address, and the user it names (null when none). */
export type LoginAttempt = { username: string; ip: string; userId: number | null };

export type LoginVerdict = { outcome: 'passed' } | { outcome: 'failed' } | { outcome: 'locked'; retryAfterSeconds: number };

export type LoginThrottle = {
  /** Runs `checkPassword` unless this username from this address, or this address, is locked out. */
  attempt(who: LoginAttempt, checkPassword: () => Promise<boolean>): Promise<LoginVerdict>;
};

type Limiter = { scope: 'username_and_address' | 'address'; store: RateLimiterDrizzle };

/**
 * Login throttling as OWASP and rate-limiter-flexible's "login endpoint protection" recipe do it:
 * consecutive failures per username and address (a success resets them) lock that pair out, and
 * failures per address per day lock the address out, whichever username it tries. The counters live
 * in PostgreSQL (`rate_limits`), so every node sees the same lockout.
 */
export function createLoginThrottle(input: { db: Db; limits: LoginLimits }): LoginThrottle {
  const { db, limits } = input;
  const byUserAndAddress: Limiter = {
    scope: 'username_and_address',
    store: new RateLimiterDrizzle({
      storeClient: db,
      schema: rateLimits,
      keyPrefix: 'login_fails_username_address',
      points: limits.loginMaxConsecutiveFails,
      // Consecutive: only a success (or 90 quiet days) clears the count.
      duration: 90 * 86400,
      blockDuration: limits.loginLockoutSeconds,
    }),
  };
  const byAddress: Limiter = {
    scope: 'address',
    store: new RateLimiterDrizzle({
      storeClient: db,
      schema: rateLimits,
      keyPrefix: 'login_fails_address_day',
      points: limits.loginMaxFailsPerAddress,
      duration: 86400,
      blockDuration: limits.loginAddressLockoutSeconds,
    }),
  };

  /** Takes one point of `limiter`, or says how long to wait (and audits the lockout this attempt engaged). */
  async function take(limiter: Limiter, key: string, who: LoginAttempt, address: string): Promise<LoginVerdict | null> {
    try {
      await limiter.store.consume(key);
      return null;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      // Exactly one attempt gets points + 1 (the upsert serializes them): it engaged this lockout.
      if (refusal.consumedPoints === limiter.store.points + 1) await auditLockout(db, limiter, who, address);
      return { outcome: 'locked', retryAfterSeconds: wait(limiter, refusal) };
    }
  }

  return {
    async attempt(who, checkPassword) {
      const address = addressKey(who.ip);
      // An address has no spaces, so `address username` names one pair whatever the username holds.
      const pairKey = `${address} ${who.username}`;
      const counters = [
        { limiter: byUserAndAddress, key: pairKey },
        { limiter: byAddress, key: address },
      ];

      // A read first: while locked out, a flood of attempts costs reads, not writes.
      const current = await Promise.all(counters.map(async (counter) => ({ counter, res: await counter.limiter.store.get(counter.key) })));
      const waits = current.flatMap(({ counter, res }) => (res && res.consumedPoints > counter.limiter.store.points ? [wait(counter.limiter, res)] : []));
      if (waits.length > 0) return { outcome: 'locked', retryAfterSeconds: Math.max(...waits) };

      // Then the attempt takes its points BEFORE the password is checked: each increment is one
      // atomic upsert, so of N parallel attempts only the first `points` are checked and the next
      // one engages the lockout. (Checking first and counting after, as the recipe does, lets a
      // burst of parallel guesses all be checked before any of them is counted.) The pair's point
      // comes first: an attempt it refuses must not take the address's, or a burst on one username
      // would spend (and lock) the address too.
      const pairRefusal = await take(byUserAndAddress, pairKey, who, address);
      if (pairRefusal) return pairRefusal;
      const addressRefusal = await take(byAddress, address, who, address);
      if (addressRefusal) {
        // The password is not checked, so the pair gives its point back.
        await byUserAndAddress.store.reward(pairKey);
        return addressRefusal;
      }

      if (!(await checkPassword())) return { outcome: 'failed' };
      // Only failures count: a success clears the pair's run and gives the address its point back.
      await Promise.all([byUserAndAddress.store.delete(pairKey), byAddress.store.reward(address)]);
      return { outcome: 'passed' };
    },
  };
}

/**
 * Seconds to wait, never more than the lockout: an attempt racing the one that engaged it can still
 * read the counting window's end (up to 90 days away) before the lockout's end is written.
 */
function wait(limiter: Limiter, res: RateLimiterRes): number {
  const ms = Math.min(res.msBeforeNext, limiter.store.blockDuration * 1000);
  return Math.max(1, Math.ceil(ms / 1000));
}

async function auditLockout(db: Db, limiter: Limiter, who: LoginAttempt, address: string) {
  await audit(db, {
    by: { userId: limiter.scope === 'username_and_address' ? who.userId : null },
    action: 'auth.locked_out',
    target: {
      type: limiter.scope === 'address' ? 'address' : 'user',
      id: limiter.scope === 'address' ? address : who.userId === null ? null : String(who.userId),
    },
    details: { scope: limiter.scope, username: who.username.slice(0, 100), ip: who.ip, address, seconds: limiter.store.blockDuration },
  });
}

/**
 * The address a limit counts against: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64, the block
 * one subscriber usually holds, so rotating addresses inside it does not reset the count.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const bare = ip.replace(/%.*$/, '');
  if (!isIPv6(bare)) return ip;
  const groupCount = (part: string) => (part === '' ? 0 : part.split(':').reduce((sum, group) => sum + (group.includes('.') ? 2 : 1), 0));
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const zeros = tail === undefined ? 0 : 8 - groupCount(head) - groupCount(tail);
  const groups = [...left, ...Array<string>(zeros).fill('0'), ...(tail ? tail.split(':') : [])];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
