import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The sink runs in its own process (bench/smpp-sink-child.ts): it never shares an event loop with what is measured. */
const CHILD = fileURLToPath(new URL('./smpp-sink-child.ts', import.meta.url));

export type SinkCounts = {
  submits: number;
  distinct: number;
  duplicates: number;
  binds: number;
  enquireLinks: number;
  connections: number;
  /** `performance.timeOrigin + performance.now()` of the first and last submit_sm (null before any). */
  firstAt: number | null;
  lastAt: number | null;
  /** The sink process's CPU since it started. */
  cpuMs: number;
};

export type SmppSink = Awaited<ReturnType<typeof startSmppSink>>;

/** A clock comparable across processes of this machine: what the sink stamps its submits with. */
export const wallClockMs = () => performance.timeOrigin + performance.now();

/** Forks the sink and waits for its port. */
export async function startSmppSink() {
  const child: ChildProcess = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (message: SinkCounts & { at?: number }) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let gone: Error | null = null;
  let onReady: (port: number) => void = () => {};
  let onGone: (error: Error) => void = () => {};
  const ready = new Promise<number>((resolve, reject) => {
    onReady = resolve;
    onGone = reject;
  });
  child.on('message', (message: { type?: string; port?: number; id?: number } & SinkCounts) => {
    if (message.type === 'ready') return onReady(message.port!);
    const waiter = waiting.get(message.id!);
    waiting.delete(message.id!);
    waiter?.resolve(message);
  });
  child.on('exit', (code, signal) => {
    gone = new Error(`the SMPP sink process exited (${signal ?? `code ${code}`})`);
    onGone(gone);
    for (const waiter of waiting.values()) waiter.reject(gone);
    waiting.clear();
  });
  const timer = setTimeout(() => onGone(new Error('the SMPP sink did not start listening within 20 s')), 20_000);
  const port = await ready.finally(() => clearTimeout(timer));

  function ask(op: 'reset' | 'counts' | 'watch', extra: Record<string, unknown> = {}): Promise<SinkCounts & { at?: number }> {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      child.send({ id, op, ...extra });
    });
  }

  return {
    port,
    pid: child.pid!,
    async reset(): Promise<void> {
      await ask('reset');
    },
    counts: (): Promise<SinkCounts> => ask('counts'),
    /**
     * Resolves once `distinct` distinct messages arrived, with the sink's time of the one that made
     * the count. Rejects when no submit_sm arrived for `stallMs` (checked once a second), or on `signal`.
     */
    async waitForDistinct(distinct: number, stallMs: number, signal?: AbortSignal): Promise<SinkCounts & { at: number }> {
      let reached: (SinkCounts & { at?: number }) | null = null;
      const watch = ask('watch', { distinct }).then((message) => (reached = message));
      let submits = -1;
      let changedAt = performance.now();
      while (!reached) {
        await Promise.race([watch, sleep(1_000)]);
        if (reached) break;
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
        const counts = await ask('counts');
        if (counts.submits !== submits) {
          submits = counts.submits;
          changedAt = performance.now();
        } else if (performance.now() - changedAt > stallMs) {
          throw new Error(
            `the SMPP sink got no submit_sm for ${Math.round(stallMs / 1000)} s: ${counts.submits} submits, ${counts.distinct} distinct of ${distinct} expected, ` +
              `${counts.connections} connection(s), ${counts.binds} bind(s)`,
          );
        }
      }
      const result = reached as SinkCounts & { at?: number };
      return { ...result, at: result.at! };
    },
    async close(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
