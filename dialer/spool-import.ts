import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type postgres from 'postgres';
import type { Executor } from '../db/connection.ts';
import { FileIssues, RejectedFile, type FileImportResult } from './csv-issues.ts';
import { auditOnDriver } from '../kernel/audit.ts';
import { readLines } from './csv-lines.ts';
import { signalDialer } from './dialer-signal.ts';
import { fileNameProblems } from './file-name.ts';
import { SPOOL_COPY_COLUMNS, SPOOL_COPY_OPTIONS, SpoolRows } from './spool-import-rows.ts';

/** How often progress is reported while a file streams in. */
export const PROGRESS_INTERVAL_MS = 250;
/** COPY text is handed to the connection in pieces of about this size (fewer, bigger writes). */
const WRITE_BYTES = 512 * 1024;

export type ImportProgressFigures = { bytes: number; rows: number; done: boolean };

export type SpoolImportInput = {
  dialerId: number;
  fileName: string;
  /** The file as it streams in: an HTTP request, a file stream, any iterable of chunks. */
  source: AsyncIterable<Buffer | string>;
  /** The campaign names the file may use, with their ids (campaignsByName). */
  campaigns: ReadonlyMap<string, number>;
  userId: number | null;
  /** Called about every PROGRESS_INTERVAL_MS while the file streams in, and once when it is done. */
  onProgress?: (progress: ImportProgressFigures) => void;
};

/** An imported file: its spool_imports row and its rows per campaign name. */
export type ImportedFile = {
  id: number;
  dialerId: number;
  fileName: string;
  rows: number;
  bytes: number;
  campaigns: Record<string, number>;
  createdAt: Date;
  finishedAt: Date;
};

export type SpoolImportResult = FileImportResult<{ import: ImportedFile }>;

/**
 * Imports a CSV file into a dialer's spool, all or nothing, in one transaction: the file is read as it
 * streams in and its rows are piped into `COPY spool … FROM STDIN` (never the whole file in memory).
 * Every line is checked against the seed's rules (spool-import-rows.ts) and the file name against
 * file-name.ts; with any issue the transaction rolls back and every issue is returned, with its line
 * and column. The spool_imports row and its audit row commit with the rows; the dialer is woken after.
 * `ctx.sql` is the postgres.js pool the drizzle `ctx.db` runs on (COPY needs the driver itself).
 */
export async function importSpool(ctx: { sql: postgres.Sql; db: Executor }, input: SpoolImportInput): Promise<SpoolImportResult> {
  const issues = new FileIssues();
  for (const problem of fileNameProblems(input.fileName)) issues.add(null, null, problem);
  let reportedAt = performance.now();
  let figures: ImportProgressFigures = { bytes: 0, rows: 0, done: false };
  try {
    const imported = await ctx.sql.begin(async (tx) => {
      const [created] = await tx<{ id: number; created_at: Date | string }[]>`
        insert into spool_imports (dialer_id, file_name, created_by_user_id, status)
        values (${input.dialerId}, ${input.fileName}, ${input.userId}, 'importing') returning id, created_at`;
      const rows = new SpoolRows({ campaigns: input.campaigns, dialerId: input.dialerId, importId: created!.id, issues });
      const copy = await tx.unsafe(`copy spool ${SPOOL_COPY_COLUMNS} from stdin ${SPOOL_COPY_OPTIONS}`).writable();
      // The connection reports its failures as 'error' events; without a listener one would crash the process.
      copy.on('error', () => {});
      const write = async () => {
        for (const buffer of rows.take()) if (!copy.write(buffer)) await once(copy, 'drain');
      };
      let bytes: number;
      try {
        ({ bytes } = await readLines(input.source, rows.line, async (bytesRead) => {
          if (rows.pendingBytes >= WRITE_BYTES) await write();
          figures = { bytes: bytesRead, rows: rows.rows, done: false };
          if (input.onProgress && performance.now() - reportedAt >= PROGRESS_INTERVAL_MS) {
            reportedAt = performance.now();
            input.onProgress(figures);
          }
        }));
        rows.finish();
        await write();
        copy.end();
        await finished(copy);
      } catch (error) {
        // A source that fails (the upload was cut) or a COPY the server refused: end the COPY (CopyFail)
        // so the connection can run the ROLLBACK.
        copy.destroy(error as Error);
        throw error;
      }
      figures = { bytes, rows: rows.rows, done: true };
      if (issues.count) throw new RejectedFile();
      const campaigns = rows.campaignRows();
      const [done] = await tx<{ finished_at: Date | string }[]>`
        update spool_imports set row_count = ${rows.rows}, byte_count = ${bytes}, status = 'imported', finished_at = now()
        where id = ${created!.id} returning finished_at`;
      await auditOnDriver(tx, {
        by: { userId: input.userId },
        action: 'spool.imported',
        target: { type: 'spool_import', id: created!.id },
        details: { dialerId: input.dialerId, fileName: input.fileName, rows: rows.rows, bytes, campaigns },
      });
      return {
        id: created!.id,
        dialerId: input.dialerId,
        fileName: input.fileName,
        rows: rows.rows,
        bytes,
        campaigns,
        // The shared pool hands timestamps over as text (drizzle's parsers): read them either way.
        createdAt: new Date(created!.created_at),
        finishedAt: new Date(done!.finished_at),
      } satisfies ImportedFile;
    });
    await signalDialer(ctx.db, input.dialerId);
    return { ok: true, import: imported };
  } catch (error) {
    if (error instanceof RejectedFile) return { ok: false, issues: issues.list() };
    throw error;
  } finally {
    input.onProgress?.({ ...figures, done: true });
  }
}
