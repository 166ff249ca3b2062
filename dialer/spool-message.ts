import { spool } from '../db/schema/index.ts';
import type { Executor } from '../db/connection.ts';
import { signalDialer } from './dialer-signal.ts';

/**
 * Priority of single sends (the monitor's Send, the web service): above every CSV row, whose
 * priorities are 0..999999, so a one-off message never waits behind a broadcast.
 */
export const SINGLE_SEND_PRIORITY = 1_000_000;
export const MAX_FILE_PRIORITY = 999_999;

export type SpoolMessageInput = {
  dialerId: number;
  campaignId: number;
  destination: string;
  message: string;
  device?: string | null;
  idm?: string | null;
  data?: string | null;
};

/**
 * Puts one message on a dialer's spool, ahead of its broadcasts, and wakes the dialer. The number is
 * stored as given: the dialer judges it (a bad one ends OTHER, as for imported rows).
 */
export async function spoolMessage(db: Executor, input: SpoolMessageInput): Promise<typeof spool.$inferSelect> {
  const [row] = await db
    .insert(spool)
    .values({
      dialerId: input.dialerId,
      campaignId: input.campaignId,
      destination: input.destination.trim(),
      message: input.message,
      priority: SINGLE_SEND_PRIORITY,
      device: input.device ?? null,
      idm: input.idm ?? null,
      data: input.data ?? null,
    })
    .returning();
  await signalDialer(db, input.dialerId);
  return row!;
}
