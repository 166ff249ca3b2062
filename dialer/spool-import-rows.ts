import { MAX_FILE_PRIORITY } from './spool-message.ts';
import { charactersIn, isControlCharacter, MAY_BE_FORBIDDEN, showCharacter } from './csv-forbidden-characters.ts';
import type { FileIssues } from './csv-issues.ts';
import { MAX_LINE_BYTES, type LineFlaw } from './csv-lines.ts';

/**
 * The columns of COPY text a SpoolRows writes, in its order. `null ''`: an empty device, idm or data
 * is stored as NULL (destiny and message are never empty).
 */
export const SPOOL_COPY_COLUMNS = '(dialer_id, import_id, campaign_id, destination, message, priority, device, idm, data)';
export const SPOOL_COPY_OPTIONS = "(format text, null '')";

/** The optional first line naming the columns: the seed's spelling (`campign;destiny;menssage;priority`) or the right one, any case. */
const HEADER = /^\s*campa?i?gn;destiny;men?ssage;(priority|device;idm;data);?\s*$/i;

const BASE_COLUMNS = 'campaign;destiny;message;priority';
const VARIANT_COLUMNS = 'campaign;destiny;message;device;idm;data';
const COLUMN_NAMES = ['campaign', 'destiny', 'message', 'priority'];
const VARIABLE_COLUMNS = ['message', 'device', 'idm', 'data'];

const SEPARATOR = 0x3b; // ;
const BACKSLASH = 0x5c;
/** Per byte: 0 plain, 1 suspect (may begin a refused character, or COPY must escape it), 2 the separator. */
const BYTE_CLASS = (() => {
  const table = Uint8Array.from(MAY_BE_FORBIDDEN);
  table[BACKSLASH] = 1;
  table[SEPARATOR] = 2;
  return table;
})();

const OUT_BYTES = 1 << 20;
const ROW_TAIL = Buffer.from('\t\t\t\n'); // base form: no device, idm, data
const NEWLINE = 0x0a;
const TAB = 0x09;

type Campaign = { id: number; name: string; bytes: Buffer; prefix: Buffer; rows: number };

/**
 * Reads the lines of a spool upload, checks each against the seed's rules, and while the file has no
 * issue encodes each record as one row of COPY text (see SPOOL_COPY_COLUMNS).
 *
 * A record is `campaign;destiny;message;priority` (the seed's base line) or
 * `campaign;destiny;message;device;idm;data` (the seed's table; priority 0). A line ending in `;` has
 * one trailing empty field dropped first (the seed's `campsms;098344384;Hey World!;9999;`); then 4
 * fields are the base form, 6 the variant, anything else an issue: fewer than 4 at the first missing
 * column ("at least the first four columns must exist"), 5 at column 5 and 7 or more at column 7,
 * explaining the two forms. The rules, each reported with its line and column:
 * - column 1, the campaign, names a campaign the uploader can see, exactly (`campaigns`);
 * - column 2, the destiny, is not blank and has no control character; an invalid number is not an
 *   issue: the row is imported as given and the dialer marks it OTHER;
 * - column 3, the message, is not blank; it and device, idm, data have none of the refused characters
 *   (csv-forbidden-characters.ts);
 * - column 4 of the base form, the priority, is a whole number 0..999999 (higher goes first);
 * - a blank (or whitespace-only) line between records is an empty record; blank lines at the end never
 *   create rows and are not an issue; the file must hold at least one record;
 * - a first line naming the columns is skipped; lines must be UTF-8 and at most 1 MiB.
 */
export class SpoolRows {
  readonly #issues: FileIssues;
  readonly #names: ReadonlyMap<string, number>;
  readonly #prefix: string;
  readonly #campaigns = new Map<string, Campaign>();
  readonly #seps = new Int32Array(8);
  #last: Campaign | null = null;
  #blankFrom = 0;
  #blankCount = 0;
  #records = 0;
  #rows = 0;
  #out = Buffer.allocUnsafe(OUT_BYTES);
  #used = 0;
  #ready: Buffer[] = [];

  /** `campaigns`: the names the uploader may use, with their ids. */
  constructor(input: { campaigns: ReadonlyMap<string, number>; dialerId: number; importId: number; issues: FileIssues }) {
    this.#issues = input.issues;
    this.#names = input.campaigns;
    this.#prefix = `${input.dialerId}\t${input.importId}\t`;
  }

  /** Rows encoded so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Rows per campaign name. */
  campaignRows(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const campaign of this.#campaigns.values()) if (campaign.rows) counts[campaign.name] = campaign.rows;
    return counts;
  }

  /** The COPY text encoded since the last call, as buffers the caller owns. */
  take(): Buffer[] {
    if (this.#used) {
      this.#ready.push(this.#out.subarray(0, this.#used));
      this.#out = Buffer.allocUnsafe(OUT_BYTES);
      this.#used = 0;
    }
    const ready = this.#ready;
    this.#ready = [];
    return ready;
  }

  /** Bytes waiting in take(). */
  get pendingBytes(): number {
    let bytes = this.#used;
    for (const buffer of this.#ready) bytes += buffer.length;
    return bytes;
  }

  /** The end of the file: blank lines still pending were trailing ones, and never create rows. */
  finish(): void {
    if (!this.#records) this.#issues.add(null, null, `The file holds no records; each line is ${BASE_COLUMNS} (or ${VARIANT_COLUMNS})`);
  }

  /** One line of the file (a LineHandler). */
  line = (bytes: Buffer, start: number, end: number, line: number, flaw: LineFlaw): void => {
    if (flaw) {
      this.#record();
      this.#issues.add(
        line,
        null,
        flaw === 'not_utf8' ? 'The line is not UTF-8 text; save the file as UTF-8' : `The line is longer than ${MAX_LINE_BYTES} bytes`,
      );
      return;
    }
    const seps = this.#seps;
    let count = 0;
    let suspect = 0;
    for (let i = start; i < end; i++) {
      const kind = BYTE_CLASS[bytes[i]!];
      if (kind === 0) continue;
      if (kind === 2) {
        if (count < 8) seps[count] = i;
        count++;
      } else suspect |= 1 << (count < 7 ? count : 7);
    }
    if (count === 0 && isBlank(bytes, start, end)) {
      if (!this.#blankCount) this.#blankFrom = line;
      this.#blankCount++;
      return;
    }
    if (line === 1 && HEADER.test(bytes.toString('utf8', start, end))) return;
    this.#record();

    // One trailing empty field is dropped: `a;b;c;9999;` is the base form.
    const fields = count > 0 && bytes[end - 1] === SEPARATOR ? count : count + 1;
    const from = (column: number) => (column === 0 ? start : seps[column - 1]! + 1);
    const to = (column: number) => (column < count ? seps[column]! : end);
    const issues = this.#issues;

    if (fields < 4) {
      issues.add(line, fields + 1, `At least the first four columns must exist (${BASE_COLUMNS}): the ${COLUMN_NAMES[fields]} is missing`);
    } else if (fields !== 4 && fields !== 6) {
      issues.add(
        line,
        fields === 5 ? 5 : 7,
        `A record has 4 columns (${BASE_COLUMNS}) or 6 (${VARIANT_COLUMNS}), either one optionally followed by ';'; this one has ${fields}`,
      );
    }
    const campaign = this.#campaign(bytes, start, to(0));
    if (!campaign) {
      const name = bytes.toString('utf8', start, to(0));
      issues.add(line, 1, name.trim() ? `Campaign "${name}" does not exist` : 'The campaign is empty');
    }
    if (fields >= 2) {
      if (isBlank(bytes, from(1), to(1))) issues.add(line, 2, 'The destiny (phone number) is empty');
      else if (suspect & 2) {
        const controls = charactersIn(bytes.toString('utf8', from(1), to(1)), isControlCharacter);
        if (controls.length) issues.add(line, 2, `The destiny holds ${controls.map(showCharacter).join(', ')}`);
      }
    }
    const variables = fields === 6 ? 4 : fields >= 3 ? 1 : 0;
    for (let index = 0; index < variables; index++) {
      const column = index + 2;
      if (index === 0 && isBlank(bytes, from(column), to(column))) {
        issues.add(line, 3, 'The message is empty');
        continue;
      }
      if (!(suspect & (1 << column))) continue;
      const refused = charactersIn(bytes.toString('utf8', from(column), to(column)));
      if (refused.length) {
        issues.add(line, column + 1, `The ${VARIABLE_COLUMNS[index]} holds characters that are not allowed: ${refused.map(showCharacter).join(', ')}`);
      }
    }
    if (fields === 4 && !isPriority(bytes, from(3), to(3))) {
      issues.add(line, 4, `The priority "${bytes.toString('utf8', from(3), to(3))}" must be a whole number from 0 to ${MAX_FILE_PRIORITY}`);
    }
    // After the first issue nothing more is written (the import rolls back), but every line is still checked.
    if (issues.count) return;

    campaign!.rows++;
    this.#rows++;
    this.#reserve(campaign!.prefix.length + (end - start) * 2 + 8);
    this.#append(campaign!.prefix);
    this.#field(bytes, from(1), to(1), (suspect & 2) !== 0);
    this.#byte(TAB);
    this.#field(bytes, from(2), to(2), (suspect & 4) !== 0);
    this.#byte(TAB);
    if (fields === 4) {
      this.#field(bytes, from(3), to(3), false);
      this.#append(ROW_TAIL);
      return;
    }
    this.#byte(0x30); // the variant's priority: 0
    for (let column = 3; column < 6; column++) {
      this.#byte(TAB);
      this.#field(bytes, from(column), to(column), (suspect & (1 << column)) !== 0);
    }
    this.#byte(NEWLINE);
  };

  /** A non-blank line: blank lines held before it were in the middle of the file, each an empty record. */
  #record(): void {
    this.#records++;
    for (let blank = this.#blankFrom; blank < this.#blankFrom + this.#blankCount; blank++) {
      this.#issues.add(blank, null, 'Empty record: a blank line between records (only blank lines at the end of the file are allowed; they never create rows)');
    }
    this.#blankCount = 0;
  }

  /** The campaign a name names, or null: the last one is compared byte for byte first (files come sorted). */
  #campaign(bytes: Buffer, start: number, end: number): Campaign | null {
    const last = this.#last;
    if (last && last.bytes.length === end - start && sameBytes(last.bytes, bytes, start)) return last;
    const name = bytes.toString('utf8', start, end);
    let campaign = this.#campaigns.get(name);
    if (!campaign) {
      const id = this.#names.get(name);
      if (id === undefined) return null;
      campaign = { id, name, bytes: Buffer.from(name), prefix: Buffer.from(`${this.#prefix}${id}\t`), rows: 0 };
      this.#campaigns.set(name, campaign);
    }
    this.#last = campaign;
    return campaign;
  }

  #reserve(bytes: number): void {
    if (this.#out.length - this.#used >= bytes) return;
    if (this.#used) this.#ready.push(this.#out.subarray(0, this.#used));
    this.#out = Buffer.allocUnsafe(Math.max(OUT_BYTES, bytes));
    this.#used = 0;
  }

  #append(part: Buffer): void {
    part.copy(this.#out, this.#used);
    this.#used += part.length;
  }

  #byte(byte: number): void {
    this.#out[this.#used++] = byte;
  }

  /** Copies a field into the COPY text; `doubleBackslashes`: it may hold backslashes, which COPY text doubles. */
  #field(bytes: Buffer, start: number, end: number, doubleBackslashes: boolean): void {
    const out = this.#out;
    let at = this.#used;
    if (!doubleBackslashes) {
      // Short fields by hand: a native copy costs more than it saves below a few dozen bytes.
      if (end - start < 48) for (let i = start; i < end; i++) out[at++] = bytes[i]!;
      else at += bytes.copy(out, at, start, end);
    } else {
      for (let i = start; i < end; i++) {
        const byte = bytes[i]!;
        if (byte === BACKSLASH) out[at++] = BACKSLASH;
        out[at++] = byte;
      }
    }
    this.#used = at;
  }
}

function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! > 0x20) return false;
  return true;
}

function sameBytes(name: Buffer, bytes: Buffer, start: number): boolean {
  for (let i = 0; i < name.length; i++) if (name[i] !== bytes[start + i]) return false;
  return true;
}

/** Digits only (spaces around them allowed: PostgreSQL's integer input skips them), 0..MAX_FILE_PRIORITY. */
function isPriority(bytes: Buffer, start: number, end: number): boolean {
  while (start < end && bytes[start] === 0x20) start++;
  while (end > start && bytes[end - 1] === 0x20) end--;
  if (start === end) return false;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) return false;
    value = value * 10 + digit;
    if (value > MAX_FILE_PRIORITY) return false;
  }
  return true;
}
