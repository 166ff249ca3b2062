/** Polls `check` until it returns true (a throw ends the wait with that error); fails after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, options: { timeoutMs: number; what: string; intervalMs?: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

/** Like waitFor, but a timeout is an answer (false), for conditions the scenario reports on. */
export async function reaches(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  try {
    await waitFor(check, { timeoutMs, what: 'a condition', intervalMs });
    return true;
  } catch {
    return false;
  }
}
