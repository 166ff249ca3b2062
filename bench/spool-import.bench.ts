import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectDatabase } from '../db/connection.ts';
import { applyMigrations } from '../db/migrate.ts';
import { createLogger } from '../kernel/logger.ts';
import { benchDatabase } from './bench-database.ts';

/** The importer runs in its own process: its RSS is its own. */
const CHILD = fileURLToPath(new URL('./spool-import-child.ts', import.meta.url));

export type ImportBenchOptions = { rows: number; databaseUrl: string | undefined };

/**
 * `import`: a generated CSV of `rows` lines (the seed's format) into the spool through the real
 * importer (streamed, validated, one transaction; in a process of its own, for its peak RSS), against a raw `COPY` of the same file into a bare
 * table (no index, no key) in the same run; with the importer's peak RSS. The ratio is the figure.
 */
export async function run(options: ImportBenchOptions) {
  const logger = createLogger('warn');
  const database = await benchDatabase('import', options.databaseUrl, logger);
  const { sql, close } = connectDatabase(database.databaseUrl, { max: 4, applicationName: 'omnichat-bench-import' });
  const file = path.join(os.tmpdir(), `omnichat-bench-${process.pid}.csv`);
  try {
    await applyMigrations(sql);
    const [channel] = await sql<{ id: number }[]>`insert into channels (name, type) values ('sink', 'simulator') returning id`;
    const [campaign] = await sql<{ id: number }[]>`insert into campaigns (name) values ('campsms') returning id`;
    const [dialer] = await sql<{ id: number }[]>`insert into dialers (name, channel_id, enabled) values ('bench', ${channel!.id}, true) returning id`;
    const bytes = await writeCsv(file, options.rows);

    const child = JSON.parse(
      execFileSync(process.execPath, [CHILD, database.databaseUrl, String(dialer!.id), String(campaign!.id), file], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .at(-1)!,
    ) as { ok: boolean; seconds: number; rssBeforeMb: number; peakRssMb: number; issues?: unknown };
    if (!child.ok) throw new Error(`the benchmark file was refused: ${JSON.stringify(child.issues)}`);
    const { seconds } = child;
    await sql`create table copy_baseline (campaign text, destiny text, message text, priority text, extra text)`;
    const copyStarted = performance.now();
    await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), await sql`copy copy_baseline from stdin (format text, delimiter ';')`.writable());
    const copySeconds = (performance.now() - copyStarted) / 1000;
    await sql`drop table copy_baseline`;
    // The floor for this table: the importer's rows COPYed straight into a table shaped like the spool
    // (its key, claim index and defaults; no trigger), without parsing or checking anything.
    await sql`create table spool_floor (like spool including defaults including indexes)`;
    const columns = sql.unsafe('dialer_id, campaign_id, import_id, destination, message, priority, device, idm, data');
    const floorStarted = performance.now();
    await pipeline(await sql`copy (select ${columns} from spool) to stdout`.readable(), await sql`copy spool_floor (${columns}) from stdin`.writable());
    const floorSeconds = (performance.now() - floorStarted) / 1000;
    await sql`drop table spool_floor`;

    const [stored] = await sql<{ n: string }[]>`select count(*) as n from spool where dialer_id = ${dialer!.id}`;
    return {
      bench: 'import',
      rows: options.rows,
      fileMb: round(bytes / 2 ** 20, 1),
      stored: Number(stored!.n),
      seconds: round(seconds),
      rowsPerSecond: Math.round(options.rows / seconds),
      peakRssMb: child.peakRssMb,
      rssBeforeMb: child.rssBeforeMb,
      baseline: {
        what: 'raw COPY of the same file into a bare table (no key, no index)',
        seconds: round(copySeconds),
        rowsPerSecond: Math.round(options.rows / copySeconds),
      },
      ratio: round(copySeconds / seconds, 3),
      floor: {
        what: 'raw COPY of the imported rows into a table shaped like the spool (key, claim index)',
        seconds: round(floorSeconds),
        rowsPerSecond: Math.round(options.rows / floorSeconds),
      },
      ratioToFloor: round(floorSeconds / seconds, 3),
    };
  } finally {
    fs.rmSync(file, { force: true });
    await close();
    await database.drop();
  }
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/**
 * The seed's `campaign;destiny;message;priority;` lines, written by a child process so the memory it
 * takes is not counted as the importer's; answers the file's size.
 */
async function writeCsv(file: string, rows: number): Promise<number> {
  const script = `
    const fs = require('node:fs');
    const fd = fs.openSync(process.argv[1], 'w');
    for (let start = 0; start < ${rows}; start += 10000) {
      let chunk = '';
      for (let n = start; n < Math.min(${rows}, start + 10000); n++) {
        chunk += 'campsms;09' + String(1000000 + (n % 9000000)).padStart(7, '0') + ';Hey World! This is message ' + n + ' of the broadcast;' + (n % 10 === 0 ? 9999 : 0) + ';\\n';
      }
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);`;
  execFileSync(process.execPath, ['-e', script, file]);
  return fs.statSync(file).size;
}
