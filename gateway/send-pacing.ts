import { sql } from 'drizzle-orm';
import type { Db } from '../db/connection.ts';
import { channelSendPacing } from '../db/schema/index.ts';

/**
 * Reserves the channel's next send slot and answers how long to wait for it, in milliseconds. Every
 * node reserves from the same row, so `perSecond` holds across the cluster: slot n starts
 * n / perSecond seconds after the first, and an idle channel starts again from now.
 */
export async function reserveSendSlot(db: Db, channelId: number, perSecond: number): Promise<number> {
  const interval = sql`make_interval(secs => ${1 / perSecond}::double precision)`;
  const [row] = await db
    .insert(channelSendPacing)
    .values({ channelId, nextSlotAt: sql`clock_timestamp() + ${interval}` })
    .onConflictDoUpdate({
      target: channelSendPacing.channelId,
      set: { nextSlotAt: sql`greatest(${channelSendPacing.nextSlotAt}, clock_timestamp()) + ${interval}` },
    })
    .returning({
      waitMs: sql<string>`greatest(0, extract(epoch from (${channelSendPacing.nextSlotAt} - ${interval} - clock_timestamp())) * 1000)`,
    });
  return Math.ceil(Number(row!.waitMs));
}
