import type { FileIssue } from '../contract/common.ts';

/** How many issues an answer lists; past it they are only counted, so a garbage file can't fill memory. */
export const MAX_FILE_ISSUES = 1000;

/** The problems found in an uploaded file, in file order, capped at MAX_FILE_ISSUES. */
export class FileIssues {
  readonly #issues: FileIssue[] = [];
  #more = 0;

  get count(): number {
    return this.#issues.length + this.#more;
  }

  add(line: number | null, column: number | null, message: string): void {
    if (this.#issues.length < MAX_FILE_ISSUES) this.#issues.push({ line, column, message });
    else this.#more++;
  }

  /** The issues, ending with one that counts those left out. */
  list(): FileIssue[] {
    if (!this.#more) return [...this.#issues];
    return [...this.#issues, { line: null, column: null, message: `…and ${this.#more} more ${this.#more === 1 ? 'issue' : 'issues'} not listed` }];
  }
}

/** What an all-or-nothing file import answers: what it did, or every issue of the file (and nothing stored). */
export type FileImportResult<Done> = ({ ok: true } & Done) | { ok: false; issues: FileIssue[] };

/** Thrown inside an import's transaction when the file has issues: rolls everything back; the import answers the issues. */
export class RejectedFile extends Error {
  override name = 'RejectedFile';
}
