import fs from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { ensureDatabase } from '../db/ensure-database.ts';
import type { Logger } from '../server/logger.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway database for one benchmark: on the server of DATABASE_URL, or a fresh embedded one. */
export async function benchDatabase(name: string, serverUrl: string | undefined, logger: Logger) {
  let stopServer = async () => {};
  let tempDir: string | null = null;
  let url = serverUrl;
  if (!url) {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'omnichat-bench-'));
    await fs.chmod(tempDir, 0o755);
    const server = await startEmbeddedPostgres({ dir: path.join(tempDir, 'pg'), port: await freePort(), logger });
    url = server.url;
    stopServer = server.stop;
  }
  const databaseName = `omnichat_bench_${name}_${process.pid}`;
  const databaseUrl = await ensureDatabase(url, databaseName);
  return {
    databaseUrl,
    async drop() {
      const admin = postgres(url!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${databaseName}" with (force)`);
      await admin.end();
      await stopServer();
      if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
    },
  };
}
