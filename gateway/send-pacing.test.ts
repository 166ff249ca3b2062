import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelSendPacing } from '../db/schema/index.ts';
import { createSlotPacer, type SlotClock } from '../kernel/slot-pacer.ts';
import { buildSimulatorChannel } from '../test/harness/factories.ts';
import { startTestPlatform, type TestPlatform } from '../test/harness/test-platform.ts';
import { channelSlotClock } from './send-pacing.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

/** A channel clock that also keeps every block it handed out, as [start, end) in the database's epoch seconds. */
function recording(clock: SlotClock) {
  const blocks: { start: number; end: number; count: number }[] = [];
  return {
    blocks,
    clock: {
      async reserve(count, intervalMs) {
        const block = await clock.reserve(count, intervalMs);
        blocks.push({ start: Number(block.end) - (count * intervalMs) / 1000, end: Number(block.end), count });
        return block;
      },
      giveBack: (end, count, intervalMs) => clock.giveBack(end, count, intervalMs),
    } satisfies SlotClock,
  };
}

describe('send pacing shared by every node', () => {
  it('gives two nodes disjoint blocks of the same clock, one statement per block, and every send a slot of its own', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const perSecond = 200; // blocks of at most 40 slots (BLOCK_MS = 200)
    const nodeA = recording(channelSlotClock(db, channel.id));
    const nodeB = recording(channelSlotClock(db, channel.id));
    const pacers = [createSlotPacer(nodeA.clock, perSecond), createSlotPacer(nodeB.clock, perSecond)];
    // 120 sends on each node, 10 in flight at a time on each, all announcing a batch of 120.
    await Promise.all(
      pacers.map(async (pacer) => {
        let left = 120;
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            while (left > 0) {
              left--;
              await pacer.take(left + 1);
            }
          }),
        );
      }),
    );
    const blocks = [...nodeA.blocks, ...nodeB.blocks].sort((x, y) => x.start - y.start);
    // Every send had a slot, reserved in far fewer statements than sends (a node stalled past a block
    // drops what it fell behind on and reserves again, so a loaded machine may take a few more).
    expect(blocks.reduce((sum, block) => sum + block.count, 0)).toBeGreaterThanOrEqual(240);
    expect(blocks.every((block) => block.count <= 40)).toBe(true);
    expect(blocks.length).toBeLessThan(240 / 4);
    // No two blocks overlap: the rate holds across the nodes (a microsecond of rounding allowed).
    for (let k = 1; k < blocks.length; k++) expect(blocks[k]!.start).toBeGreaterThanOrEqual(blocks[k - 1]!.end - 1e-6);
  });

  it('lets an idle channel send at once instead of banking unused slots', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    await db.insert(channelSendPacing).values({ channelId: channel.id, nextSlotAt: new Date(Date.now() - 60_000) });
    const clock = channelSlotClock(db, channel.id);
    expect((await clock.reserve(5, 1000)).waitMs).toBe(0);
    // The next block starts where the first ends: about five seconds from now.
    expect((await clock.reserve(1, 1000)).waitMs).toBeGreaterThan(4000);
  });

  it('takes unspent slots back only while no one has reserved after them', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const clock = channelSlotClock(db, channel.id);
    const before = await clock.reserve(1, 1000);
    const mine = await clock.reserve(10, 1000);
    expect(await clock.giveBack(mine.end, 10, 1000)).toBe(true);
    const [row] = await db.select().from(channelSendPacing).where(eq(channelSendPacing.channelId, channel.id));
    expect(Math.abs(row!.nextSlotAt.getTime() - Number(before.end) * 1000)).toBeLessThanOrEqual(1);
    // Someone reserved after this block: giving it back would hand the same slots out twice.
    const again = await clock.reserve(10, 1000);
    await clock.reserve(1, 1000);
    expect(await clock.giveBack(again.end, 10, 1000)).toBe(false);
  });
});

describe('a node spending a block', () => {
  /** An in-memory clock with the database's arithmetic: what the pacer asks for and when; `roundTripMs` of delay each way. */
  function memoryClock(roundTripMs = 0) {
    let next = performance.now();
    const asked: number[] = [];
    const givenBack: number[] = [];
    const clock: SlotClock = {
      async reserve(count, intervalMs) {
        asked.push(count);
        if (roundTripMs) await new Promise((resolve) => setTimeout(resolve, roundTripMs / 2));
        const now = performance.now();
        const start = Math.max(next, now);
        next = start + count * intervalMs;
        if (roundTripMs) await new Promise((resolve) => setTimeout(resolve, roundTripMs / 2));
        return { waitMs: start - now, count, end: String(next) };
      },
      async giveBack(end, count, intervalMs) {
        if (String(next) !== end) return false;
        next -= count * intervalMs;
        givenBack.push(count);
        return true;
      },
    };
    return { clock, asked, givenBack };
  }

  it('reserves what the caller announces, up to one block, and gives the rest back on release', async () => {
    const { clock, asked, givenBack } = memoryClock();
    const pacer = createSlotPacer(clock, 1000); // one block: 200 slots
    await pacer.take(500);
    await pacer.take(499);
    await pacer.release();
    expect(asked).toEqual([200]);
    expect(givenBack).toEqual([198]);
    await pacer.take(3);
    expect(asked).toEqual([200, 3]);
  });

  it('sends on a slow database: a round trip longer than a block never makes the slots it brings stale', async () => {
    const { clock, asked } = memoryClock(300);
    const pacer = createSlotPacer(clock, 1000);
    await pacer.take();
    await pacer.take();
    expect(asked).toEqual([1, 1]);
  });

  it('one at a time without an announcement, and concurrent takers share one reservation', async () => {
    const { clock, asked } = memoryClock();
    const pacer = createSlotPacer(clock, 1000);
    await pacer.take();
    expect(asked).toEqual([1]);
    await Promise.all(Array.from({ length: 5 }, () => pacer.take()));
    expect(asked.slice(1).reduce((sum, count) => sum + count, 0)).toBe(5);
    expect(asked.length).toBeLessThanOrEqual(3);
  });
});
