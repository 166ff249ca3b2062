import { setTimeout } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { channelLeases, channels, messages } from '../../db/schema/index.ts';
import {
  createChannel,
  createChannelSchema,
  deleteChannel,
  queueTestSend,
  testSendSchema,
  updateChannel,
  updateChannelSchema,
} from '../../gateway/channel-commands.ts';
import { runCommand } from '../../kernel/command.ts';
import { idParams } from '../../kernel/ids.ts';
import type { AppServices } from '../app-services.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import { route, type RouteSpec } from '../route-table.ts';
import { presentChannel } from './channel-presenter.ts';

const ADMINS = ['admin'] as const;
/** How long a test send waits for the provider's answer before answering 202 (still queued). */
const TEST_SEND_WAIT_MS = 20_000;

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
        const input = parseInput(createChannelSchema, request.body);
        const row = await runCommand(services, actor, (ctx) => createChannel(ctx, input));
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
        const input = parseInput(updateChannelSchema, request.body);
        const updated = await runCommand(services, actor, (ctx) => updateChannel(ctx, { id, changes: input }));
        void services.sessions.refresh(); // restart (or stop) its session with the new settings
        response.json(await presentChannel(updated, services));
      },
    }),
    route({
      method: 'delete',
      path: '/api/channels/:id',
      access: { roles: ADMINS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        await runCommand(services, actor, (ctx) => deleteChannel(ctx, { id }));
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
        const queued = { id: await runCommand(services, actor, (ctx) => queueTestSend(ctx, { id, ...input })) };
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
