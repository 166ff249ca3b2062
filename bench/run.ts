import { parseArgs } from 'node:util';
import * as inboundPipeline from './inbound-pipeline.bench.ts';

/**
 * `npm run bench [-- --customers 500]`: runs each benchmark and prints one JSON line per benchmark.
 * Figures are meant as ratios against the baseline measured in the same run; machines here are noisy.
 */
const { values } = parseArgs({
  options: { customers: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '16' } },
});
// Benchmarks use their own embedded server unless BENCH_DATABASE_URL points at a server to use.
const databaseUrl = process.env.BENCH_DATABASE_URL;
const result = await inboundPipeline.run({ customers: Number(values.customers), concurrency: Number(values.concurrency), databaseUrl });
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
