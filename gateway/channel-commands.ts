import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { CHANNEL_TYPES, channels, messages } from '../db/schema/index.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';
import { domainErrors } from '../kernel/errors.ts';
import { enqueueSend } from '../messages/enqueue-send.ts';
import { smsMeasure } from '../messages/sms-encoding.ts';
import type { ChannelRow } from './channel.ts';
import { CHANNEL_SCHEMAS } from './channel-schemas.ts';
import { toE164 } from './phone-number.ts';

export const createChannelSchema = z.object({
  type: z.enum(CHANNEL_TYPES),
  name: z.string().trim().min(1).max(100),
  address: z.string().trim().max(64).nullish(),
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as UY')
    .default('UY'),
  enabled: z.boolean().default(true),
  sendsPerSecond: z.number().min(0.05, 'at least 0.05 (one send every 20 seconds)').max(1000).nullish(),
  settings: z.record(z.string(), z.unknown()).default({}),
  secrets: z.record(z.string(), z.string()).default({}),
});
/** No defaults here: a PATCH changes only what it names (a default would silently reset the rest). */
export const updateChannelSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  address: z.string().trim().max(64).nullish(),
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as UY')
    .optional(),
  enabled: z.boolean().optional(),
  sendsPerSecond: z.number().min(0.05, 'at least 0.05 (one send every 20 seconds)').max(1000).nullish(),
  settings: z.record(z.string(), z.unknown()).optional(),
  secrets: z.record(z.string(), z.string()).optional(),
});
export const testSendSchema = z.object({ to: z.string().trim().min(3).max(32), text: z.string().trim().min(1).max(1600) });

/** Validates settings and secrets with the channel type's own schemas; errors name the field. */
function validated(type: ChannelRow['type'], settings: Record<string, unknown>, secrets: Record<string, string>) {
  const schemas = CHANNEL_SCHEMAS[type];
  if (!schemas) throw domainErrors.invalid(`Channels of type ${type} cannot be configured yet`);
  const issues: { path: string; message: string }[] = [];
  const parsedSettings = schemas.settings.safeParse(settings);
  if (!parsedSettings.success) issues.push(...parsedSettings.error.issues.map((i) => ({ path: ['settings', ...i.path].join('.'), message: i.message })));
  const parsedSecrets = schemas.secrets.safeParse(secrets);
  if (!parsedSecrets.success) issues.push(...parsedSecrets.error.issues.map((i) => ({ path: ['secrets', ...i.path].join('.'), message: i.message })));
  if (!issues.length && schemas.check) issues.push(...schemas.check(parsedSettings.data!, parsedSecrets.data!));
  if (issues.length) throw domainErrors.validation(issues);
  // Optional secrets left out are not stored as keys (the API lists which secrets are set).
  const secretsSet = Object.entries(parsedSecrets.data!).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { settings: parsedSettings.data!, secrets: Object.fromEntries(secretsSet) };
}

/** The channel (admins see every channel), or a 404. */
async function load({ uow }: CommandContext, id: number): Promise<ChannelRow> {
  const row = await uow.tx.query.channels.findFirst({ where: eq(channels.id, id) });
  if (!row) throw domainErrors.notFound('Channel');
  return row;
}

/** Creates a channel with its settings and secrets checked by its type's schemas (admins). */
export async function createChannel(ctx: CommandContext, input: z.infer<typeof createChannelSchema>): Promise<ChannelRow> {
  const generated = CHANNEL_SCHEMAS[input.type]?.generatedSecrets?.() ?? {};
  const config = validated(input.type, input.settings, { ...input.secrets, ...generated });
  const [row] = await ctx.uow.tx
    .insert(channels)
    .values({ ...input, address: input.address ?? null, ...config })
    .onConflictDoNothing({ target: channels.name })
    .returning();
  if (!row) throw domainErrors.conflict(`A channel named "${input.name}" already exists`);
  await audit(ctx.uow.tx, { by: ctx.actor, action: 'channel.created', target: { type: 'channel', id: row.id }, details: { type: row.type } });
  return row;
}

/** Changes a channel; secrets are write-only: a change replaces the ones it names and keeps the others. */
export async function updateChannel(ctx: CommandContext, { id, changes }: { id: number; changes: z.infer<typeof updateChannelSchema> }): Promise<ChannelRow> {
  const row = await load(ctx, id);
  const config = validated(row.type, changes.settings ?? row.settings, { ...row.secrets, ...changes.secrets });
  const [updated] = await ctx.uow.tx
    .update(channels)
    .set({ ...changes, ...config, updatedAt: new Date() })
    .where(eq(channels.id, id))
    .returning();
  await audit(ctx.uow.tx, {
    by: ctx.actor,
    action: 'channel.updated',
    target: { type: 'channel', id },
    details: { fields: Object.keys(changes), secretsChanged: Object.keys(changes.secrets ?? {}) },
  });
  return updated!;
}

/** Deletes a channel no message refers to; one with messages on record is disabled instead. */
export async function deleteChannel(ctx: CommandContext, { id }: { id: number }): Promise<void> {
  const row = await load(ctx, id);
  const [used] = await ctx.uow.tx.select({ id: messages.id }).from(messages).where(eq(messages.channelId, id)).limit(1);
  if (used) throw domainErrors.conflict('This channel has messages on record; disable it instead of deleting it');
  await ctx.uow.tx.delete(channels).where(eq(channels.id, id));
  await audit(ctx.uow.tx, { by: ctx.actor, action: 'channel.deleted', target: { type: 'channel', id }, details: { type: row.type, name: row.name } });
}

/** Queues a test message through the outbox like any message (pacing, the session's node, retries), outside any conversation; answers its id. */
export async function queueTestSend(ctx: CommandContext, { id, to, text }: { id: number } & z.infer<typeof testSendSchema>): Promise<number> {
  const row = await load(ctx, id);
  const address = toE164(to, row.defaultCountry);
  if (!row.enabled) throw domainErrors.conflict('The channel is disabled');
  const [message] = await ctx.uow.tx
    .insert(messages)
    .values({
      channelId: row.id,
      direction: 'outbound',
      authorType: 'system',
      address,
      body: text,
      ...smsMeasure(text),
      status: 'queued',
      metadata: { testSendBy: ctx.actor.userId },
    })
    .returning({ id: messages.id });
  await enqueueSend(ctx.uow, { id: message!.id, channelId: row.id, address });
  return message!.id;
}
