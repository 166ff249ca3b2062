import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../harness/temporary-postgres.ts';
import { waitFor } from './wait-for.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type Exit = { code: number | null; signal: NodeJS.Signals | null; at: number };

export type PlatformProcess = {
  /** Empty for a process without the `http` role. */
  url: string;
  pid: number;
  /** Set once the process has exited. */
  exit(): Exit | null;
  /** SIGKILL: the process dies holding whatever it held. */
  kill(): Promise<Exit>;
  /** SIGTERM (graceful) and the exit it ends with. */
  stop(): Promise<Exit>;
  /** The last lines it logged (for a failure's report). */
  logTail(lines?: number): string;
  /** How many times it logged each message, by level ("warn: job queue cannot reach the database…"). */
  logCounts(): Record<string, number>;
  /** Kills it if it still runs and removes its data directory and log. */
  remove(): Promise<void>;
};

const LEVELS: Record<number, string> = { 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * `node server/main.ts` as a child process on `databaseUrl`, with every role unless told, on a free
 * port; it is returned once `/readyz` answers 200, or at once without the `http` role (nothing to ask
 * it: wait on what it does). Its output goes to a file, warnings and errors only.
 */
export async function startPlatformProcess(input: { databaseUrl: string; name: string; roles?: string }): Promise<PlatformProcess> {
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), `omnichat-chaos-${input.name}-`));
  const logFile = path.join(dataDir, 'platform.log');
  const log = fs.openSync(logFile, 'a');
  const port = await freePort();
  const roles = input.roles ?? 'http,workers,session-channels';
  const url = roles.split(',').includes('http') ? `http://127.0.0.1:${port}` : '';
  const child = spawn(process.execPath, ['server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: input.databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '5000',
      NODE_ENV: 'production',
      ROLES: roles,
      // Several nodes share the test server (max_connections 100) with the other test files.
      DATABASE_POOL_SIZE: '8',
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal, at: Date.now() };
      resolve(exit);
    }),
  );
  const logTail = (lines = 40) => fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  try {
    if (url)
      await waitFor(
        async () => {
          if (exit) throw new Error(`the platform exited while starting (${JSON.stringify(exit)}):\n${logTail()}`);
          const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
          return response?.status === 200;
        },
        { timeoutMs: 60_000, what: `platform ${input.name} ready` },
      );
  } catch (error) {
    if (!exit) child.kill('SIGKILL');
    await exited;
    await fsp.rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    pid: child.pid!,
    exit: () => exit,
    kill() {
      child.kill('SIGKILL');
      return exited;
    },
    async stop() {
      if (!exit) child.kill('SIGTERM');
      return exited;
    },
    logTail,
    async remove() {
      if (!exit) child.kill('SIGKILL');
      await exited;
      await fsp.rm(dataDir, { recursive: true, force: true });
    },
    logCounts() {
      const counts: Record<string, number> = {};
      for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
        if (!line.startsWith('{')) continue;
        const { level, msg } = JSON.parse(line) as { level: number; msg: string };
        const key = `${LEVELS[level] ?? level}: ${msg}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    },
  };
}
