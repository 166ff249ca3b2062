import type { ApiError } from '../../../contract/common.ts';

/** An HTTP call that failed; carries the server's stable `code` and human `message`. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type RequestOptions = {
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses besides 2xx whose body is an answer, not an error (a test send that failed: 502 with its result). */
  accept?: readonly number[];
};

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'message' in error;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Sends a JSON request with the session cookie; resolves to the parsed body or throws ApiRequestError. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiRequestError(0, 'network_error', 'Cannot reach the server. Check your connection.');
  }
  const body = await readBody(response);
  if (response.ok || options.accept?.includes(response.status)) return body as T;
  if (isApiError(body)) {
    const { code, message, details } = body.error;
    throw new ApiRequestError(response.status, code ?? `http_${response.status}`, message, details);
  }
  const fallback = response.statusText || 'Request failed';
  throw new ApiRequestError(response.status, `http_${response.status}`, `${fallback} (${response.status})`);
}

/** Short-hands for the verbs the UI uses. */
export const api = {
  get: <T>(path: string, headers?: Record<string, string>) => request<T>('GET', path, { headers }),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>, accept?: readonly number[]) => request<T>('POST', path, { body, headers, accept }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
};

/** The message of the first `{ path, message }` detail of a validation failure, if there is one. */
function firstDetailMessage(details: unknown): string | null {
  if (!Array.isArray(details)) return null;
  const first: unknown = details[0];
  if (typeof first !== 'object' || first === null || !('message' in first)) return null;
  return typeof first.message === 'string' && first.message !== '' ? first.message : null;
}

/** The message to show for any thrown value; a validation failure names what is wrong, not just "not valid". */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiRequestError && error.code === 'validation_failed') {
    const detail = firstDetailMessage(error.details);
    if (detail !== null) return detail;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** True when the server says the session is missing or expired. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiRequestError && error.status === 401;
}

/** True when the server says the thing asked for does not exist (or is not visible to me). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiRequestError && error.status === 404;
}
