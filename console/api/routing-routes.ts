import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { breaks, users } from '../../db/schema/index.ts';
import { agentMonitors, campaignMonitors } from '../../routing/campaign-metrics.ts';
import { agentChatThread, agentChatThreads, sendAgentChat } from '../../routing/agent-chat.ts';
import { acceptOffer, offersFor } from '../../routing/offers.ts';
import { logOutAgent, recordSpy, setAgentPresence } from '../../routing/supervisor-actions.ts';
import { transferConversation } from '../../routing/transfer-conversation.ts';
import type { AppServices } from '../../server/app-services.ts';
import { httpErrors, parseInput } from '../../server/http-errors.ts';
import { rooms } from '../../server/realtime.ts';
import { inTransaction } from '../../server/unit-of-work.ts';
import type { MonitorSnapshot } from '../wire.ts';
import { presentDetail, presentSummary } from './presenters.ts';
import { ALL_ROLES, SUPERVISORS, type RouteSpec } from './route-table.ts';
import type { Actor } from './sessions.ts';
import { assertVisibleConversation, visibleCampaignIds, visibleConversations, visibleUsers } from './visibility.ts';

const idSchema = z.object({ id: z.coerce.number().int().positive() });
const offerSchema = z.object({ conversationId: z.coerce.number().int().positive() });
const userParamSchema = z.object({ userId: z.coerce.number().int().positive() });
const note = z.string().trim().min(1).max(1000).optional();
const transferSchema = z.union([
  z.object({ toUserId: z.number().int().positive(), note }).strict(),
  z.object({ toCampaignId: z.number().int().positive(), note }).strict(),
], { error: 'Give either toUserId or toCampaignId' });
const agentPresenceSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('available') }),
  z.object({ state: z.literal('break'), breakName: z.string().trim().min(1).max(60) }),
]);
const chatSchema = z.object({ body: z.string().trim().min(1, 'Write a message first').max(2000), conversationId: z.number().int().positive().optional() });

async function managedAgent(services: AppServices, actor: Actor, userId: number) {
  const [user] = (await services.db.execute(sql`select u.id, u.role from users u where u.id = ${userId} and ${visibleUsers(actor)}`)) as unknown as {
    id: number;
    role: string;
  }[];
  if (!user) throw httpErrors.notFound('Agent');
  return user;
}

/** Live monitor, offers, transfers, spying and the supervisor's actions on agents. */
export function routingRoutes(services: AppServices): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/monitor',
      access: { roles: SUPERVISORS },
      async handler(_request, response, actor) {
        const ids = await visibleCampaignIds(services.db, actor!);
        const options = { defaultTimeZone: services.config.timeZone, timeZone: services.config.timeZone };
        const [campaigns, agents] = await Promise.all([campaignMonitors(services.db, ids, options), agentMonitors(services.db, ids, options)]);
        response.json({ campaigns, agents } satisfies MonitorSnapshot);
      },
    },
    {
      method: 'get',
      path: '/api/offers',
      access: { roles: ALL_ROLES },
      async handler(_request, response, actor) {
        response.json({ offers: await offersFor(services.db, actor!.userId) });
      },
    },
    {
      method: 'post',
      path: '/api/offers/:conversationId/accept',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { conversationId } = parseInput(offerSchema, request.params);
        await inTransaction(services, (uow) => acceptOffer(uow, conversationId, actor!.userId));
        response.json(await presentSummary(services.db, conversationId));
      },
    },
    {
      method: 'post',
      path: '/api/conversations/:id/transfer',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { id } = parseInput(idSchema, request.params);
        const target = parseInput(transferSchema, request.body);
        await assertVisibleConversation(services.db, actor!, id);
        // Agents may send a customer to any campaign; supervisors only to campaigns of their groups.
        if ('toCampaignId' in target && actor!.role === 'supervisor' && !(await visibleCampaignIds(services.db, actor!)).includes(target.toCampaignId)) {
          throw httpErrors.notFound('Campaign');
        }
        await inTransaction(services, (uow) => transferConversation(uow, id, actor!, target));
        response.json(await presentSummary(services.db, id));
      },
    },
    {
      method: 'post',
      path: '/api/conversations/:id/spy',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idSchema, request.params);
        const detail = await presentDetail(services.db, id, visibleConversations(actor!));
        if (!detail) throw httpErrors.notFound('Conversation');
        await recordSpy(services.db, actor!, id);
        response.json(detail);
      },
    },
    {
      method: 'put',
      path: '/api/agents/:userId/presence',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { userId } = parseInput(userParamSchema, request.params);
        const change = parseInput(agentPresenceSchema, request.body);
        await managedAgent(services, actor!, userId);
        if (change.state === 'break' && !(await services.db.query.breaks.findFirst({ where: eq(breaks.name, change.breakName) }))) {
          throw httpErrors.validation([{ path: 'breakName', message: `"${change.breakName}" is not one of the configured breaks` }]);
        }
        response.json(await inTransaction(services, (uow) => setAgentPresence(uow, actor!, userId, change)));
      },
    },
    {
      method: 'post',
      path: '/api/agents/:userId/logout',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { userId } = parseInput(userParamSchema, request.params);
        if (userId === actor!.userId) throw httpErrors.badRequest('Use the logout button to log yourself out');
        await managedAgent(services, actor!, userId);
        await inTransaction(services, (uow) => logOutAgent(uow, actor!, userId));
        services.realtime.disconnect(rooms.user(userId));
        response.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/api/agent-chat',
      access: { roles: ALL_ROLES },
      async handler(_request, response, actor) {
        response.json({ threads: await agentChatThreads(services.db, actor!.userId) });
      },
    },
    {
      method: 'get',
      path: '/api/agent-chat/:userId',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { userId } = parseInput(userParamSchema, request.params);
        response.json({ messages: await agentChatThread(services.db, actor!.userId, userId) });
      },
    },
    {
      method: 'post',
      path: '/api/agent-chat/:userId',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { userId } = parseInput(userParamSchema, request.params);
        const input = parseInput(chatSchema, request.body);
        // Agents write to supervisors and admins (answering them); supervisors to the users they manage.
        const other = actor!.role === 'agent' ? await services.db.query.users.findFirst({ where: eq(users.id, userId) }) : await managedAgent(services, actor!, userId).catch(() => null);
        if (!other || userId === actor!.userId || (actor!.role === 'agent' && other.role === 'agent')) throw httpErrors.notFound('User');
        const message = await inTransaction(services, (uow) => sendAgentChat(uow, { fromUserId: actor!.userId, toUserId: userId, ...input }));
        response.status(201).json(message);
      },
    },
  ];
}
