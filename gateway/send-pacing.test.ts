import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelSendPacing } from '../db/schema/index.ts';
import { buildSimulatorChannel } from '../test/harness/factories.ts';
import { startTestPlatform, type TestPlatform } from '../test/harness/test-platform.ts';
import { reserveSendSlot } from './send-pacing.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

describe('send pacing shared by every node', () => {
  it('gives concurrent senders consecutive slots, one interval apart, whichever connection asks', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    // Ten workers (on any nodes: each reservation is one statement on the shared row) ask at once.
    const waits = (await Promise.all(Array.from({ length: 10 }, () => reserveSendSlot(db, channel.id, 2)))).sort((x, y) => x - y);
    expect(waits[0]).toBe(0);
    // Slot k is k half-seconds after the first, less the few milliseconds the requests took.
    waits.forEach((wait, k) => {
      expect(wait).toBeLessThanOrEqual(k * 500);
      expect(wait).toBeGreaterThan(k * 500 - 250);
    });
    const [row] = await db.select().from(channelSendPacing).where(eq(channelSendPacing.channelId, channel.id));
    expect(row!.nextSlotAt.getTime() - Date.now()).toBeGreaterThan(4000);
  });

  it('lets an idle channel send at once instead of banking unused slots', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    await db.insert(channelSendPacing).values({ channelId: channel.id, nextSlotAt: new Date(Date.now() - 60_000) });
    expect(await reserveSendSlot(db, channel.id, 1)).toBe(0);
    expect(await reserveSendSlot(db, channel.id, 1)).toBeGreaterThan(500);
  });
});
