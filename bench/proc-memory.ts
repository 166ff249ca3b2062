import { readFileSync } from 'node:fs';

/** Resident memory (VmRSS) of a process of this machine, in MB, from /proc; null when it is gone. */
export function residentMb(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(text);
  return match ? Number(match[1]) / 1024 : null;
}
