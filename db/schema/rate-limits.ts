import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Counters of rate-limiter-flexible's RateLimiterDrizzle (the login throttle): one row per limiter
 * key (`prefix:key`), incremented by one atomic INSERT … ON CONFLICT DO UPDATE, so the limit holds
 * across nodes and parallel requests. The library owns the row format (`key`, `points`, `expire`).
 */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text().primaryKey(),
    points: integer().notNull(),
    /** When the window (or the lockout) ends; the library deletes rows an hour past it. */
    expire: timestamp({ withTimezone: true }),
  },
  (t) => [index('rate_limits_expire_idx').on(t.expire)],
);
