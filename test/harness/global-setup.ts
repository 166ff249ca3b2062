import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../../db/connection.ts';
import { ensureDatabase } from '../../db/ensure-database.ts';
import { applyMigrations } from '../../db/migrate.ts';
import { createJobQueue } from '../../kernel/job-queue.ts';
import { loadConfig } from '../../kernel/config.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createQueues } from '../../server/workers.ts';
import { temporaryPostgres } from './temporary-postgres.ts';

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

/**
 * Starts the test PostgreSQL (embedded PostgreSQL 18 in a temporary folder, or the server of
 * DATABASE_URL) and builds the template database once for the whole run.
 */
export default async function setup(project: TestProject) {
  const logger = createLogger('warn');
  const runId = randomBytes(3).toString('hex');
  const prefix = `omnichat_t${runId}_`;
  const server = await temporaryPostgres(loadConfig().databaseUrl, logger);
  const serverUrl = server.url;
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
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    const leftovers = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${prefix}%`}`;
    for (const { datname } of leftovers) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end();
    await server.stop();
  };
}
