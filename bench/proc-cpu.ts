import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

type Stat = { comm: string; ppid: number; utime: number; stime: number; cutime: number; cstime: number };

function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    ppid: Number(fields[1]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    cutime: Number(fields[13]),
    cstime: Number(fields[14]),
  };
}

const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;

/** User + system CPU of one process (all its threads) so far; null when it is gone. */
export function processCpuMs(pid: number): number | null {
  const stat = readStat(pid);
  return stat ? ms(stat.utime + stat.stime) : null;
}

/**
 * The PostgreSQL server a backend belongs to, when it runs on this machine: CPU of the postmaster,
 * of its live children (backends, checkpointer, walwriter, autovacuum…) and of the children it has
 * reaped (cutime/cstime), so a backend that exits in between still counts. Null when the backend's
 * pid is not a local postgres process (a remote BENCH_DATABASE_URL).
 */
export function postgresServerCpu(backendPid: number): { postmasterPid: number; cpuMs: () => number } | null {
  const backend = readStat(backendPid);
  if (!backend?.comm.startsWith('postgres')) return null;
  const postmasterPid = backend.ppid;
  const postmaster = readStat(postmasterPid);
  if (!postmaster?.comm.startsWith('postgres')) return null;
  return {
    postmasterPid,
    cpuMs() {
      const own = readStat(postmasterPid);
      if (!own) return Number.NaN;
      let ticks = own.utime + own.stime + own.cutime + own.cstime;
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const child = readStat(Number(entry));
        if (child?.ppid === postmasterPid) ticks += child.utime + child.stime;
      }
      return ms(ticks);
    },
  };
}
