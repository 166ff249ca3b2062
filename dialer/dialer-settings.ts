import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/connection.ts';
import { channels, type ChannelType } from '../db/schema/index.ts';
import type { FieldIssue } from '../contract/common.ts';
import { referenceIssues, single } from '../kernel/assert-visible.ts';
import type { Actor } from '../kernel/actor.ts';
import { parseDialString } from '../gateway/dinstar/dial-string.ts';
import { id } from '../kernel/ids.ts';

/** WhatsApp Web accounts that send in bulk get banned; a broadcast over one waits at least this long between messages. */
export const WHATSAPP_WEB_MIN_GAP_MS = 3_000;
const WHATSAPP_WEB: readonly ChannelType[] = ['baileys', 'wwebjs'];

/** Every field of DialerInput: POST requires name and channel, PATCH changes what it names. */
export const dialerFields = {
  name: z.string().trim().min(1, 'Name the dialer').max(100),
  channelId: id,
  scheduleId: id.nullable(),
  dialString: z
    .string()
    .trim()
    .max(100)
    .nullable()
    .transform((value) => (value === '' ? null : value)),
  timeBetweenMessagesMs: z.number().int().min(0).max(3_600_000, 'at most an hour (3600000 ms)'),
  batchSize: z.number().int().min(1).max(10_000),
  enabled: z.boolean(),
  dncrCheck: z.boolean(),
  quietHours: z.boolean(),
  template: z
    .object({
      name: z
        .string()
        .trim()
        .regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and _, as WhatsApp names templates'),
      language: z
        .string()
        .trim()
        .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a language code such as es or en_US'),
    })
    .nullable(),
  securityGroupId: id.nullable(),
};

export const createDialerSchema = z
  .object({ ...dialerFields })
  .partial()
  .required({ name: true, channelId: true });
export const updateDialerSchema = z.object({ ...dialerFields }).partial();
export type DialerChanges = z.infer<typeof updateDialerSchema>;

type Settings = { channelId: number; dialString: string | null; timeBetweenMessagesMs: number; template: { name: string; language: string } | null };

/**
 * The checks that need the database or span fields, on the dialer as it will be: the channel and
 * schedule it is given exist and are in the actor's sight (what it already has may stay), the group
 * exists; a Dinstar dial string is a port list; a Cloud API dialer has its
 * approved template (WhatsApp refuses free text to customers outside the 24-hour window); a WhatsApp
 * Web dialer keeps its pace. Every issue at once.
 */
export async function dialerIssues(
  db: Executor,
  actor: Actor,
  input: DialerChanges,
  settings: Settings,
  current?: { channelId: number; scheduleId: number | null },
): Promise<FieldIssue[]> {
  const issues = await referenceIssues(db, actor, {
    channelIds: input.channelId === current?.channelId ? [] : single('channelId', input.channelId),
    scheduleIds: input.scheduleId === current?.scheduleId ? [] : single('scheduleId', input.scheduleId),
    securityGroupIds: single('securityGroupId', input.securityGroupId),
  });
  const channel = issues.some((issue) => issue.path === 'channelId')
    ? undefined
    : await db.query.channels.findFirst({ where: eq(channels.id, settings.channelId), columns: { type: true } });
  if (!channel) return issues;
  if (channel.type === 'dinstar' && settings.dialString && !parseDialString(settings.dialString)) {
    issues.push({ path: 'dialString', message: `"${settings.dialString}" is not a Dinstar port list (such as 0-3, 2 or 0,2,5)` });
  }
  if (channel.type === 'whatsapp_cloud' && !settings.template) {
    issues.push({
      path: 'template',
      message: 'A WhatsApp Cloud API broadcast needs an approved template (free text reaches only customers who wrote in the last 24 hours)',
    });
  }
  if (channel.type !== 'whatsapp_cloud' && settings.template) {
    issues.push({ path: 'template', message: 'Templates are sent through WhatsApp Cloud API channels only' });
  }
  if (WHATSAPP_WEB.includes(channel.type) && settings.timeBetweenMessagesMs < WHATSAPP_WEB_MIN_GAP_MS) {
    issues.push({
      path: 'timeBetweenMessagesMs',
      message: `Over WhatsApp Web, at least ${WHATSAPP_WEB_MIN_GAP_MS} ms between messages: bulk sending gets the number banned`,
    });
  }
  return issues;
}

/** What the console must show beside a dialer. */
export function dialerWarnings(channelType: ChannelType): string[] {
  if (!WHATSAPP_WEB.includes(channelType)) return [];
  return [
    'WhatsApp Web is not made for broadcasts: WhatsApp bans numbers that message many people who did not write first. Send only to customers who expect it, keep the pace slow, and prefer the Cloud API with an approved template.',
  ];
}
