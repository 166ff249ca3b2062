import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import { isConnectionLost } from '../db/connection-lost.ts';
import { CodedError, DomainError, domainErrors, type ErrorKind } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';

/** Sent as Retry-After with every 503: the database back after a restart, a conflict that passed. */
export const RETRY_AFTER_SECONDS = 2;

/** A coded error with its HTTP status, rendered as `{ error: { code, message, details } }`: what only HTTP has (401, 413, 503…) and every domain refusal once mapped. */
export class HttpError extends CodedError {
  override name = 'HttpError';
  readonly status: number;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(code, message, details);
    this.status = status;
  }
}

/** The HTTP status of each kind of domain refusal. */
const STATUS_OF: Record<ErrorKind, number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409 };

/** The refusals routes throw: the domain's (`kernel/errors.ts`), and those only HTTP has. */
export const httpErrors = {
  badRequest: domainErrors.invalid,
  validation: domainErrors.validation,
  forbidden: domainErrors.forbidden,
  notFound: domainErrors.notFound,
  conflict: domainErrors.conflict,
  unauthorized: () => new HttpError(401, 'unauthorized', 'Log in to continue'),
  unavailable: (message: string) => new HttpError(503, 'unavailable', message),
};

/** Validates input with a zod schema; a failure is a 400 naming each bad field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw httpErrors.validation(result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  }
  return result.data;
}

/** The one express error handler: known errors keep their status and code, the rest are 500 and logged. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, request, response, _next) => {
    const known = toHttpError(error);
    if (!known) logger.error({ err: error, method: request.method, path: request.path }, 'request failed');
    const rendered = known ?? new HttpError(500, 'internal', 'Something went wrong on our side');
    if (rendered.status === 503) response.set('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(rendered.status).json({
      error: { code: rendered.code, message: rendered.message, ...(rendered.details === undefined ? {} : { details: rendered.details }) },
    });
  };
}

const CLIENT_ERROR_MESSAGES: Record<number, string> = {
  400: 'The request could not be read (its path, encoding or body is malformed)',
  415: 'The request body is in an encoding or character set this server does not read',
};

/** A domain refusal as HTTP answers it. */
const rendered = (error: DomainError) => new HttpError(STATUS_OF[error.kind], error.code, error.message, error.details);

/** The HttpError a thrown error stands for, or null for an unexpected one (a 500, logged). */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof DomainError) return rendered(error);
  // The database went away mid-request (a restart, a failover): the transaction did not commit, or
  // its commit is unknown, so never a 2xx; the caller retries, and ids stored once make that safe.
  if (isConnectionLost(error)) return httpErrors.unavailable('The service is briefly unavailable; try again in a few seconds');
  // A constraint the database enforces (unique name, a row still referenced) is a conflict, not a crash.
  const code = (error as { cause?: { code?: string }; code?: string })?.cause?.code ?? (error as { code?: string })?.code;
  if (code === '23505') return rendered(httpErrors.conflict('That already exists'));
  if (code === '23503') return rendered(httpErrors.conflict('Other records still refer to this'));
  // Two commands on the same records at the same instant (rare: an offer accepted while its agent goes on a break).
  if (code === '40P01' || code === '40001') return new HttpError(503, 'retry', 'Someone changed the same records at the same moment; try again');
  const bodyError = error as { type?: string; status?: number };
  if (bodyError?.type === 'entity.parse.failed') return rendered(httpErrors.badRequest('The request body is not valid JSON'));
  if (bodyError?.type === 'entity.too.large') return new HttpError(413, 'too_large', 'The request body is too large');
  // Everything else express, its router or its body parsers refuse on the client's account carries a
  // 4xx status (a path that is not valid percent-encoding, an unknown Content-Encoding or charset, a
  // body cut short). Their messages quote the input (a legacy SendSMS path holds an API key), so
  // only the status is kept.
  if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return new HttpError(bodyError.status, 'unreadable_request', CLIENT_ERROR_MESSAGES[bodyError.status] ?? 'The request could not be read');
  }
  return null;
}
