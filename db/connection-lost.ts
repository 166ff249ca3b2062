/**
 * Codes of a database that is gone or out of reach: postgres.js's own (a connection closed, ended,
 * destroyed or not made in time), the socket's, and PostgreSQL's for a server shutting down, starting
 * up or out of connections (class 08 is checked apart: every connection exception).
 */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: the server is stopping (or the backend was terminated)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, recovering
  '53300', // too_many_connections
]);

/**
 * Whether an error (or one it wraps: drizzle's `cause`, an AggregateError's `errors`) says the
 * database connection was lost or could not be made, as opposed to a refused statement. Such a
 * failure is transient: the work is retried, never reported as a bug.
 */
export function isConnectionLost(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (Array.isArray(errors) && errors.some((inner) => isConnectionLost(inner, depth + 1))) return true;
  return isConnectionLost(cause, depth + 1);
}
