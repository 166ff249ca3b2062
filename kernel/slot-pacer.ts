import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A block of consecutive send slots reserved from a shared clock row: the first is `waitMs` from now
 * (by the database's clock, so nodes' clocks never matter), the others one interval apart. `end` is
 * the row's value right after the reservation, exactly as the database wrote it, so unspent slots can
 * be given back only while no one has reserved after them.
 */
export type SlotBlock = { waitMs: number; count: number; end: string };

/** The shared clock a pacer reserves from: one row, one statement per block. */
export type SlotClock = {
  reserve(count: number, intervalMs: number): Promise<SlotBlock>;
  /** Moves the row back by `count` slots if it still ends at `end`; answers whether it did. */
  giveBack(end: string, count: number, intervalMs: number): Promise<boolean>;
};

export type SlotPacer = {
  readonly perSecond: number;
  /**
   * Resolves at this caller's slot. `upcoming` says how many sends the caller expects to make soon
   * (a dialer batch), so one reservation covers them (within one block).
   */
  take(upcoming?: number): Promise<void>;
  /** Gives the unspent slots of the block in hand back to the clock (the caller stops sending for now). */
  release(): Promise<void>;
};

/**
 * How much of the rate one reservation may hold. The rate holds exactly across nodes (each block is a
 * stretch of the shared clock no other node gets); a node that falls behind never spends slots more
 * than this late, so a burst never exceeds one block's worth.
 */
export const BLOCK_MS = 200;

/**
 * Paces sends at `perSecond` on a clock shared by every node, with one round trip per block of slots
 * instead of one per send: the node reserves up to `BLOCK_MS` of the rate at a time and spends it
 * locally, each slot at its own time.
 */
export function createSlotPacer(clock: SlotClock, perSecond: number): SlotPacer {
  const intervalMs = 1000 / perSecond;
  const maxBlock = Math.max(1, Math.floor((perSecond * BLOCK_MS) / 1000));
  /** The block in hand: its first slot's local time (performance.now()), its size, how many are spent. */
  let block: { firstAt: number; count: number; spent: number; end: string } | null = null;
  let reserving: Promise<void> | null = null;
  let waiting = 0;
  let wanted = 1;

  /** The local time of the next unspent slot, taken; null when the block is spent or stale. */
  const claim = (): number | null => {
    if (!block || block.spent >= block.count) return null;
    const at = block.firstAt + block.spent * intervalMs;
    if (at < performance.now() - BLOCK_MS) {
      block = null; // fallen behind: these slots are past, and spending them now would burst
      return null;
    }
    block.spent++;
    return at;
  };

  const refill = (): Promise<void> => {
    reserving ??= (async () => {
      try {
        const count = Math.min(maxBlock, Math.max(1, wanted, waiting));
        wanted = 1;
        const reserved = await clock.reserve(count, intervalMs);
        // Measured from the answer: a slot is spent late by the way back, never early, and a fresh
        // block is never stale however slow the round trip.
        block = { firstAt: performance.now() + reserved.waitMs, count: reserved.count, spent: 0, end: reserved.end };
      } finally {
        reserving = null;
      }
    })();
    return reserving;
  };

  return {
    perSecond,
    async take(upcoming = 1) {
      for (;;) {
        const at = claim();
        if (at !== null) {
          const wait = at - performance.now();
          if (wait >= 1) await sleep(wait);
          return;
        }
        wanted = Math.max(wanted, upcoming);
        waiting++;
        try {
          await refill();
        } finally {
          waiting--;
        }
      }
    },
    async release() {
      await reserving?.catch(() => {});
      const held = block;
      block = null;
      if (!held || held.spent >= held.count) return;
      await clock.giveBack(held.end, held.count - held.spent, intervalMs);
    },
  };
}
