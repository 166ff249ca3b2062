import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/connection.ts';
import type { ChannelType } from '../../db/schema/index.ts';
import { cancelUnprocessed, createDialer, deleteDialer, sendSingleMessage, setRunning, updateDialer } from '../../dialer/dialer-commands.ts';
import { dialerMonitors, presentMonitor } from '../../dialer/dialer-monitor.ts';
import { createDialerSchema, dialerWarnings, updateDialerSchema } from '../../dialer/dialer-settings.ts';
import { messageField } from '../web-service/send-api-message.ts';
import { spoolStateName, spoolStateOf } from '../../dialer/spool-state.ts';
import { isScheduleOpen } from '../../bots/campaign-schedule.ts';
import type { AppServices } from '../app-services.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import { SPOOL_STATE_NAMES, type DialerView, type SpoolRowView } from '../../contract/dialer.ts';
import { route, type RouteSpec, SUPERVISORS } from '../route-table.ts';
import type { Actor } from '../../kernel/actor.ts';
import { visibleCampaigns, visibleDialers } from '../../kernel/visibility.ts';
import { assertReferences, single } from '../../kernel/assert-visible.ts';
import { bigId, id, idParams } from '../../kernel/ids.ts';
import { runCommand } from '../../kernel/command.ts';

const cancelSchema = z.object({ campaignId: id.nullable().optional() });
const singleSendSchema = z.object({
  destination: z.string().trim().min(3, 'Write the telephone number').max(32),
  // The web service's rule: the same dialers and gateways send both.
  message: messageField,
  campaignId: id,
});
const spoolQuerySchema = z.object({
  state: z.enum(SPOOL_STATE_NAMES).optional(),
  campaignId: id.optional(),
  destination: z.string().trim().max(32).optional(),
  beforeId: bigId.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

type DialerRow = {
  id: number;
  name: string;
  channel_id: number;
  channel_name: string;
  channel_type: ChannelType;
  schedule_id: number | null;
  schedule_name: string | null;
  dial_string: string | null;
  time_between_messages_ms: number;
  batch_size: number;
  enabled: boolean;
  running: boolean;
  dncr_check: boolean;
  quiet_hours: boolean;
  template: { name: string; language: string } | null;
  security_group_id: number | null;
  running_changed_at: Date | string | null;
};

/** Dialers as the console shows them, with their channel, schedule, whether on schedule now, and warnings. */
export async function presentDialers(db: Executor, condition: SQL): Promise<DialerView[]> {
  const rows = (await db.execute(sql`
    select d.*, ch.name as channel_name, ch.type as channel_type, s.name as schedule_name
      from dialers d join channels ch on ch.id = d.channel_id left join schedules s on s.id = d.schedule_id
     where ${condition} order by d.name`)) as unknown as DialerRow[];
  return Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      name: row.name,
      channelId: row.channel_id,
      scheduleId: row.schedule_id,
      dialString: row.dial_string,
      timeBetweenMessagesMs: row.time_between_messages_ms,
      batchSize: row.batch_size,
      enabled: row.enabled,
      dncrCheck: row.dncr_check,
      quietHours: row.quiet_hours,
      template: row.template,
      securityGroupId: row.security_group_id,
      running: row.running,
      runningChangedAt: row.running_changed_at ? new Date(row.running_changed_at).toISOString() : null,
      channel: { id: row.channel_id, name: row.channel_name, type: row.channel_type },
      schedule: row.schedule_id === null ? null : { id: row.schedule_id, name: row.schedule_name! },
      onSchedule: await isScheduleOpen(db, row.schedule_id),
      warnings: dialerWarnings(row.channel_type),
    })),
  );
}

/** Spool rows as the monitor's table and the web service show them. */
export async function presentSpoolRows(db: Executor, condition: SQL, limit: number): Promise<SpoolRowView[]> {
  const rows = (await db.execute(sql`
    select sp.*, k.name as campaign_name from spool sp join campaigns k on k.id = sp.campaign_id
     where ${condition} order by sp.id desc limit ${limit}`)) as unknown as Record<string, unknown>[];
  const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
  return rows.map((row) => ({
    id: Number(row.id),
    campaign: { id: row.campaign_id as number, name: row.campaign_name as string },
    destination: row.destination as string,
    message: row.message as string,
    priority: row.priority as number,
    state: spoolStateName(row.state as number),
    attempts: row.attempts as number,
    providerMessageId: (row.provider_message_id as string | null) ?? null,
    deliveryStatus: (row.delivery_status as string | null) ?? null,
    error: (row.error as string | null) ?? null,
    device: (row.device as string | null) ?? null,
    idm: (row.idm as string | null) ?? null,
    data: (row.data as string | null) ?? null,
    createdAt: iso(row.created_at)!,
    processedAt: iso(row.processed_at),
  }));
}

export function dialerRoutes(services: AppServices): RouteSpec[] {
  const { db } = services;
  const presentOne = async (id: number, actor: Actor) => {
    const [view] = await presentDialers(db, sql`d.id = ${id} and ${visibleDialers(actor)}`);
    if (!view) throw httpErrors.notFound('Dialer');
    return view;
  };
  return [
    route({
      method: 'get',
      path: '/api/dialers',
      access: { roles: SUPERVISORS },
      async handler(_request, response, actor) {
        response.json({ dialers: await presentDialers(db, visibleDialers(actor)) });
      },
    }),
    route({
      method: 'get',
      path: '/api/dialers/:id',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        response.json(await presentOne(parseInput(idParams, request.params).id, actor));
      },
    }),
    route({
      method: 'post',
      path: '/api/dialers',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const input = parseInput(createDialerSchema, request.body);
        const id = await runCommand(services, actor, (ctx) => createDialer(ctx, input));
        response.status(201).json(await presentOne(id, actor));
      },
    }),
    route({
      method: 'patch',
      path: '/api/dialers/:id',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const input = parseInput(updateDialerSchema, request.body);
        await runCommand(services, actor, (ctx) => updateDialer(ctx, { id, changes: input }));
        response.json(await presentOne(id, actor));
      },
    }),
    route({
      method: 'delete',
      path: '/api/dialers/:id',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        try {
          await runCommand(services, actor, (ctx) => deleteDialer(ctx, { id }));
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause ?? (error as { code?: string });
          if (cause?.code === '23503') throw httpErrors.conflict('Spool rows or API keys still refer to this dialer; disable it instead of deleting it');
          throw error;
        }
        response.status(204).end();
      },
    }),
    ...(['start', 'stop'] as const).map((action) =>
      route({
        method: 'post',
        path: `/api/dialers/:id/${action}`,
        access: { roles: SUPERVISORS },
        async handler(request, response, actor) {
          const { id } = parseInput(idParams, request.params);
          await runCommand(services, actor, (ctx) => setRunning(ctx, { id, running: action === 'start' }));
          response.json(await presentOne(id, actor));
        },
      }),
    ),
    route({
      method: 'post',
      path: '/api/dialers/:id/cancel',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const { campaignId = null } = parseInput(cancelSchema, request.body ?? {});
        response.json({ cancelled: await runCommand(services, actor, (ctx) => cancelUnprocessed(ctx, { id, campaignId })) });
      },
    }),
    route({
      method: 'post',
      path: '/api/dialers/:id/messages',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const input = parseInput(singleSendSchema, request.body);
        const row = await runCommand(services, actor, (ctx) => sendSingleMessage(ctx, { dialerId: id, ...input }));
        const [view] = await presentSpoolRows(db, sql`sp.id = ${row.id}`, 1);
        response.status(201).json(view);
      },
    }),
    route({
      method: 'get',
      path: '/api/dialers/:id/spool',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const query = parseInput(spoolQuerySchema, request.query);
        await presentOne(id, actor);
        await assertReferences(db, actor, { campaignIds: single('campaignId', query.campaignId) });
        // A shared dialer carries other groups' campaigns too: their rows stay out of sight.
        const conditions = [sql`sp.dialer_id = ${id}`, visibleCampaigns(actor)];
        if (query.state) conditions.push(sql`sp.state = ${spoolStateOf(query.state)}`);
        if (query.campaignId) conditions.push(sql`sp.campaign_id = ${query.campaignId}`);
        if (query.destination) conditions.push(sql`sp.destination = ${query.destination}`);
        if (query.beforeId) conditions.push(sql`sp.id < ${query.beforeId}`);
        response.json({ rows: await presentSpoolRows(db, sql.join(conditions, sql` and `), query.limit) });
      },
    }),
    route({
      method: 'get',
      path: '/api/dialer-monitor',
      access: { roles: SUPERVISORS },
      async handler(_request, response, actor) {
        response.json({ dialers: (await dialerMonitors(db, visibleDialers(actor))).map(presentMonitor) });
      },
    }),
  ];
}
