/**
 * One dialer worker process of the crash test (test/dialer-crash.test.ts): a dialer runner on the
 * test database whose channel is a sink that appends each message's spool row id to a log file.
 *
 *   node test/harness/dialer-crash-worker.ts --database-url URL --dialer ID --log FILE
 *     [--hang-at N] [--worker-timeout-ms 1500] [--concurrency 2] [--log-level error]
 *
 * Prints `{"ready":pid,"workerId":…}` once the runner runs. With `--hang-at N`, the Nth send is
 * logged and then never answered (the provider took the message, the reply never came) and
 * `{"hung":id,"sends":N}` is printed: the batch holding it stays claimed until the test kills this
 * process. Prints `{"done":true,"sends":…}` and exits once the dialer has no row TO PROCESS left.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { connectDatabase } from '../../db/connection.ts';
import { startDialerRunner } from '../../dialer/dialer-runner.ts';
import type { Channel, OutboundMessage, SendResult } from '../../gateway/channel.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createSendPacing } from '../../gateway/send-pacing.ts';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    dialer: { type: 'string' },
    log: { type: 'string' },
    'hang-at': { type: 'string' },
    'worker-timeout-ms': { type: 'string', default: '1500' },
    concurrency: { type: 'string', default: '2' },
    'log-level': { type: 'string', default: 'error' },
  },
});
const databaseUrl = args['database-url'];
const dialerId = Number(args.dialer);
if (!databaseUrl || !dialerId || !args.log) throw new Error('usage: dialer-crash-worker.ts --database-url URL --dialer ID --log FILE [--hang-at N]');
const hangAt = args['hang-at'] ? Number(args['hang-at']) : null;

const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

// writeSync on an O_APPEND fd: once it returns the bytes are in the kernel's page cache, so they
// survive a SIGKILL of this process (only a crash of the machine would lose them).
const log = fs.openSync(args.log, 'a');
let sends = 0;
const sink = {
  type: 'simulator',
  verify: () => true,
  normalize: () => ({ messages: [], statuses: [] }),
  send(message: OutboundMessage): Promise<SendResult> {
    fs.writeSync(log, `${message.messageId}\n`);
    if (++sends === hangAt) {
      say({ hung: message.messageId, sends });
      return new Promise<never>(() => {});
    }
    return Promise.resolve({ ok: true, providerMessageId: `sink-${message.messageId}` });
  },
} as Channel;

const database = connectDatabase(databaseUrl, { max: 4, applicationName: 'omnichat-dialer-crash' });
const runner = await startDialerRunner({
  sql: database.sql,
  db: database.db,
  channels: { get: () => sink },
  pacing: createSendPacing(database.db),
  logger: createLogger(args['log-level']),
  workerTimeoutMs: Number(args['worker-timeout-ms']),
  concurrency: Number(args.concurrency),
  tickMs: 200,
});
say({ ready: process.pid, workerId: runner.workerId });

// Done when the counters (kept by the spool's statement triggers) show nothing TO PROCESS: a row
// still claimed by a dead worker is TO PROCESS, so this waits for its recovery too.
for (;;) {
  const [row] = await database.sql<{ waiting: string }[]>`
    select coalesce(sum(count), 0) as waiting from spool_counts where dialer_id = ${dialerId} and state = 1`;
  if (Number(row!.waiting) === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}
await runner.stop();
await database.close();
fs.closeSync(log);
process.stdout.write(`${JSON.stringify({ done: true, sends })}\n`, () => process.exit(0));
