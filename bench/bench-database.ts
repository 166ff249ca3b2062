import postgres from 'postgres';
import { ensureDatabase } from '../db/ensure-database.ts';
import type { Logger } from '../kernel/logger.ts';
import { temporaryPostgres } from '../test/harness/temporary-postgres.ts';

/** A throwaway database for one benchmark: on the server of `serverUrl`, or a fresh embedded one. */
export async function benchDatabase(name: string, serverUrl: string | undefined, logger: Logger) {
  const server = await temporaryPostgres(serverUrl, logger);
  const databaseName = `omnichat_bench_${name}_${process.pid}`;
  const databaseUrl = await ensureDatabase(server.url, databaseName);
  return {
    databaseUrl,
    async drop() {
      const admin = postgres(server.url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${databaseName}" with (force)`);
      await admin.end();
      await server.stop();
    },
  };
}
