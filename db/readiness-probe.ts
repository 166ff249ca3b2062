import postgres from 'postgres';
import { reconnectBackoff } from './connection.ts';

export type ReadinessProbe = {
  /** True when the database answers within the probe's time; never throws, never waits longer. */
  check(): Promise<boolean>;
  close(): Promise<void>;
};

/**
 * Asks the database `select 1` on a connection of its own, within `timeoutMs`. Not on the process's
 * pool: under load every pooled connection may be busy, and a query waits postgres.js's
 * connect_timeout (30 s) for a host that does not answer; a readiness probe must answer at once.
 * Probes arriving together share one query, so a hung server cannot pile them up.
 */
export function createReadinessProbe(url: string, timeoutMs = 2000): ReadinessProbe {
  const sql = postgres(url, {
    max: 1,
    connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    idle_timeout: 60,
    backoff: reconnectBackoff,
    onnotice: () => {},
    connection: { application_name: 'omnichat-readiness' },
  });
  let pending: Promise<boolean> | null = null;
  const probe = async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
    try {
      return await Promise.race([sql`select 1`.then(() => true), late]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    check() {
      pending ??= probe().finally(() => (pending = null));
      return pending;
    },
    close: () => sql.end({ timeout: 1 }),
  };
}
