import fs from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../db/embedded-postgres.ts';
import type { Logger } from '../../kernel/logger.ts';

/** A TCP port nothing listens on right now (for a server started next). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The server tests and benchmarks run on: the one of `serverUrl` when given (DATABASE_URL), else an
 * embedded PostgreSQL in a temporary folder on a free port, removed by `stop`.
 */
export async function temporaryPostgres(serverUrl: string | undefined, logger: Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  if (serverUrl) return { url: serverUrl, stop: async () => {} };
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'omnichat-pg-'));
  await fs.chmod(tempDir, 0o755); // the embedded server may run as the `postgres` user
  const server = await startEmbeddedPostgres({ dir: path.join(tempDir, 'pg'), port: await freePort(), logger });
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await fs.rm(tempDir, { recursive: true, force: true });
    },
  };
}
