import fs from 'node:fs/promises';
import os from 'node:os';
import { Writable } from 'node:stream';
import path from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { DestinationStream } from 'pino';
import { vi } from 'vitest';
import type { LiveFrame } from '../../contract/events.ts';
import { loadConfig } from '../../kernel/config.ts';
import { createLogger } from '../../kernel/logger.ts';
import { startPlatform, type Platform } from '../../server/platform.ts';
import { createTestDatabase } from './test-database.ts';

export type TestPlatform = Platform & { url: string; databaseUrl: string; close: () => Promise<void> };

/** A whole running process (HTTP, sockets, workers) on its own fresh database and a free port. */
export async function startTestPlatform(
  env: Record<string, string> = {},
  reuse?: { databaseUrl: string },
  options: { logs?: DestinationStream } = {},
): Promise<TestPlatform> {
  // Reusing a database (a restart): the first platform's `close` drops it, this one's leaves it.
  const database = reuse ? { url: reuse.databaseUrl, drop: async () => {} } : await createTestDatabase();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'omnichat-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    // A test that reads the log (options.logs) gets every line from info up.
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? (options.logs ? 'info' : 'silent'),
    SEED_DEMO: 'false',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...env,
  });
  const platform = await startPlatform({ config, logger: createLogger(config.logLevel, options.logs), databaseUrl: database.url });
  return {
    ...platform,
    url: platform.url!,
    databaseUrl: database.url,
    async close() {
      await platform.stop();
      await database.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A log destination for startTestPlatform's `logs` that keeps every line, for a test to read. */
export function collectLogs(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** Logs in over HTTP and returns the session cookie header. */
export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login of ${username} failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get('set-cookie');
  if (!cookie) throw new Error('login set no cookie');
  return cookie.split(';')[0]!;
}

/** A JSON request with an optional session cookie; returns status and parsed body. */
export async function api<T = any>(
  baseUrl: string,
  method: string,
  pathname: string,
  options: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${pathname}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/**
 * A real socket.io client, connected (or refused) before it is returned; the events of its `live`
 * frames reach its listeners one socket.io event each (`unwrapFrames`).
 */
export async function connectClient(baseUrl: string, options: { namespace?: string; cookie?: string; auth?: Record<string, unknown> } = {}): Promise<Socket> {
  const socket = unwrapFrames(
    connectSocket(`${baseUrl}${options.namespace ?? '/'}`, {
      transports: ['websocket'],
      extraHeaders: options.cookie ? { cookie: options.cookie } : {},
      auth: options.auth,
      reconnection: false,
      forceNew: true,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

/**
 * Hands each event of the socket's `live` frames, in order, to the socket's listeners of that event,
 * as if the server had emitted it alone: tests listen per event (`nextEvent`, `socket.on`).
 */
export function unwrapFrames(socket: Socket): Socket {
  socket.on('live', (frame: LiveFrame<Record<string, unknown>>) => {
    for (const { event, payload } of frame.events) for (const listener of [...socket.listeners(event)]) listener.call(socket, payload);
  });
  return socket;
}

/**
 * Resolves with the first `event` payload that satisfies `match`. The limit only bounds a test that
 * would otherwise hang: generous, since a loaded machine is slow, and free on a passing run.
 */
export function nextEvent<T = any>(socket: Socket, event: string, match: (payload: T) => boolean = () => true, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no matching '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/**
 * Retries an assertion until it passes: for state that background jobs reach, never a fixed sleep.
 * The limit is generous (a loaded machine) and costs nothing when the state comes.
 */
export function eventually<T>(assertion: () => T | Promise<T>, timeoutMs = 30_000): Promise<T> {
  return vi.waitFor(assertion, { timeout: timeoutMs, interval: 50 });
}
