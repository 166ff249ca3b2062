import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

/**
 * The names secrets go by in this code base (channel secrets, API keys, passwords, session tokens).
 * pino redacts a path, not a name at any depth, so each is listed at the depths log objects nest
 * them (`{ secrets }`, `{ channel: { secrets } }`, `{ body: { settings: { authToken } } }`).
 */
const SECRET_NAMES = [
  'password',
  'passwordHash',
  'newPassword',
  'currentPassword',
  'token',
  'tokenHash',
  'secrets',
  'secret',
  'authToken',
  'accessToken',
  'appSecret',
  'verifyToken',
  'signingKey',
  'apiKey',
  'apikey',
  'key',
  'keyHash',
  'cookie',
  'authorization',
  'x-api-key',
  'databaseUrl',
];
const REDACT = SECRET_NAMES.flatMap((name) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`;
  const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
  return [key, join('*'), join('*.*'), join('*.*.*')];
});

/**
 * Properties of database errors that carry a statement's values: drizzle's `params` (also spelled
 * out in its message), postgres.js's `parameters`/`args`, and PostgreSQL's `detail`, which repeats
 * the values of a failing row ("Failing row contains (…)") or key, and its `where` (CONTEXT), which
 * quotes the input a jsonb value failed to parse from. A channel's secrets or a
 * password hash would reach the log through any of them.
 */
const VALUE_CARRIERS = ['params', 'parameters', 'args', 'detail', 'where'] as const;

/** An error as logged: type, message, stack, code and cause, never the values of a failed statement. */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return stdSerializers.err(withoutValues(error, 0));
}

function withoutValues(error: Error, depth: number): Error {
  const record = error as Error & Record<string, unknown>;
  const params = record.params;
  const leaks = params !== undefined || VALUE_CARRIERS.some((name) => name in record) || error.cause instanceof Error;
  if (!leaks || depth > 5) return error;
  const copy = Object.create(Object.getPrototypeOf(error)) as Error & Record<string, unknown>;
  for (const [name, value] of Object.entries(record)) if (!(VALUE_CARRIERS as readonly string[]).includes(name)) copy[name] = value;
  // drizzle writes the parameters into the message (`Failed query: …\nparams: …`) and so the stack.
  const message = error.message.replace(/\nparams: [\s\S]*$/, '\nparams: [redacted]');
  copy.message = message;
  copy.stack = error.stack?.replace(error.message, message);
  copy.name = error.name;
  if (error.cause instanceof Error) copy.cause = withoutValues(error.cause, depth + 1);
  return copy;
}

export type { Logger };

/** The process logger: secrets redacted by name, errors without statement values. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError, reason: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}
