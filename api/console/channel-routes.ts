import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { setTimeout } from 'node:timers/promises';
import QRCode from 'qrcode';
import { channelLeases, channels, CHANNEL_TYPES, messages } from '../../db/schema/index.ts';
import { enqueueSend } from '../../messages/enqueue-send.ts';
import { inTransaction } from '../../kernel/unit-of-work.ts';
import type { ChannelRow } from '../../gateway/channel.ts';
import { CHANNEL_SCHEMAS } from '../../gateway/channel-schemas.ts';
import { webhookUrl } from '../webhook-routes.ts';
import { smsMeasure } from '../../messages/sms-encoding.ts';
import { toE164 } from '../../gateway/phone-number.ts';
import type { AppServices } from '../app-services.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import { route, type RouteSpec } from '../route-table.ts';
import { idParams } from '../../kernel/ids.ts';
import { audit } from '../../kernel/audit.ts';

const ADMINS = ['admin'] as const;
const createSchema = z.object({
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
const updateSchema = z.object({
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
/** How long a test send waits for the provider's answer before answering 202 (still queued). */
const TEST_SEND_WAIT_MS = 20_000;
const testSendSchema = z.object({ to: z.string().trim().min(3).max(32), text: z.string().trim().min(1).max(1600) });

type LeaseRow = typeof channelLeases.$inferSelect;

/**
 * The live state of a session channel (modem, SMPP, WhatsApp Web, pollers): what its node reported,
 * with the pairing QR as an image; `stopped` when no node holds it (no node runs the
 * session-channels role, or the channel is disabled). Null for channels without a session.
 */
async function presentSession(row: ChannelRow, lease: LeaseRow | undefined, services: AppServices) {
  let hasSession = false;
  try {
    hasSession = services.channels.supports(row.type) && services.channels.get(row).session !== undefined;
  } catch {
    hasSession = true; // settings the adapter cannot use: say so through the state below
  }
  if (!hasSession) return null;
  if (!lease || lease.expiresAt < new Date()) {
    return {
      state: 'stopped',
      qr: null,
      qrImage: null,
      detail: row.enabled ? 'No node holds this channel yet' : 'The channel is disabled',
      node: null,
      updatedAt: null,
    };
  }
  return {
    state: lease.state,
    qr: lease.qr,
    qrImage: lease.state === 'qr' && lease.qr ? await QRCode.toDataURL(lease.qr, { margin: 1, width: 264 }) : null,
    detail: lease.detail,
    node: lease.nodeId,
    updatedAt: lease.updatedAt.toISOString(),
  };
}

/** A channel as the console sees it: settings, which secrets are set (never their values), where providers call. */
export async function presentChannel(row: ChannelRow, services: AppServices, lease?: LeaseRow) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    address: row.address,
    defaultCountry: row.defaultCountry,
    enabled: row.enabled,
    /** Sends per second across all nodes: the channel's own, else its type's default (null: unpaced). */
    sendsPerSecond: row.sendsPerSecond,
    effectiveSendsPerSecond: row.sendsPerSecond ?? CHANNEL_SCHEMAS[row.type]?.defaultSendsPerSecond ?? null,
    session: await presentSession(row, lease, services),
    settings: row.settings,
    secretsSet: Object.keys(row.secrets).sort(),
    receivesWebhooks: CHANNEL_SCHEMAS[row.type]?.webhooks !== false,
    webhookUrl: CHANNEL_SCHEMAS[row.type]?.webhooks === false ? null : webhookUrl(services.config.publicUrl, row.id),
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
  if (!issues.length && schemas.check) issues.push(...schemas.check(parsedSettings.data!, parsedSecrets.data!));
  if (issues.length) throw httpErrors.validation(issues);
  // Optional secrets left out are not stored as keys (the API lists which secrets are set).
  const secretsSet = Object.entries(parsedSecrets.data!).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { settings: parsedSettings.data!, secrets: Object.fromEntries(secretsSet) };
}

export function channelRoutes(services: AppServices): RouteSpec[] {
  const load = async (id: number) => {
    const row = await services.db.query.channels.findFirst({ where: eq(channels.id, id) });
    if (!row) throw httpErrors.notFound('Channel');
    return row;
  };
  return [
    route({
      method: 'get',
      path: '/api/channels',
      access: { roles: ADMINS },
      async handler(_request, response) {
        const rows = await services.db.select().from(channels).orderBy(channels.id);
        const leases = new Map((await services.db.select().from(channelLeases)).map((lease) => [lease.channelId, lease]));
        response.json({ channels: await Promise.all(rows.map((row) => presentChannel(row, services, leases.get(row.id)))) });
      },
    }),
    route({
      method: 'get',
      path: '/api/channels/:id',
      access: { roles: ADMINS },
      async handler(request, response) {
        const { id } = parseInput(idParams, request.params);
        const row = await load(id);
        const lease = await services.db.query.channelLeases.findFirst({ where: eq(channelLeases.channelId, id) });
        response.json(await presentChannel(row, services, lease));
      },
    }),
    route({
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
        await audit(services.db, { by: actor, action: 'channel.created', target: { type: 'channel', id: row.id }, details: { type: row.type } });
        void services.sessions.refresh(); // a session channel starts now, not at the next poll
        response.status(201).json(await presentChannel(row, services));
      },
    }),
    route({
      method: 'patch',
      path: '/api/channels/:id',
      access: { roles: ADMINS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const input = parseInput(updateSchema, request.body);
        const row = await load(id);
        // Secrets are write-only: a PATCH replaces the ones it names and keeps the others.
        const config = validated(row.type, input.settings ?? row.settings, { ...row.secrets, ...input.secrets });
        const [updated] = await services.db
          .update(channels)
          .set({ ...input, ...config, updatedAt: new Date() })
          .where(eq(channels.id, id))
          .returning();
        await audit(services.db, {
          by: actor,
          action: 'channel.updated',
          target: { type: 'channel', id: updated!.id },
          details: { fields: Object.keys(input), secretsChanged: Object.keys(input.secrets ?? {}) },
        });
        void services.sessions.refresh(); // restart (or stop) its session with the new settings
        response.json(await presentChannel(updated!, services));
      },
    }),
    route({
      method: 'delete',
      path: '/api/channels/:id',
      access: { roles: ADMINS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const row = await load(id);
        const [used] = await services.db.select({ id: messages.id }).from(messages).where(eq(messages.channelId, id)).limit(1);
        if (used) throw httpErrors.conflict('This channel has messages on record; disable it instead of deleting it');
        await services.db.delete(channels).where(eq(channels.id, id));
        await audit(services.db, {
          by: actor,
          action: 'channel.deleted',
          target: { type: 'channel', id: row.id },
          details: { type: row.type, name: row.name },
        });
        void services.sessions.refresh();
        response.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/api/channels/:id/test-send',
      access: { roles: ADMINS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const input = parseInput(testSendSchema, request.body);
        const row = await load(id);
        const to = toE164(input.to, row.defaultCountry);
        if (!row.enabled) throw httpErrors.conflict('The channel is disabled');
        // Through the outbox like any message (pacing, the session's node, retries), outside any conversation.
        const queued = await inTransaction(services, async (uow) => {
          const [message] = await uow.tx
            .insert(messages)
            .values({
              channelId: row.id,
              direction: 'outbound',
              authorType: 'system',
              address: to,
              body: input.text,
              ...smsMeasure(input.text),
              status: 'queued',
              metadata: { testSendBy: actor.userId },
            })
            .returning({ id: messages.id });
          await enqueueSend(uow, { id: message!.id, channelId: row.id, address: to });
          return message!;
        });
        const deadline = Date.now() + TEST_SEND_WAIT_MS;
        let outcome = await services.db.query.messages.findFirst({ where: eq(messages.id, queued.id) });
        while (outcome?.status === 'queued' && Date.now() < deadline) {
          await setTimeout(250);
          outcome = await services.db.query.messages.findFirst({ where: eq(messages.id, queued.id) });
        }
        const result = {
          messageId: queued.id,
          status: outcome!.status,
          providerMessageId: outcome!.providerMessageId,
          error: outcome!.errorCode || outcome!.errorMessage ? { code: outcome!.errorCode, message: outcome!.errorMessage } : null,
        };
        // 202: still queued (a session down, a retry pending); it goes out when it can.
        response.status(result.status === 'queued' ? 202 : result.status === 'failed' ? 502 : 200).json(result);
      },
    }),
  ];
}
