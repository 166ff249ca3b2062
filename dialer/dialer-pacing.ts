import type postgres from 'postgres';
import type { SlotBlock, SlotClock } from '../kernel/slot-pacer.ts';

/**
 * A dialer's own clock (the seed's time between messages), shared by its workers on every node in
 * `dialers.next_slot_at`; the same block reservation as a channel's clock (gateway/send-pacing.ts).
 */
export function dialerSlotClock(sql: postgres.Sql, dialerId: number): SlotClock {
  return {
    async reserve(count, intervalMs): Promise<SlotBlock> {
      const span = (count * intervalMs) / 1000;
      const [row] = await sql<{ waitMs: string; end: string }[]>`
        update dialers set next_slot_at = greatest(next_slot_at, clock_timestamp()) + make_interval(secs => ${span}::double precision)
         where id = ${dialerId}
        returning greatest(0, extract(epoch from (next_slot_at - make_interval(secs => ${span}::double precision) - clock_timestamp())) * 1000) as "waitMs",
                  extract(epoch from next_slot_at)::text as "end"`;
      // A dialer deleted meanwhile: nothing to wait for (its runner stops at the next refresh).
      return { waitMs: Number(row?.waitMs ?? 0), count, end: row?.end ?? '0' };
    },
    async giveBack(end, count, intervalMs) {
      const result = await sql`
        update dialers set next_slot_at = next_slot_at - make_interval(secs => ${(count * intervalMs) / 1000}::double precision)
         where id = ${dialerId} and extract(epoch from next_slot_at) = ${end}::numeric`;
      return result.count > 0;
    },
  };
}
