import net from 'node:net';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';

/**
 * patches/postgres+3.4.9.patch (applied by `npm install` through patch-package). Unpatched, the first
 * case ends the process with an uncaught `TypeError: Cannot read properties of null (reading 'write')`
 * and the others hang or fail; each must hold while the patch is needed, and tells when it is not.
 */
const CONNECTION_ERRORS = ['CONNECTION_CLOSED', 'ECONNRESET', 'EPIPE', '57P01'];
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? String(error),
  );

function pool(options: postgres.Options<{}> = {}) {
  const closed: number[] = [];
  const waiters: (() => void)[] = [];
  const sql = postgres(inject('pgServerUrl'), {
    max: 2,
    onnotice: () => {},
    connect_timeout: 5,
    onclose: (id) => {
      closed.push(id);
      for (const wake of waiters.splice(0)) wake();
    },
    ...options,
  });
  /** Resolves once the pool has seen `count` connections close. */
  const closes = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (closed.length >= count ? resolve() : waiters.push(check));
      check();
    });
  return { sql, closes };
}

async function terminate(reserved: postgres.ReservedSql<{}>): Promise<void> {
  const [backend] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const killer = postgres(inject('pgServerUrl'), { max: 1, onnotice: () => {} });
  await killer`select pg_terminate_backend(${backend!.pid})`;
  await killer.end();
}

describe('postgres.js 3.4.9 as patched', () => {
  it('rejects the next queries of a reserved connection whose backend was terminated (porsager/postgres#1208)', async () => {
    const { sql, closes } = pool();
    try {
      const reserved = await sql.reserve();
      await terminate(reserved);
      await closes(1);
      // Unpatched, the first of these throws from a timer (no catch can stop it) and the process exits.
      expect(await codeOf(reserved`select 1`)).toBe('CONNECTION_CLOSED');
      expect(await codeOf(reserved`select 1`)).toBe('CONNECTION_CLOSED');
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it('settles queries sent as the backend dies, and a released dead connection reconnects (porsager/postgres#1199)', async () => {
    const { sql } = pool();
    try {
      const reserved = await sql.reserve();
      await terminate(reserved);
      // Sent before the close is seen: each ends with a connection error, none waits forever.
      expect(CONNECTION_ERRORS).toContain(await codeOf(reserved`select 1`));
      expect(CONNECTION_ERRORS).toContain(await codeOf(reserved`select 1`));
      reserved.release();
      // Every connection of the pool answers: the dead one reconnected instead of being handed out
      // without a socket, and nothing of its old session (the FATAL it got) failed a new query.
      const answers = await Promise.all(Array.from({ length: 6 }, (_, n) => sql<{ n: number }[]>`select ${n}::int as n, pg_sleep(0.05)`));
      expect(answers.map(([row]) => row!.n)).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it('reconnects a connection whose socket closed while a write waited for the next tick (LanternOps/breeze#3225)', async () => {
    const sockets: net.Socket[] = [];
    let closeOnQuery = false;
    // postgres.js's `socket` option (a factory; not in its types) hands the test each connection's socket.
    const socketFactory = {
      socket: ({ host, port }: { host: string[]; port: number[] }) => {
        const socket = net.connect(port[0]!, host[0]!);
        sockets.push(socket);
        return socket;
      },
    } as postgres.Options<{}>;
    const { sql } = pool({
      ...socketFactory,
      max: 1,
      connect_timeout: 3,
      // Runs inside execute(), just before the query's bytes are queued for the next tick.
      debug: () => {
        if (!closeOnQuery) return;
        closeOnQuery = false;
        sockets.at(-1)!.destroy();
      },
    });
    try {
      await sql`select 1`;
      // Sent from an immediate, its flush waits for the next loop turn, and the socket's close (this
      // turn's close phase) comes first: as a query sent while a dying connection's close is pending.
      closeOnQuery = true;
      const sent = await new Promise<Promise<string>>((resolve) => setImmediate(() => resolve(codeOf(sql`select 2`))));
      expect(await sent).toBe('CONNECTION_CLOSED');
      // Unpatched, the new socket never gets its startup message (the old timer is still "armed"): CONNECT_TIMEOUT.
      const [row] = await sql<{ n: number }[]>`select 3::int as n`;
      expect(row!.n).toBe(3);
      expect(sockets).toHaveLength(2);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
