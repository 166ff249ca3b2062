/**
 * What the console forgets on logout. Each state module registers its own reset when it is imported
 * (`onReset(…)` at its top level); the app calls `resetAll()` once when the signed-in workspace closes.
 * A module not imported yet holds no state, so it has nothing to reset.
 */
const resets: (() => void)[] = [];

/** Registers a reset to run on logout, after those registered before it. */
export function onReset(reset: () => void): void {
  resets.push(reset);
}

/** Runs every registered reset (on logout), in the order they were registered. */
export function resetAll(): void {
  for (const reset of resets) reset();
}
