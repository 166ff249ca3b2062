/**
 * The importer alone in its own process (the import benchmark's measured side), so its peak RSS is
 * the importer's and not the benchmark harness's:
 *   node bench/spool-import-child.ts DATABASE_URL DIALER_ID CAMPAIGN_ID FILE
 * prints one JSON line: { ok, seconds, rssBeforeMb, peakRssMb, issues? }.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { connectDatabase } from '../db/connection.ts';
import { importSpool } from '../dialer/spool-import.ts';

const [databaseUrl, dialerId, campaignId, file] = process.argv.slice(2);
const { sql, db, close } = connectDatabase(databaseUrl!, { max: 2, applicationName: 'omnichat-bench-import' });
await sql`select 1`;
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const started = performance.now();
const result = await importSpool(
  { sql, db },
  {
    dialerId: Number(dialerId),
    fileName: 'BENCH29042014.csv',
    source: fs.createReadStream(file!, { highWaterMark: 1 << 20 }),
    campaigns: new Map([['campsms', Number(campaignId)]]),
    userId: null,
  },
);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
await close();
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
process.stdout.write(
  `${JSON.stringify({ ok: result.ok, seconds, rssBeforeMb: mb(rssBefore), peakRssMb: mb(peakRss), ...(result.ok ? {} : { issues: result.issues.slice(0, 3) }) })}\n`,
);
