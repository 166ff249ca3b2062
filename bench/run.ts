import { parseArgs } from 'node:util';
import { CAMPAIGN_STRATEGIES, type CampaignStrategy } from '../db/schema/index.ts';
import * as inboundPipeline from './inbound-pipeline.bench.ts';
import * as routing from './routing.bench.ts';
import * as dispatch from './dialer-dispatch.bench.ts';
import * as spoolImport from './spool-import.bench.ts';
import * as smpp from './smpp.bench.ts';
import * as ack from './ack.bench.ts';
import * as soak from './soak.bench.ts';
import * as fanout from './fanout.bench.ts';
import { BENCH_FLOWS, type BenchFlow } from './bench-campaign.ts';

/**
 * `npm run bench [-- --customers 500 --routing-conversations 10000]`: runs each benchmark and prints
 * one JSON line per benchmark (`--only routing` runs one). Figures are meant as ratios against the
 * baseline measured in the same run; machines here are noisy. See bench/README.md. `soak` (minutes
 * long) runs only with `--only soak`, or with the others given `--soak`.
 */
const BENCHES = ['inbound', 'routing', 'import', 'dispatch', 'smpp', 'ack', 'fanout', 'soak'];
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    customers: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '16' },
    'inbound-flow': { type: 'string', default: 'handoff' },
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
    'ack-concurrency': { type: 'string', default: '16,64' },
    'ack-seconds': { type: 'string', default: '10' },
    'ack-warmup-seconds': { type: 'string', default: '2' },
    'ack-workers': { type: 'string', default: 'yes' },
    'fanout-clients': { type: 'string', default: '500,2000' },
    'fanout-events': { type: 'string', default: '200' },
    'fanout-rate': { type: 'string', default: '20' },
    'fanout-burst': { type: 'string', default: '1' },
    'fanout-processes': { type: 'string', default: '2' },
    soak: { type: 'boolean', default: false },
    'soak-seconds': { type: 'string', default: '180' },
    'soak-rate': { type: 'string', default: '100' },
    'soak-customers': { type: 'string', default: '1000' },
    'soak-sample-seconds': { type: 'string', default: '10' },
    'soak-drain-seconds': { type: 'string', default: '60' },
  },
});
if (values.only !== undefined && !BENCHES.includes(values.only)) throw new Error(`--only must be one of ${BENCHES.join(', ')}`);
/** A comma-separated list of positive integers, e.g. `16,64`. */
function positiveList(name: string, value: string): number[] {
  const list = value.split(',').map((item) => Number(item.trim()));
  if (!list.length || list.some((item) => !Number.isInteger(item) || item < 1)) throw new Error(`--${name} must list positive integers, e.g. 16,64`);
  return list;
}
const strategy = values['routing-strategy'] as CampaignStrategy;
if (!CAMPAIGN_STRATEGIES.includes(strategy) || strategy === 'offer_all') {
  throw new Error(`--routing-strategy must be one of ${CAMPAIGN_STRATEGIES.filter((s) => s !== 'offer_all').join(', ')}`);
}
// Benchmarks use their own embedded server unless BENCH_DATABASE_URL points at a server to use.
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!values.only || values.only === 'inbound') {
  const flow = values['inbound-flow'] as BenchFlow;
  if (!BENCH_FLOWS.includes(flow)) throw new Error(`--inbound-flow must be one of ${BENCH_FLOWS.join(', ')}`);
  const result = await inboundPipeline.run({ customers: Number(values.customers), concurrency: Number(values.concurrency), flow, databaseUrl });
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
if (!values.only || values.only === 'ack') {
  if (values['ack-workers'] !== 'yes' && values['ack-workers'] !== 'no') throw new Error('--ack-workers must be yes or no');
  const result = await ack.run({
    concurrencies: positiveList('ack-concurrency', values['ack-concurrency']),
    seconds: Number(values['ack-seconds']),
    warmupSeconds: Number(values['ack-warmup-seconds']),
    withWorkers: values['ack-workers'] === 'yes',
    databaseUrl,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
if (!values.only || values.only === 'fanout') {
  const result = await fanout.run({
    clients: positiveList('fanout-clients', values['fanout-clients']),
    events: Number(values['fanout-events']),
    ratePerSecond: Number(values['fanout-rate']),
    burst: Number(values['fanout-burst']),
    clientProcesses: Number(values['fanout-processes']),
    databaseUrl,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
// Three minutes and more: only when asked for (`--only soak`, or `--soak` with every other bench).
if (values.only === 'soak' || (!values.only && values.soak)) {
  const result = await soak.run({
    seconds: Number(values['soak-seconds']),
    ratePerSecond: Number(values['soak-rate']),
    customers: Number(values['soak-customers']),
    sampleSeconds: Number(values['soak-sample-seconds']),
    drainSeconds: Number(values['soak-drain-seconds']),
    databaseUrl,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
process.exit(0);
