import { parseArgs } from 'node:util';
import { CAMPAIGN_STRATEGIES, type CampaignStrategy } from '../db/schema/index.ts';
import * as inboundPipeline from './inbound-pipeline.bench.ts';
import * as routing from './routing.bench.ts';
import * as dispatch from './dialer-dispatch.bench.ts';
import * as spoolImport from './spool-import.bench.ts';
import * as smpp from './smpp.bench.ts';

/**
 * `npm run bench [-- --customers 500 --routing-conversations 10000]`: runs each benchmark and prints
 * one JSON line per benchmark (`--only routing` runs one). Figures are meant as ratios against the
 * baseline measured in the same run; machines here are noisy. See bench/README.md.
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    customers: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '16' },
    'routing-conversations': { type: 'string', default: '10000' },
    'routing-campaigns': { type: 'string', default: '20' },
    'routing-agents': { type: 'string', default: '1000' },
    'routing-max-interactions': { type: 'string', default: '3' },
    'routing-strategy': { type: 'string', default: 'fewest_active' },
    'routing-closes': { type: 'string', default: '500' },
    'routing-close-interval-ms': { type: 'string', default: '40' },
    'import-rows': { type: 'string', default: '1000000' },
    'dispatch-rows': { type: 'string', default: '1000000' },
    'dispatch-dncr': { type: 'string', default: '100000' },
    'dispatch-batch': { type: 'string', default: '500' },
    'dispatch-concurrency': { type: 'string', default: '2' },
    'smpp-rows': { type: 'string', default: '20000' },
    'smpp-windows': { type: 'string', default: '10,100' },
    'smpp-batch': { type: 'string', default: '500' },
    'smpp-http-concurrency': { type: 'string', default: '64' },
  },
});
const strategy = values['routing-strategy'] as CampaignStrategy;
if (!CAMPAIGN_STRATEGIES.includes(strategy) || strategy === 'offer_all') {
  throw new Error(`--routing-strategy must be one of ${CAMPAIGN_STRATEGIES.filter((s) => s !== 'offer_all').join(', ')}`);
}
// Benchmarks use their own embedded server unless BENCH_DATABASE_URL points at a server to use.
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!values.only || values.only === 'inbound') {
  const result = await inboundPipeline.run({ customers: Number(values.customers), concurrency: Number(values.concurrency), databaseUrl });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
if (!values.only || values.only === 'routing') {
  const result = await routing.run({
    conversations: Number(values['routing-conversations']),
    campaigns: Number(values['routing-campaigns']),
    agents: Number(values['routing-agents']),
    maxInteractions: Number(values['routing-max-interactions']),
    strategy,
    closes: Number(values['routing-closes']),
    closeIntervalMs: Number(values['routing-close-interval-ms']),
    databaseUrl,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
if (!values.only || values.only === 'import') {
  const result = await spoolImport.run({ rows: Number(values['import-rows']), databaseUrl });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
if (!values.only || values.only === 'dispatch') {
  const result = await dispatch.run({
    rows: Number(values['dispatch-rows']),
    dncr: Number(values['dispatch-dncr']),
    batchSize: Number(values['dispatch-batch']),
    concurrency: Number(values['dispatch-concurrency']),
    databaseUrl,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
if (!values.only || values.only === 'smpp') {
  const windows = values['smpp-windows'].split(',').map((window) => Number(window.trim()));
  if (windows.some((window) => !Number.isInteger(window) || window < 1 || window > 100)) {
    throw new Error('--smpp-windows must list SMPP windows from 1 to 100 (the channel schema allows no more), e.g. 10,100');
  }
  const result = await smpp.run({
    rows: Number(values['smpp-rows']),
    windows,
    batchSize: Number(values['smpp-batch']),
    httpConcurrency: Number(values['smpp-http-concurrency']),
    databaseUrl,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
process.exit(0);
