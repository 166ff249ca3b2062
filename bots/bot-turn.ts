import { and, eq, gt, gte, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { campaigns, channels, contactAddresses, contacts, conversations, messages, schedules, type ChannelType } from '../db/schema/index.ts';
import { closeConversation } from '../routing/close-conversation.ts';
import type { ConversationChanges } from '../routing/change-status.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import { queueOutboundMessage } from '../conversations/queue-outbound-message.ts';
import { queueConversation } from '../routing/queue-conversation.ts';
import type { Logger } from '../kernel/logger.ts';
import { inTransaction, type Services, type UnitOfWork } from '../kernel/unit-of-work.ts';
import { isScheduleOpen } from './campaign-schedule.ts';
import type { TurnContext } from './flow-conditions.ts';
import { newSession, runTurn, type BotSession, type TurnInput, type TurnResult } from './flow-engine.ts';
import type { Flow } from './flow-schema.ts';
import { flowFor } from './flow-store.ts';
import { fetchJson, type HttpCall } from './http-node.ts';

type Campaign = typeof campaigns.$inferSelect;

/** What the bot needs besides the database: where this platform answers (`{{platform.url}}`) and how to call out. */
export type BotServices = Services & { logger: Logger; selfUrl(): string; botHttp?: HttpCall };

/**
 * The bot session as `conversations.bot_state` keeps it: the engine's session, plus `turn` (bumped by
 * every applied turn, so a turn computed on a stale state is never applied) and `handled` (the last
 * inbound message the bot answered, so a retried job answers a message once).
 */
export type StoredBotState = BotSession & { turn: number; handled: number };

export function readBotState(raw: Record<string, unknown>): StoredBotState | null {
  if (typeof raw.turn !== 'number' || !raw.vars) return null;
  return raw as unknown as StoredBotState;
}

/** The facts a turn reads: who the customer is, which channel, whether the campaign is open now. */
export async function turnContext(
  db: Executor,
  conversation: ConversationRow,
  campaign: Campaign,
  platformUrl: string,
  now = new Date(),
): Promise<TurnContext> {
  return (await readTurnFacts(db, conversation, campaign, platformUrl, now)).context;
}

/** The turn's context, and where its replies go (the customer's address and the channel's type, read with it). */
async function readTurnFacts(
  db: Executor,
  conversation: ConversationRow,
  campaign: Campaign,
  platformUrl: string,
  now = new Date(),
): Promise<{ context: TurnContext; route: { address: string; channelType: ChannelType } | undefined }> {
  const [[person], [channel], schedule, open] = await Promise.all([
    db
      .select({ name: contacts.name, attributes: contacts.attributes, address: contactAddresses.address })
      .from(contactAddresses)
      .innerJoin(contacts, eq(contacts.id, contactAddresses.contactId))
      .where(eq(contactAddresses.id, conversation.contactAddressId)),
    db.select({ type: channels.type, name: channels.name }).from(channels).where(eq(channels.id, conversation.channelId)),
    campaign.scheduleId === null ? undefined : db.query.schedules.findFirst({ where: eq(schedules.id, campaign.scheduleId), columns: { timeZone: true } }),
    isScheduleOpen(db, campaign.scheduleId, now),
  ]);
  return {
    context: {
      now,
      conversationId: conversation.id,
      contact: { name: person?.name ?? null, address: person?.address ?? '', attributes: person?.attributes ?? {} },
      channel: { type: channel?.type ?? '', name: channel?.name ?? '' },
      campaign: { name: campaign.name, timeZone: schedule?.timeZone ?? 'UTC', open, outOfTimeMessage: campaign.outOfTimeMessage },
      platformUrl,
    },
    route: person && channel ? { address: person.address, channelType: channel.type } : undefined,
  };
}

/** Everything a turn needs before it runs: the stored state, the flow, the session it continues, and its facts. */
async function prepareTurn(db: Executor, conversation: ConversationRow, campaign: Campaign, platformUrl: string) {
  const stored = readBotState(conversation.botState);
  const { flowId, flow } = await flowFor(db, campaign, stored?.flowId ?? null);
  // A conversation moving to another flow (handed back to the bot, a campaign's new flow) keeps its variables.
  const session: BotSession =
    stored && stored.flowId === flowId ? structuredClone(stored) : { ...newSession(flowId), vars: structuredClone(stored?.vars ?? {}) };
  const facts = await readTurnFacts(db, conversation, campaign, platformUrl);
  return { stored, flow, session, ...facts };
}

/**
 * Plays the bot's turn inside the caller's transaction, which holds the conversation's row (it has
 * just attached the customer's message to it), so the message and the answer commit together. A
 * flow that reaches an HTTP node on the way is not played here (no outside call is made while rows
 * are locked): answers false, nothing written, and the caller plays it with `playBotTurn` after
 * commit. True when the turn is done (or there was none to play).
 */
export async function playBotTurnHere(
  uow: UnitOfWork,
  services: BotServices,
  conversation: ConversationRow,
  campaign: Campaign,
  input: TurnInput & { messageId?: number },
): Promise<boolean> {
  if (conversation.status !== 'bot' || !campaign.enabled) return true;
  const prepared = await prepareTurn(uow.tx, conversation, campaign, services.selfUrl());
  if (input.messageId !== undefined && prepared.stored && prepared.stored.handled >= input.messageId) return true;
  let outsideCall = false;
  const result = await runTurn(prepared.flow, prepared.session, input, prepared.context, {
    http: async () => {
      outsideCall = true;
      throw new Error('HTTP nodes are called outside the transaction');
    },
    outOfHoursNotified: conversation.outOfHoursNotifiedAt !== null,
  });
  if (outsideCall) return false;
  const stored = prepared.stored;
  const state: StoredBotState = { ...result.session, turn: (stored?.turn ?? 0) + 1, handled: input.messageId ?? stored?.handled ?? 0 };
  await applyTurn(uow, conversation, campaign, prepared.flow, result, state, prepared.route);
  return true;
}

/**
 * Plays one bot turn for a conversation: reads its state, runs the flow outside any transaction (an
 * HTTP node may take seconds, and no row stays locked meanwhile), then applies the result in one
 * transaction only if the conversation is still the bot's and its state did not move on. An agent
 * who takes the conversation meanwhile wins: the turn's replies are dropped, never sent after them.
 */
export async function playBotTurn(services: BotServices, conversationId: number, input: TurnInput & { messageId?: number }): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const conversation = await services.db.query.conversations.findFirst({ where: eq(conversations.id, conversationId) });
    if (!conversation || conversation.status !== 'bot' || conversation.campaignId === null) return;
    const stored = readBotState(conversation.botState);
    if (input.messageId !== undefined && stored && stored.handled >= input.messageId) return; // answered already
    const campaign = await services.db.query.campaigns.findFirst({ where: eq(campaigns.id, conversation.campaignId) });
    if (!campaign?.enabled) return;
    const { flow, session, context, route } = await prepareTurn(services.db, conversation, campaign, services.selfUrl());
    const result = await runTurn(flow, session, input, context, {
      http: services.botHttp ?? fetchJson,
      outOfHoursNotified: conversation.outOfHoursNotifiedAt !== null,
    });
    const applied = await inTransaction(services, async (uow) => {
      // The row lock orders this against an agent taking the conversation and against the timeout sweep.
      const [current] = await uow.tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
      if (!current || current.status !== 'bot') return 'dropped';
      if ((readBotState(current.botState)?.turn ?? 0) !== (stored?.turn ?? 0)) return 'stale';
      const state: StoredBotState = { ...result.session, turn: (stored?.turn ?? 0) + 1, handled: input.messageId ?? stored?.handled ?? 0 };
      await applyTurn(uow, current, campaign, flow, result, state, route);
      return 'applied';
    });
    if (applied !== 'stale') return;
  }
  services.logger.warn({ conversationId }, 'bot turn kept finding a newer state; left for the next message');
}

/** Writes a turn: its replies in order, the new state, and the handoff or close it decided. */
async function applyTurn(
  uow: UnitOfWork,
  conversation: ConversationRow,
  campaign: Campaign,
  flow: Flow,
  result: TurnResult,
  state: StoredBotState,
  route: { address: string; channelType: ChannelType } | undefined,
) {
  const now = new Date();
  for (const reply of result.replies) {
    await queueOutboundMessage(uow, {
      conversation,
      authorType: 'bot',
      botNode: reply.outOfHours ? 'out_of_hours' : reply.node,
      body: reply.body,
      content: reply.content,
      typingDelayMs: flow.settings.typingDelayMs,
      route,
      touchConversation: false,
    });
  }
  // Everything the turn changes on the conversation, in one update (with the status change, if any).
  const minutes = flow.settings.inactivityMinutes;
  const changes: ConversationChanges = {
    botState: state,
    botExpiresAt: minutes > 0 ? new Date(now.getTime() + minutes * 60_000) : null,
    ...(result.replies.length ? { lastMessageAt: now } : {}),
    ...(result.replies.length && !conversation.greetedAt ? { greetedAt: now } : {}),
    ...(result.notifiedOutOfHours ? { outOfHoursNotifiedAt: now } : {}),
  };
  const { outcome } = result;
  if (outcome.type === 'handoff') {
    const target = outcome.campaign ? await campaignNamed(uow, outcome.campaign) : null;
    await queueConversation(uow, conversation, target ?? campaign, { ...changes, handoffNote: outcome.note, priority: outcome.priority, botExpiresAt: null });
  } else if (outcome.type === 'close') {
    await closeConversation(uow, conversation, { reason: 'bot_resolved', changes });
  } else {
    await uow.tx.update(conversations).set(changes).where(eq(conversations.id, conversation.id));
  }
  emitConversations(uow, [conversation.id]);
}

/** A handoff node's campaign, by name, when enabled; otherwise the conversation stays in its own. */
async function campaignNamed(uow: UnitOfWork, name: string): Promise<Campaign | null> {
  return (await uow.tx.query.campaigns.findFirst({ where: and(eq(campaigns.name, name), eq(campaigns.enabled, true)) })) ?? null;
}

/** Records that the bot must not answer an inbound message (a keyword handled it), so a retried job does not. */
export async function markHandled(uow: UnitOfWork, conversation: ConversationRow, messageId: number): Promise<void> {
  const state: StoredBotState = { ...(readBotState(conversation.botState) ?? { ...newSession(null), turn: 0 }), handled: messageId };
  await uow.tx.update(conversations).set({ botState: state }).where(eq(conversations.id, conversation.id));
}

/**
 * Inbound messages of a bot conversation, from `fromId` on, that the bot still owes a turn: attached
 * to it (a first transaction) but past its `handled` mark, because the turn (a second one) never
 * applied: the database or the process went away between the two. Only while the conversation is the
 * bot's and its campaign enabled, the conditions under which a turn would answer them.
 */
export async function unansweredMessages(db: Executor, conversationId: number, fromId: number): Promise<number[]> {
  const rows = await db
    .select({ id: messages.id })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(campaigns, eq(campaigns.id, conversations.campaignId))
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.direction, 'inbound'),
        gte(messages.id, fromId),
        gt(messages.id, sql`coalesce((${conversations.botState}->>'handled')::bigint, 0)`),
        eq(conversations.status, 'bot'),
        eq(campaigns.enabled, true),
      ),
    );
  return rows.map((row) => row.id);
}
