import { sql } from 'drizzle-orm';
import type { Db } from '../db/connection.ts';
import { createSlotPacer, type SlotBlock, type SlotClock, type SlotPacer } from '../kernel/slot-pacer.ts';

/**
 * A channel's send clock, shared by every node in `channel_send_pacing`: slot n starts n / perSecond
 * seconds after the first, an idle channel starts again from now, and a block of slots is one
 * statement. The row's end is kept as an exact epoch (microseconds) so it can be compared on give-back.
 */
export function channelSlotClock(db: Db, channelId: number): SlotClock {
  return {
    async reserve(count, intervalMs): Promise<SlotBlock> {
      const span = sql`make_interval(secs => ${(count * intervalMs) / 1000}::double precision)`;
      const [row] = await db.execute<{ wait_ms: string; end: string }>(sql`
        insert into channel_send_pacing (channel_id, next_slot_at) values (${channelId}, clock_timestamp() + ${span})
        on conflict (channel_id) do update set next_slot_at = greatest(channel_send_pacing.next_slot_at, clock_timestamp()) + ${span}
        returning greatest(0, extract(epoch from (next_slot_at - ${span} - clock_timestamp())) * 1000) as wait_ms,
                  extract(epoch from next_slot_at)::text as end`);
      return { waitMs: Number(row!.wait_ms), count, end: row!.end };
    },
    async giveBack(end, count, intervalMs) {
      const rows = await db.execute(sql`
        update channel_send_pacing set next_slot_at = next_slot_at - make_interval(secs => ${(count * intervalMs) / 1000}::double precision)
         where channel_id = ${channelId} and extract(epoch from next_slot_at) = ${end}::numeric`);
      return rows.count > 0;
    },
  };
}

/**
 * This node's pacers, one per paced channel, shared by everything that sends on it here (the dialer's
 * lanes, agents' and the bot's replies), so a node reserves blocks of the channel's slots and spends
 * them locally. A channel whose rate changes gets a new pacer.
 */
export type SendPacing = { forChannel(channelId: number, perSecond: number): SlotPacer };

export function createSendPacing(db: Db): SendPacing {
  const pacers = new Map<number, SlotPacer>();
  return {
    forChannel(channelId, perSecond) {
      let pacer = pacers.get(channelId);
      if (!pacer || pacer.perSecond !== perSecond) {
        pacer = createSlotPacer(channelSlotClock(db, channelId), perSecond);
        pacers.set(channelId, pacer);
      }
      return pacer;
    },
  };
}
