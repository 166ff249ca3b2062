import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { closeConversationAs } from '../../routing/close-conversation.ts';
import { replyToConversation } from '../../conversations/reply-to-conversation.ts';
import { runCommand } from '../../kernel/command.ts';
import type { AppServices } from '../app-services.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import { presentConversations, presentDetail, presentSummary } from '../../conversations/presenters.ts';
import { presentMessages } from '../../messages/message-events.ts';
import { ALL_ROLES, route, type RouteSpec } from '../route-table.ts';
import { outboundContentSchema } from '../../messages/outbound-content.ts';
import { visibleConversations } from '../../kernel/visibility.ts';
import { assertVisible } from '../../kernel/assert-visible.ts';
import { returnToBot } from '../../bots/return-to-bot.ts';
import { takeConversation } from '../../routing/take-conversation.ts';
import { bigIdParams } from '../../kernel/ids.ts';

const listSchema = z.object({
  scope: z.enum(['mine', 'all']).default('mine'),
  status: z.enum(['open', 'closed']).default('open'),
  q: z.string().trim().max(100).optional(),
});
const returnSchema = z.object({ node: z.string().trim().min(1).max(64).optional() });
/** A reply: text, optionally with reply buttons or a list, or an approved template (body = its preview). */
const replySchema = z
  .object({ body: z.string().trim().min(1, 'Write a message first').max(4096), content: outboundContentSchema.optional() })
  .refine((reply) => !reply.content || reply.content.type === 'template' || reply.body.length <= 1024, {
    message: 'WhatsApp limits the text of a message with buttons or a list to 1024 characters',
    path: ['body'],
  });

export function conversationRoutes(services: AppServices): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/conversations',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const input = parseInput(listSchema, request.query);
        if (input.scope === 'all' && actor.role === 'agent') throw httpErrors.forbidden('Agents see their own conversations');
        const conditions = [
          input.scope === 'mine' ? sql`c.assigned_user_id = ${actor.userId}` : visibleConversations(actor),
          input.status === 'open' ? sql`c.status <> 'closed'` : sql`c.status = 'closed'`,
        ];
        if (input.q) {
          const like = `%${input.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
          conditions.push(sql`(k.name ilike ${like} or a.address ilike ${like})`);
        }
        const presented = await presentConversations(services.db, sql.join(conditions, sql` and `));
        response.json({ conversations: presented.map((item) => item.summary) });
      },
    }),
    route({
      method: 'get',
      path: '/api/conversations/:id',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { id } = parseInput(bigIdParams, request.params);
        const detail = await presentDetail(services.db, id, visibleConversations(actor));
        if (!detail) throw httpErrors.notFound('Conversation');
        response.json(detail);
      },
    }),
    route({
      method: 'post',
      path: '/api/conversations/:id/messages',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { id } = parseInput(bigIdParams, request.params);
        const { body, content } = parseInput(replySchema, request.body);
        const message = await runCommand(services, actor, (ctx) => replyToConversation(ctx, { conversationId: id, body, content }));
        const [presented] = await presentMessages(services.db, sql`m.id = ${message.id}`);
        response.status(201).json(presented!.view);
      },
    }),
    route({
      method: 'post',
      path: '/api/conversations/:id/take',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { id } = parseInput(bigIdParams, request.params);
        // Agents see only their own conversations, so for them membership of the campaign is the check (in the command).
        if (actor.role !== 'agent') await assertVisible(services.db, actor, { conversationIds: [id] });
        await runCommand(services, actor, (ctx) => takeConversation(ctx, { conversationId: id }));
        response.json(await presentSummary(services.db, id));
      },
    }),
    route({
      method: 'post',
      path: '/api/conversations/:id/return-to-bot',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { id } = parseInput(bigIdParams, request.params);
        const { node } = parseInput(returnSchema, request.body ?? {});
        await assertVisible(services.db, actor, { conversationIds: [id] });
        await returnToBot(services, id, actor, node);
        response.json(await presentSummary(services.db, id));
      },
    }),
    route({
      method: 'post',
      path: '/api/conversations/:id/close',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { id } = parseInput(bigIdParams, request.params);
        await runCommand(services, actor, (ctx) => closeConversationAs(ctx, { conversationId: id }));
        response.json(await presentSummary(services.db, id));
      },
    }),
  ];
}
