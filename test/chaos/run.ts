import { createLogger } from '../../kernel/logger.ts';
import { startChaosPostgres } from './chaos-postgres.ts';
import { deadWorker } from './dead-worker.ts';
import { pgRestart } from './pg-restart.ts';

/**
 * `npm run chaos`: the platform as real processes (`node server/main.ts`) on an embedded PostgreSQL
 * of the run's own, through the failures issue 13 names. Prints one JSON line of figures per
 * scenario; exits 1 when one of them failed (a message lost, stored or answered twice, a process that
 * exited, `/readyz` wrong, a dead worker's jobs not back within the bound).
 *
 *   A. pg-restart:  steady webhook load while PostgreSQL is stopped (SIGINT) for 12 s and started again.
 *   B. dead-worker: a process SIGKILLed while holding jobs; a second one must finish them.
 */
const logger = createLogger('warn');
const server = await startChaosPostgres(logger);
let failed = false;
try {
  for (const scenario of [pgRestart, deadWorker]) {
    const result = await scenario(server).catch((error: unknown) => ({
      scenario: scenario.name,
      ok: false,
      failures: [error instanceof Error ? (error.stack ?? error.message) : String(error)],
    }));
    failed ||= !result.ok;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
} finally {
  await server.remove();
}
process.exit(failed ? 1 : 0);
