import type { Db } from '../db/connection.ts';
import { dncr } from '../db/schema/index.ts';
import { FileIssues, RejectedFile, type FileImportResult } from './csv-issues.ts';
import { MAX_LINE_BYTES, readLines, type LineFlaw } from './csv-lines.ts';
import { dncrNumber } from './dncr.ts';
import { fileNameProblems } from './file-name.ts';
import { audit } from '../kernel/audit.ts';

/** Rows per INSERT: 4 parameters each, well under PostgreSQL's 65535. */
const BATCH = 2000;
const HEADER = /^\s*(number|phone|destiny);(campaign|campign)?;?\s*$/i;

export type DncrImportInput = {
  fileName: string;
  source: AsyncIterable<Buffer | string>;
  /** The campaign names the file may use, with their ids (campaignsByName). */
  campaigns: ReadonlyMap<string, number>;
  /** Country of numbers written without a country code. */
  country: string;
  userId: number | null;
};

export type DncrImportResult = FileImportResult<{ added: number; alreadyListed: number }>;

/**
 * Imports a DNCR file, all or nothing, in one transaction, inserting as it streams in. Each record is
 * `number;campaign;` (the seed's `23578408;marcadortest;`): the trailing `;` is optional, an empty
 * campaign means the global list, a named one must be a campaign the uploader can see. Numbers are
 * stored in their DNCR form (dncrNumber); one with no digits is an issue. Blank lines, the header
 * (`number;campaign`), the file name and the UTF-8 rules are those of spool uploads. Numbers already
 * listed (or twice in the file) are counted, not refused.
 */
export async function importDncr(db: Db, input: DncrImportInput): Promise<DncrImportResult> {
  const issues = new FileIssues();
  for (const problem of fileNameProblems(input.fileName)) issues.add(null, null, problem);
  let pending: { number: string; campaignId: number | null }[] = [];
  let records = 0;
  let blankFrom = 0;
  let blankCount = 0;

  const record = () => {
    records++;
    for (let blank = blankFrom; blank < blankFrom + blankCount; blank++) {
      issues.add(blank, null, 'Empty record: a blank line between records (only blank lines at the end of the file are allowed; they never create rows)');
    }
    blankCount = 0;
  };
  const onLine = (bytes: Buffer, start: number, end: number, line: number, flaw: LineFlaw) => {
    if (flaw) {
      record();
      issues.add(line, null, flaw === 'not_utf8' ? 'The line is not UTF-8 text; save the file as UTF-8' : `The line is longer than ${MAX_LINE_BYTES} bytes`);
      return;
    }
    const text = bytes.toString('utf8', start, end);
    if (!text.trim()) {
      if (!blankCount) blankFrom = line;
      blankCount++;
      return;
    }
    if (line === 1 && HEADER.test(text)) return;
    record();
    const fields = text.split(';');
    if (fields.length > 1 && fields.at(-1) === '') fields.pop();
    if (fields.length > 2) {
      issues.add(line, 3, `A record is number;campaign; (an empty campaign: the global list); this one has ${fields.length} columns`);
    }
    const [written, campaignName = ''] = fields;
    const number = written!.trim() ? dncrNumber(written!, input.country) : null;
    if (!number) issues.add(line, 1, written!.trim() ? `"${written}" is not a phone number` : 'The number is empty');
    const campaignId = campaignName === '' ? null : (input.campaigns.get(campaignName) ?? undefined);
    if (campaignId === undefined) issues.add(line, 2, `Campaign "${campaignName}" does not exist`);
    // After the first issue nothing more is inserted (the import rolls back), but every line is still checked.
    if (issues.count) {
      pending = [];
      return;
    }
    pending.push({ number: number!, campaignId: campaignId! });
  };

  try {
    return await db.transaction(async (tx) => {
      let added = 0;
      const insert = async () => {
        const batch = pending;
        pending = [];
        for (let at = 0; at < batch.length; at += BATCH) {
          const rows = await tx
            .insert(dncr)
            .values(batch.slice(at, at + BATCH).map((row) => ({ ...row, source: 'upload', createdByUserId: input.userId })))
            .onConflictDoNothing()
            .returning({ id: dncr.id });
          added += rows.length;
        }
      };
      await readLines(input.source, onLine, async () => {
        if (pending.length >= BATCH) await insert();
      });
      if (!records) issues.add(null, null, 'The file holds no records; each line is number;campaign; (the campaign may be empty: the global list)');
      if (issues.count) throw new RejectedFile();
      await insert();
      const alreadyListed = records - added;
      await audit(tx, {
        by: { userId: input.userId },
        action: 'dncr.imported',
        target: { type: 'dncr', id: null },
        details: { fileName: input.fileName, records, added, alreadyListed },
      });
      return { ok: true as const, added, alreadyListed };
    });
  } catch (error) {
    if (error instanceof RejectedFile) return { ok: false, issues: issues.list() };
    throw error;
  }
}
