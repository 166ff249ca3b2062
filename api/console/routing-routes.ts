import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { breaks } from '../../db/schema/index.ts';
import { agentMonitors, campaignMonitors } from '../../routing/campaign-metrics.ts';
import { agentChatThread, agentChatThreads, sendAgentChat } from '../../routing/agent-chat.ts';
import { acceptOffer, offersFor } from '../../routing/offers.ts';
import { logOutAgent, recordSpy, setAgentPresence } from '../../routing/supervisor-actions.ts';
import { transferConversation } from '../../routing/transfer-conversation.ts';
import type { AppServices } from '../app-services.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import { rooms } from '../../kernel/realtime.ts';
import type { MonitorSnapshot } from '../../contract/routing.ts';
import { presentDetail, presentSummary } from '../../conversations/presenters.ts';
import { ALL_ROLES, route, type RouteSpec, SUPERVISORS } from '../route-table.ts';
import { visibleCampaignIds, visibleConversations } from '../../kernel/visibility.ts';
import { assertReferences, assertVisible, single } from '../../kernel/assert-visible.ts';
import { bigId, bigIdParams, id } from '../../kernel/ids.ts';
import { runCommand } from '../../kernel/command.ts';

const offerSchema = z.object({ conversationId: bigId });
const userParamSchema = z.object({ userId: id });
const note = z.string().trim().min(1).max(1000).optional();
const transferSchema = z.union([z.object({ toUserId: id, note }).strict(), z.object({ toCampaignId: id, note }).strict()], {
  error: 'Give either toUserId or toCampaignId',
});
const agentPresenceSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('available') }),
  z.object({ state: z.literal('break'), breakName: z.string().trim().min(1).max(60) }),
]);
const chatSchema = z.object({ body: z.string().trim().min(1, 'Write a message first').max(2000), conversationId: bigId.optional() });

/** Live monitor, offers, transfers, spying and the supervisor's actions on agents. */
export function routingRoutes(services: AppServices): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/monitor',
      access: { roles: SUPERVISORS },
      async handler(_request, response, actor) {
        const ids = await visibleCampaignIds(services.db, actor);
        const options = { defaultTimeZone: services.config.timeZone, timeZone: services.config.timeZone };
        const [campaigns, agents] = await Promise.all([campaignMonitors(services.db, ids, options), agentMonitors(services.db, ids, options)]);
        response.json({ campaigns, agents } satisfies MonitorSnapshot);
      },
    }),
    route({
      method: 'get',
      path: '/api/offers',
      access: { roles: ALL_ROLES },
      async handler(_request, response, actor) {
        response.json({ offers: await offersFor(services.db, actor.userId) });
      },
    }),
    route({
      method: 'post',
      path: '/api/offers/:conversationId/accept',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { conversationId } = parseInput(offerSchema, request.params);
        await runCommand(services, actor, (ctx) => acceptOffer(ctx, { conversationId }));
        response.json(await presentSummary(services.db, conversationId));
      },
    }),
    route({
      method: 'post',
      path: '/api/conversations/:id/transfer',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { id } = parseInput(bigIdParams, request.params);
        const target = parseInput(transferSchema, request.body);
        await assertVisible(services.db, actor, { conversationIds: [id] });
        // A campaign the actor may hand customers to (an agent: any of their groups'); for supervisors an agent
        // they see. The agent an agent names must be a member of the conversation's campaign (the command checks).
        await assertReferences(services.db, actor, {
          transferCampaignIds: 'toCampaignId' in target ? single('toCampaignId', target.toCampaignId) : [],
          userIds: 'toUserId' in target && actor.role !== 'agent' ? single('toUserId', target.toUserId) : [],
        });
        await runCommand(services, actor, (ctx) => transferConversation(ctx, { conversationId: id, ...target }));
        response.json(await presentSummary(services.db, id));
      },
    }),
    route({
      method: 'post',
      path: '/api/conversations/:id/spy',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(bigIdParams, request.params);
        const detail = await presentDetail(services.db, id, visibleConversations(actor));
        if (!detail) throw httpErrors.notFound('Conversation');
        await recordSpy(services.db, actor, id);
        response.json(detail);
      },
    }),
    route({
      method: 'put',
      path: '/api/agents/:userId/presence',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { userId } = parseInput(userParamSchema, request.params);
        const change = parseInput(agentPresenceSchema, request.body);
        await assertVisible(services.db, actor, { userIds: [userId] });
        if (change.state === 'break' && !(await services.db.query.breaks.findFirst({ where: eq(breaks.name, change.breakName) }))) {
          throw httpErrors.validation([{ path: 'breakName', message: `"${change.breakName}" is not one of the configured breaks` }]);
        }
        response.json(await runCommand(services, actor, (ctx) => setAgentPresence(ctx, { userId, change })));
      },
    }),
    route({
      method: 'post',
      path: '/api/agents/:userId/logout',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { userId } = parseInput(userParamSchema, request.params);
        if (userId === actor.userId) throw httpErrors.badRequest('Use the logout button to log yourself out');
        await assertVisible(services.db, actor, { userIds: [userId] });
        await runCommand(services, actor, (ctx) => logOutAgent(ctx, { userId }));
        services.realtime.disconnect(rooms.user(userId));
        response.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/api/agent-chat',
      access: { roles: ALL_ROLES },
      async handler(_request, response, actor) {
        response.json({ threads: await agentChatThreads(services.db, actor.userId) });
      },
    }),
    route({
      method: 'get',
      path: '/api/agent-chat/:userId',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { userId } = parseInput(userParamSchema, request.params);
        await assertVisible(services.db, actor, { userIds: [userId] });
        response.json({ messages: await agentChatThread(services.db, actor.userId, userId) });
      },
    }),
    route({
      method: 'post',
      path: '/api/agent-chat/:userId',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { userId } = parseInput(userParamSchema, request.params);
        const input = parseInput(chatSchema, request.body);
        // Supervisors write to the users they manage; agents to admins and the supervisors who manage them
        // (visibleUsers); a conversation the message points at must be one the writer sees.
        if (userId === actor.userId) throw httpErrors.notFound('User');
        await assertVisible(services.db, actor, { userIds: [userId] });
        await assertReferences(services.db, actor, { conversationIds: single('conversationId', input.conversationId) });
        const message = await runCommand(services, actor, (ctx) => sendAgentChat(ctx, { toUserId: userId, ...input }));
        response.status(201).json(message);
      },
    }),
  ];
}
