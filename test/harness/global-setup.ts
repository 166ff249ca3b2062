import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../../db/connection.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../db/embedded-postgres.ts';
import { ensureDatabase } from '../../db/ensure-database.ts';
import { applyMigrations } from '../../db/migrate.ts';
import { createJobQueue } from '../../server/job-queue.ts';
import { createLogger } from '../../server/logger.ts';
import { createQueues } from '../../server/workers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a maintenance database on the test server (CREATE/DROP DATABASE run there). */
    pgServerUrl: string;
    /** A migrated database with pg-boss's schema and queues: each test file clones it. */
    templateDatabase: string;
    /** Prefix of every database this run creates, so teardown can drop them all. */
    databasePrefix: string;
  }
}

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

/**
 * Starts the test PostgreSQL (embedded PostgreSQL 18 in a temporary folder, or the server of
 * DATABASE_URL) and builds the template database once for the whole run.
 */
export default async function setup(project: TestProject) {
  const logger = createLogger('warn');
  const runId = randomBytes(3).toString('hex');
  const prefix = `omnichat_t${runId}_`;
  let embedded: EmbeddedServer | null = null;
  let tempDir: string | null = null;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'omnichat-test-'));
    await fs.chmod(tempDir, 0o755);
    embedded = await startEmbeddedPostgres({ dir: path.join(tempDir, 'pg'), port: await freePort(), logger });
    serverUrl = embedded.url;
  }
  const template = `${prefix}template`;
  const templateUrl = await ensureDatabase(serverUrl, template);
  const database = connectDatabase(templateUrl, { max: 2 });
  await applyMigrations(database.sql);
  const jobSql = postgres(templateUrl, { max: 2, onnotice: () => {} });
  const boss = createJobQueue(jobSql, logger);
  await boss.start();
  await createQueues(boss);
  await boss.stop({ graceful: false, close: false });
  await jobSql.end();
  await database.close();

  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDatabase', template);
  project.provide('databasePrefix', prefix);

  return async () => {
    const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    const leftovers = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${prefix}%`}`;
    for (const { datname } of leftovers) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end();
    await embedded?.stop();
    if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
  };
}
