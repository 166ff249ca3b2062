import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { ensureDatabase } from '../db/ensure-database.ts';
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import type { Logger } from '../kernel/logger.ts';
import { freePort, temporaryPostgres } from '../test/harness/temporary-postgres.ts';

export type BenchDatabaseOptions = {
  /**
   * The embedded server loads pg_stat_statements (`shared_preload_libraries`, which needs a restart:
   * the server is started, told, and started again). A server named by `serverUrl` is used as it is.
   */
  statStatements?: boolean;
};

/** A throwaway database for one benchmark: on the server of `serverUrl`, or a fresh embedded one. */
export async function benchDatabase(name: string, serverUrl: string | undefined, logger: Logger, options: BenchDatabaseOptions = {}) {
  const server = !serverUrl && options.statStatements ? await embeddedWithStatStatements(logger) : await temporaryPostgres(serverUrl, logger);
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

/** An embedded server in a temporary folder with pg_stat_statements loaded. */
async function embeddedWithStatStatements(logger: Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'omnichat-pg-'));
  await fs.chmod(tempDir, 0o755); // the embedded server may run as the `postgres` user
  const dir = path.join(tempDir, 'pg');
  const port = await freePort();
  let server = await startEmbeddedPostgres({ dir, port, logger });
  try {
    const admin = postgres(server.url, { max: 1, onnotice: () => {} });
    await admin`alter system set shared_preload_libraries = 'pg_stat_statements'`;
    await admin.end();
    await server.stop();
    server = await startEmbeddedPostgres({ dir, port, logger });
  } catch (error) {
    await server.stop().catch(() => {});
    await fs.rm(tempDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await fs.rm(tempDir, { recursive: true, force: true });
    },
  };
}
