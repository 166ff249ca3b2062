import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, channels, CHANNEL_TYPES, messages } from '../../db/schema/index.ts';
import type { ChannelRow } from '../../gateway/channel.ts';
import { CHANNEL_SCHEMAS } from '../../gateway/channel-schemas.ts';
import { webhookUrl } from '../../gateway/webhook-routes.ts';
import { smsMeasure } from '../../conversations/queue-outbound-message.ts';
import { toE164 } from '../../gateway/phone-number.ts';
import type { AppServices } from '../../server/app-services.ts';
import { httpErrors, parseInput } from '../../server/http-errors.ts';
import type { RouteSpec } from './route-table.ts';

const ADMINS = ['admin'] as const;
const idSchema = z.object({ id: z.coerce.number().int().positive() });
const createSchema = z.object({
  type: z.enum(CHANNEL_TYPES),
  name: z.string().trim().min(1).max(100),
  address: z.string().trim().max(64).nullish(),
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as UY').default('UY'),
  enabled: z.boolean().default(true),
  settings: z.record(z.string(), z.unknown()).default({}),
  secrets: z.record(z.string(), z.string()).default({}),
});
/** No defaults here: a PATCH changes only what it names (a default would silently reset the rest). */
const updateSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  address: z.string().trim().max(64).nullish(),
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as UY').optional(),
  enabled: z.boolean().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  secrets: z.record(z.string(), z.string()).optional(),
});
const testSendSchema = z.object({ to: z.string().trim().min(3).max(32), text: z.string().trim().min(1).max(1600) });

/** A channel as the console sees it: settings, which secrets are set (never their values), where providers call. */
export function presentChannel(row: ChannelRow, services: AppServices) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    address: row.address,
    defaultCountry: row.defaultCountry,
    enabled: row.enabled,
    settings: row.settings,
    secretsSet: Object.keys(row.secrets).sort(),
    webhookUrl: webhookUrl(services.config.publicUrl, row.id),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Validates settings and secrets with the channel type's own schemas; errors name the field. */
function validated(type: ChannelRow['type'], settings: Record<string, unknown>, secrets: Record<string, string>) {
  const schemas = CHANNEL_SCHEMAS[type];
  if (!schemas) throw httpErrors.badRequest(`Channels of type ${type} cannot be configured yet`);
  const issues: { path: string; message: string }[] = [];
  const parsedSettings = schemas.settings.safeParse(settings);
  if (!parsedSettings.success) issues.push(...parsedSettings.error.issues.map((i) => ({ path: ['settings', ...i.path].join('.'), message: i.message })));
  const parsedSecrets = schemas.secrets.safeParse(secrets);
  if (!parsedSecrets.success) issues.push(...parsedSecrets.error.issues.map((i) => ({ path: ['secrets', ...i.path].join('.'), message: i.message })));
  if (issues.length) throw httpErrors.validation(issues);
  return { settings: parsedSettings.data!, secrets: parsedSecrets.data! };
}

export function channelRoutes(services: AppServices): RouteSpec[] {
  const load = async (id: number) => {
    const row = await services.db.query.channels.findFirst({ where: eq(channels.id, id) });
    if (!row) throw httpErrors.notFound('Channel');
    return row;
  };
  const audit = (actorUserId: number, action: string, row: ChannelRow, details: Record<string, unknown> = {}) =>
    services.db.insert(auditLog).values({ actorUserId, action, targetType: 'channel', targetId: String(row.id), details });
  return [
    {
      method: 'get',
      path: '/api/channels',
      access: { roles: ADMINS },
      async handler(_request, response) {
        const rows = await services.db.select().from(channels).orderBy(channels.id);
        response.json({ channels: rows.map((row) => presentChannel(row, services)) });
      },
    },
    {
      method: 'post',
      path: '/api/channels',
      access: { roles: ADMINS },
      async handler(request, response, actor) {
        const input = parseInput(createSchema, request.body);
        const generated = CHANNEL_SCHEMAS[input.type]?.generatedSecrets?.() ?? {};
        const config = validated(input.type, input.settings, { ...input.secrets, ...generated });
        const [row] = await services.db
          .insert(channels)
          .values({ ...input, address: input.address ?? null, ...config })
          .onConflictDoNothing({ target: channels.name })
          .returning();
        if (!row) throw httpErrors.conflict(`A channel named "${input.name}" already exists`);
        await audit(actor!.userId, 'channel.created', row, { type: row.type });
        response.status(201).json(presentChannel(row, services));
      },
    },
    {
      method: 'patch',
      path: '/api/channels/:id',
      access: { roles: ADMINS },
      async handler(request, response, actor) {
        const { id } = parseInput(idSchema, request.params);
        const input = parseInput(updateSchema, request.body);
        const row = await load(id);
        // Secrets are write-only: a PATCH replaces the ones it names and keeps the others.
        const config = validated(row.type, input.settings ?? row.settings, { ...row.secrets, ...input.secrets });
        const [updated] = await services.db
          .update(channels)
          .set({ ...input, ...config, updatedAt: new Date() })
          .where(eq(channels.id, id))
          .returning();
        await audit(actor!.userId, 'channel.updated', updated!, { fields: Object.keys(input), secretsChanged: Object.keys(input.secrets ?? {}) });
        response.json(presentChannel(updated!, services));
      },
    },
    {
      method: 'delete',
      path: '/api/channels/:id',
      access: { roles: ADMINS },
      async handler(request, response, actor) {
        const { id } = parseInput(idSchema, request.params);
        const row = await load(id);
        const [used] = await services.db.select({ id: messages.id }).from(messages).where(eq(messages.channelId, id)).limit(1);
        if (used) throw httpErrors.conflict('This channel has messages on record; disable it instead of deleting it');
        await services.db.delete(channels).where(eq(channels.id, id));
        await audit(actor!.userId, 'channel.deleted', row, { type: row.type, name: row.name });
        response.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/channels/:id/test-send',
      access: { roles: ADMINS },
      async handler(request, response, actor) {
        const { id } = parseInput(idSchema, request.params);
        const input = parseInput(testSendSchema, request.body);
        const row = await load(id);
        const to = toE164(input.to, row.defaultCountry);
        const result = await services.channels.get(row).send({ messageId: 0, to, text: input.text, media: [] });
        // Kept on record like any message, outside any conversation.
        await services.db.insert(messages).values({
          channelId: row.id,
          direction: 'outbound',
          authorType: 'system',
          address: to,
          body: input.text,
          ...smsMeasure(input.text),
          status: result.ok ? 'sent' : 'failed',
          providerMessageId: result.ok ? result.providerMessageId : null,
          errorCode: result.ok ? null : result.errorCode,
          errorMessage: result.ok ? null : result.errorMessage,
          sentAt: result.ok ? new Date() : null,
          failedAt: result.ok ? null : new Date(),
          metadata: { testSendBy: actor!.userId },
        });
        response.status(result.ok ? 200 : 502).json(result);
      },
    },
  ];
}
