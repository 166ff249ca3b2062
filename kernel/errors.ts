import type { FieldIssue } from '../contract/common.ts';

/**
 * What kind of refusal an error is, independent of the transport: the API edge answers each with its
 * HTTP status (`api/http-errors.ts`), a job logs it, a test asserts it.
 */
export type ErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

/** An error with a stable machine `code` (what the console and integrators switch on) and optional `details` (the fields at fault). */
export class CodedError extends Error {
  readonly code: string;
  readonly details: unknown;
  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** A refusal by a command or a rule of the domain, of a kind the edge maps to a status. Anything else thrown is a bug. */
export class DomainError extends CodedError {
  override name = 'DomainError';
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, code: string, message: string, details?: unknown) {
    super(code, message, details);
    this.kind = kind;
  }
}

/** The common refusals, with the codes the API has always answered. */
export const domainErrors = {
  invalid: (message: string, details?: unknown) => new DomainError('invalid', 'bad_request', message, details),
  /** The fields at fault, each named by its path (`settings.accountSid`, `campaignIds.2`). */
  validation: (issues: FieldIssue[]) => new DomainError('invalid', 'validation_failed', 'The request is not valid', issues),
  forbidden: (message = 'Your role does not allow this') => new DomainError('forbidden', 'forbidden', message),
  notFound: (what: string) => new DomainError('not_found', 'not_found', `${what} not found`),
  conflict: (message: string, code = 'conflict') => new DomainError('conflict', code, message),
};
