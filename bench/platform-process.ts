import { forkBenchChild } from './bench-child.ts';
import { processCpuMs } from './proc-cpu.ts';
import { residentMb } from './proc-memory.ts';

export type PlatformProcess = Awaited<ReturnType<typeof startPlatformProcess>>;

/**
 * Starts the real platform in a child process (bench/platform-child.ts) with these roles, on a free
 * port, logging warnings to stderr; answers once it listens (or, without `http`, once it runs).
 */
export async function startPlatformProcess(input: { databaseUrl: string; roles: string; env?: Record<string, string> }) {
  const child = await forkBenchChild(new URL('./platform-child.ts', import.meta.url), {
    name: `the platform process (ROLES=${input.roles})`,
    env: {
      ...process.env,
      DATABASE_URL: input.databaseUrl,
      ROLES: input.roles,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      DATA_DIR: '/tmp/omnichat-bench-data',
      ...input.env,
    },
  });
  return {
    pid: child.pid,
    url: child.ready.url as string | null,
    /** User + system CPU of the process so far (from /proc). */
    cpuMs: () => processCpuMs(child.pid) ?? Number.NaN,
    /** Resident memory (from /proc). */
    rssMb: () => residentMb(child.pid) ?? Number.NaN,
    /** Node's own view: heap used and total, external, array buffers. */
    memory: () => child.request<NodeJS.MemoryUsage>('memory'),
    /** Graceful stop (jobs in flight finish), then the process exits. */
    stop: () => child.close(60_000),
  };
}
