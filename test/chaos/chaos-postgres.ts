import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../db/embedded-postgres.ts';
import type { Logger } from '../../kernel/logger.ts';
import { freePort } from '../harness/temporary-postgres.ts';

export type ChaosPostgres = {
  url: string;
  /** Stops the postmaster with SIGINT (a fast shutdown: sessions are ended, nothing is lost). */
  stop(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  start(): Promise<void>;
  remove(): Promise<void>;
};

/** An embedded PostgreSQL of the chaos run's own, which a scenario may stop and start again. */
export async function startChaosPostgres(logger: Logger): Promise<ChaosPostgres> {
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'omnichat-chaos-pg-'));
  await fs.chmod(tempDir, 0o755); // as root the server runs as the `postgres` user
  const options = { dir: path.join(tempDir, 'pg'), port: await freePort(), logger };
  let server: EmbeddedServer | null = await startEmbeddedPostgres(options);
  const url = server.url;
  return {
    url,
    async stop() {
      await server?.stop(); // embedded-postgres sends SIGINT to the postmaster and waits for it to exit
      server = null;
    },
    async start() {
      server = await startEmbeddedPostgres(options);
    },
    async remove() {
      await server?.stop();
      server = null;
      await fs.rm(tempDir, { recursive: true, force: true });
    },
  };
}
