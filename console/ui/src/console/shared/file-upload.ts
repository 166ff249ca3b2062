import { signal } from '@preact/signals';
import type { ApiError, FileIssue } from '../../../../../contract/common.ts';
import type { ImportProgress } from '../../../../../contract/dialer.ts';
import { ApiRequestError } from '../../api-client.ts';

/** The progress figures of the uploads on their way, by progress key (from `dialer.import.progress`). */
export const importProgress = signal<Record<string, ImportProgress>>({});

/** A `dialer.import.progress` push; only keys this page made are kept (they are removed when the upload ends). */
export function applyImportProgress(progress: ImportProgress): void {
  const current = importProgress.value;
  if (!(progress.progressKey in current)) return;
  const known = current[progress.progressKey];
  // Pushes can cross: never show fewer rows than already shown.
  if (known && known.rows > progress.rows) return;
  importProgress.value = { ...current, [progress.progressKey]: progress };
}

/** A random key naming one upload's progress events (randomUUID only exists on secure origins). */
export function newProgressKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Sends a file as the request body, streamed by the browser (never read into a string here);
 * resolves to the JSON answer or throws ApiRequestError with the server's details.
 */
export async function uploadFile<T>(path: string, file: File, progressKey?: string): Promise<T> {
  if (progressKey) importProgress.value = { ...importProgress.value, [progressKey]: { progressKey, bytes: 0, totalBytes: file.size, rows: 0, done: false } };
  try {
    let response: Response;
    try {
      response = await fetch(path, {
        method: 'POST',
        body: file,
        credentials: 'same-origin',
        headers: { accept: 'application/json', 'content-type': 'text/csv' },
      });
    } catch {
      throw new ApiRequestError(0, 'network_error', 'Cannot reach the server. Check your connection.');
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: an HTML error page from a proxy, kept as text.
    }
    if (response.ok) return body as T;
    const error = typeof body === 'object' && body !== null && 'error' in body ? (body as ApiError).error : null;
    if (error) throw new ApiRequestError(response.status, error.code, error.message, error.details);
    throw new ApiRequestError(response.status, `http_${response.status}`, `${response.statusText || 'Upload failed'} (${response.status})`);
  } finally {
    if (progressKey) {
      const { [progressKey]: _done, ...others } = importProgress.value;
      importProgress.value = others;
    }
  }
}

/** The problems of a refused file (400 invalid_file: `details.issues`), or null for any other failure. */
export function fileIssuesOf(error: unknown): FileIssue[] | null {
  if (!(error instanceof ApiRequestError) || error.code !== 'invalid_file') return null;
  const details = error.details as { issues?: unknown } | null | undefined;
  return Array.isArray(details?.issues) ? (details.issues as FileIssue[]) : [{ line: null, column: null, message: error.message }];
}

/** "line 3, column 2: …", "line 3: …" or just the message for the whole file. */
export function describeIssue(issue: FileIssue): string {
  if (issue.line === null) return issue.message;
  return issue.column === null ? `line ${issue.line}: ${issue.message}` : `line ${issue.line}, column ${issue.column}: ${issue.message}`;
}
