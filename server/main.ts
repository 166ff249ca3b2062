import path from 'node:path';
import { ensureDatabase } from '../db/ensure-database.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../db/embedded-postgres.ts';
import { ConfigError, loadConfig, type Config } from '../kernel/config.ts';
import { saveCredentials, seedDemo } from './demo-seed.ts';
import { createLogger } from '../kernel/logger.ts';
import { startPlatform, type Platform } from './platform.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
const logger = createLogger(config.logLevel);

let embedded: EmbeddedServer | null = null;
let platform: Platform | null = null;

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down: finishing jobs in flight');
  try {
    await platform?.stop();
    await embedded?.stop();
    logger.info('stopped');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}

try {
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dir: path.join(config.dataDir, 'pg'), port: config.embeddedPgPort, logger });
    databaseUrl = await ensureDatabase(embedded.url, 'omnichat');
  }
  // embedded-postgres installs its own SIGINT/SIGTERM exit hook that stops the server and exits at
  // once; ours must run instead, so that jobs in flight finish before the database goes away.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void shutdown(signal));
  }
  // Provider libraries (puppeteer under whatsapp-web.js, socket clients) run async listeners outside
  // any promise chain we hold; one of them failing must be logged, not take every channel down.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection (kept running)'));
  platform = await startPlatform({ config, logger, databaseUrl });
  if (config.seedDemo) {
    const credentials = await seedDemo(platform.services.db);
    if (credentials) {
      const file = await saveCredentials(config.dataDir, credentials);
      const lines = credentials.map((c) => `    ${c.role.padEnd(11)} ${c.username.padEnd(12)} ${c.password}`);
      process.stdout.write(`\n  Demo data created. These passwords are shown once (kept in ${file}):\n${lines.join('\n')}\n`);
    }
  }
  if (platform.url) {
    process.stdout.write(
      `\n  Omnichat is running.\n    Console:   ${platform.url}/\n    Simulator: ${platform.url}/simulator\n` +
        `    Database:  ${embedded ? `embedded PostgreSQL in ${path.join(config.dataDir, 'pg')}` : 'DATABASE_URL'}\n\n`,
    );
  }
} catch (error) {
  logger.fatal({ err: error }, 'start failed');
  await platform?.stop().catch(() => {});
  await embedded?.stop().catch(() => {});
  process.exit(1);
}
