import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A helper process of a benchmark (a load generator, socket clients, a server under test), forked so
 * it never shares an event loop with what is measured. Its stdout goes to the bench's stderr: the
 * bench's stdout carries its JSON line only. Requests and answers go over IPC (`serveParent` on the
 * other side): `{ id, op, ...payload }` in, `{ id, result }` or `{ id, error }` out.
 */
export type BenchChild = {
  pid: number;
  /** What the child sent with `ready` (a port, a URL). */
  ready: Record<string, unknown>;
  request<T = unknown>(op: string, payload?: Record<string, unknown>): Promise<T>;
  /** Asks the child to end (IPC closed), then SIGKILL after `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
};

type Answer = { id: number; result?: unknown; error?: string };

export async function forkBenchChild(
  file: URL,
  options: { name: string; args?: string[]; env?: NodeJS.ProcessEnv; readyTimeoutMs?: number; execArgv?: string[] },
): Promise<BenchChild> {
  const child: ChildProcess = fork(fileURLToPath(file), options.args ?? [], {
    stdio: ['ignore', 2, 2, 'ipc'],
    serialization: 'advanced',
    ...(options.env ? { env: options.env } : {}),
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let gone: Error | null = null;
  let onReady: (message: Record<string, unknown>) => void = () => {};
  let onFailed: (error: Error) => void = () => {};
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    onReady = resolve;
    onFailed = reject;
  });
  child.on('message', (message: Answer & { type?: string }) => {
    if (message.type === 'ready') return onReady(message);
    const waiter = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`${options.name}: ${message.error}`));
    else waiter?.resolve(message.result);
  });
  child.on('exit', (code, signal) => {
    gone = new Error(`${options.name} exited (${signal ?? `code ${code}`})`);
    onFailed(gone);
    for (const waiter of waiting.values()) waiter.reject(gone);
    waiting.clear();
  });
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const timer = setTimeout(() => onFailed(new Error(`${options.name} was not ready within ${timeoutMs / 1000} s`)), timeoutMs);
  let readyMessage: Record<string, unknown>;
  try {
    readyMessage = await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    pid: child.pid!,
    ready: readyMessage,
    request<T>(op: string, payload: Record<string, unknown> = {}) {
      if (gone) return Promise.reject(gone);
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ ...payload, id, op });
      });
    },
    async close(closeTimeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.connected) child.disconnect();
      const kill = setTimeout(() => child.kill('SIGKILL'), closeTimeoutMs);
      await exited;
      clearTimeout(kill);
    },
  };
}

/**
 * The child's side: answers each request with its handler's result, sends `ready` with `readyInfo`,
 * and runs `onClose` then exits when the parent closes the IPC channel (or goes away).
 */
export function serveParent(
  handlers: Record<string, (payload: Record<string, unknown>) => unknown>,
  readyInfo: Record<string, unknown>,
  onClose: () => Promise<void> | void = () => {},
): void {
  process.on('message', (message: { id: number; op: string } & Record<string, unknown>) => {
    const handler = handlers[message.op];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown op ${message.op}`);
        return handler(message);
      })
      .then(
        (result) => process.send?.({ id: message.id, result }),
        (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.on('disconnect', () => {
    Promise.resolve()
      .then(onClose)
      .catch((error: unknown) => process.stderr.write(`closing failed: ${String(error)}\n`))
      .finally(() => process.exit(0));
  });
  process.send!({ type: 'ready', ...readyInfo });
}
