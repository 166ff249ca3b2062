import path from 'node:path';
import { z } from 'zod';

/** Process roles: each can be switched off so a large installation splits work across nodes. */
export const ROLES = ['http', 'workers', 'session-channels'] as const;
export type Role = (typeof ROLES)[number];

const booleanish = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => value === 'true' || value === '1' || value === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, message: 'must be a postgres:// or postgresql:// URL' }).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./.data'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  ROLES: z
    .string()
    .default(ROLES.join(','))
    .transform((value) =>
      value
        .split(',')
        .map((role) => role.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(ROLES)).min(1, 'must name at least one role')),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(12),
  SECURE_COOKIES: booleanish.optional(),
  SEED_DEMO: booleanish.default(true),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** How long a node holds a session channel (modem, SMPP, WhatsApp Web) without renewing it. */
  SESSION_LEASE_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
  /** How often the session-channels role looks for channels to start, stop or renew. */
  SESSION_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** Chromium for whatsapp-web.js channels (never downloaded at install). */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /** How long live events wait to share a frame after the previous frames went out (0: only those of one turn of the event loop). */
  LIVE_FRAME_MS: z.coerce.number().int().min(0).max(1000).default(50),
  /** How long an agent's console may stay disconnected (reload, network cut) before they go offline. */
  PRESENCE_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** How numbers without a country code are read where no channel says (DNCR uploads and entries). */
  DEFAULT_COUNTRY: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code')
    .default('UY')
    .transform((value) => value.toUpperCase()),
  /** A dialer worker whose heartbeat is older than this is dead: its claimed rows are handed out again. */
  DIALER_WORKER_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /**
   * Connections of this process's main pool (the job queue has 6 more, live events 3): with several
   * nodes on one PostgreSQL, their sum must stay under its max_connections.
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(20),
  /** Concurrent batch loops per running dialer in this process. */
  DIALER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** Where "today" starts for monitor figures of agents, and of campaigns without a schedule. */
  TIME_ZONE: z.string().min(1).default('UTC').refine(isTimeZone, 'must be an IANA time zone such as America/Montevideo'),
  /** Wrong passwords in a row for one username from one address before that pair is locked out. */
  LOGIN_MAX_CONSECUTIVE_FAILS: z.coerce.number().int().min(1).max(1000).default(10),
  /** How long a username is locked out from the address that failed too often. */
  LOGIN_LOCKOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86400)
    .default(3600),
  /** Wrong passwords from one address (any usernames) in a day before the address is locked out. */
  LOGIN_MAX_FAILS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** How long an address that failed too often is locked out. */
  LOGIN_ADDRESS_LOCKOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86400)
    .default(86400),
});

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export type Config = {
  env: 'development' | 'production' | 'test';
  databaseUrl: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string | undefined;
  roles: ReadonlySet<Role>;
  embeddedPgPort: number;
  logLevel: string;
  sessionTtlHours: number;
  secureCookies: boolean;
  seedDemo: boolean;
  shutdownTimeoutMs: number;
  sessionLeaseSeconds: number;
  sessionPollMs: number;
  chromiumPath: string;
  presenceGraceSeconds: number;
  liveFrameMs: number;
  defaultCountry: string;
  dialerWorkerTimeoutMs: number;
  dialerConcurrency: number;
  databasePoolSize: number;
  timeZone: string;
  /** Login throttling (api/login-throttle.ts). */
  loginMaxConsecutiveFails: number;
  loginLockoutSeconds: number;
  loginMaxFailsPerAddress: number;
  loginAddressLockoutSeconds: number;
};

/** Thrown with one line per bad variable, each naming it, so a start fails with an actionable message. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; nothing else in the code reads `process.env`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const value = parsed.data;
  return Object.freeze({
    env: value.NODE_ENV,
    databaseUrl: value.DATABASE_URL,
    port: value.PORT,
    host: value.HOST,
    dataDir: path.resolve(value.DATA_DIR),
    publicUrl: value.PUBLIC_URL?.replace(/\/$/, ''),
    roles: new Set(value.ROLES),
    embeddedPgPort: value.EMBEDDED_PG_PORT,
    logLevel: value.LOG_LEVEL,
    sessionTtlHours: value.SESSION_TTL_HOURS,
    secureCookies: value.SECURE_COOKIES ?? value.PUBLIC_URL?.startsWith('https://') ?? false,
    seedDemo: value.SEED_DEMO,
    shutdownTimeoutMs: value.SHUTDOWN_TIMEOUT_MS,
    sessionLeaseSeconds: value.SESSION_LEASE_SECONDS,
    sessionPollMs: value.SESSION_POLL_MS,
    chromiumPath: value.CHROMIUM_PATH,
    presenceGraceSeconds: value.PRESENCE_GRACE_SECONDS,
    liveFrameMs: value.LIVE_FRAME_MS,
    defaultCountry: value.DEFAULT_COUNTRY,
    dialerWorkerTimeoutMs: value.DIALER_WORKER_TIMEOUT_MS,
    dialerConcurrency: value.DIALER_CONCURRENCY,
    databasePoolSize: value.DATABASE_POOL_SIZE,
    timeZone: value.TIME_ZONE,
    loginMaxConsecutiveFails: value.LOGIN_MAX_CONSECUTIVE_FAILS,
    loginLockoutSeconds: value.LOGIN_LOCKOUT_SECONDS,
    loginMaxFailsPerAddress: value.LOGIN_MAX_FAILS_PER_ADDRESS,
    loginAddressLockoutSeconds: value.LOGIN_ADDRESS_LOCKOUT_SECONDS,
  });
}
