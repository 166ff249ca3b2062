import type { OutboundContent } from '../db/schema/index.ts';
import type { DryRunOutcome, DryRunReply } from '../contract/bot-flows.ts';
import { evaluate, INVALID_ANSWER, validateAnswer, type BotVariables, type TurnContext } from './flow-conditions.ts';
import type { Flow, FlowNode, NodeOf } from './flow-schema.ts';
import { renderFlowTemplate, type TemplateScope } from './flow-template.ts';
import { callHttpNode, type HttpCall } from './http-node.ts';
import { bestMatch, normalizeText, optionNumber } from './understand.ts';

/**
 * The bot engine: one customer message (or an entry at a node) in, the bot's replies and what happens
 * to the conversation out. It reads no database and sends nothing, so the same code answers
 * customers, plays a dry run for the flow editor and is tested on its own; the caller applies the
 * result. The state it returns is what `conversations.bot_state` keeps between messages.
 */

export type BotSession = {
  /** The flow version this conversation runs (a newer version applies to new conversations); null: the campaign's greeting flow. */
  flowId: number | null;
  /** The menu or question waiting for the customer's reply; null when none is. */
  at: string | null;
  tries: number;
  vars: BotVariables;
};

export type TurnInput = { type: 'message'; text: string /** The id of a tapped button or list row. */; replyId?: string } | { type: 'enter'; node?: string };

export type Reply = DryRunReply;

export type Outcome = DryRunOutcome;

export type TurnResult = {
  replies: Reply[];
  session: BotSession;
  outcome: Outcome;
  /** The nodes the turn went through, in order (the dry run shows them). */
  path: string[];
  /** True when this turn sent the campaign's out-of-time message. */
  notifiedOutOfHours: boolean;
};

export type TurnEffects = { http: HttpCall; outOfHoursNotified: boolean };

/** Steps one turn may take; the schema refuses loops without a question, this is the belt to its braces. */
const MAX_STEPS = 200;
const DEFAULT_INVALID_CHOICE = 'Sorry, I did not understand. Please answer with the number of an option.';
const GIVE_UP_NOTE = "The bot could not understand the customer's answers and handed the conversation over.";

export const newSession = (flowId: number | null): BotSession => ({ flowId, at: null, tries: 0, vars: {} });

export async function runTurn(flow: Flow, previous: BotSession, input: TurnInput, context: TurnContext, effects: TurnEffects): Promise<TurnResult> {
  const session: BotSession = { ...previous, vars: { ...previous.vars } };
  const replies: Reply[] = [];
  const path: string[] = [];
  let notifiedOutOfHours = false;
  const scope = (): TemplateScope => ({
    ...session.vars,
    contact: { ...context.contact.attributes, name: context.contact.name ?? '', address: context.contact.address },
    channel: context.channel,
    campaign: { name: context.campaign.name ?? '' },
    conversation: { id: context.conversationId },
    platform: { url: context.platformUrl },
  });
  const say = (node: string, template: string, content?: OutboundContent) =>
    replies.push({ node, body: renderFlowTemplate(template, scope()), ...(content ? { content } : {}) });
  const handoff = (node: string, campaign: string | null, priority: number, note: string | null): Outcome => ({
    type: 'handoff',
    node,
    campaign,
    priority,
    note,
  });

  /** Runs nodes from `id` until one waits for the customer or the flow ends. */
  const run = async (start: string): Promise<Outcome> => {
    let id: string | undefined = start;
    for (let step = 0; id !== undefined && step < MAX_STEPS; step++) {
      const node: FlowNode = flow.nodes[id]!;
      path.push(id);
      session.at = null;
      session.tries = 0;
      switch (node.type) {
        case 'message':
          say(id, node.text);
          id = node.next;
          break;
        case 'menu':
          say(id, node.text, menuContent(node));
          session.at = id;
          return { type: 'wait' };
        case 'ask':
          say(id, node.text);
          session.at = id;
          return { type: 'wait' };
        case 'condition':
          id = node.branches.find((branch) => evaluate(branch.when, session.vars, context))?.next ?? node.else;
          break;
        case 'http': {
          const result = await callHttpNode(id, node, scope, effects.http);
          Object.assign(session.vars, result.vars);
          id = result.ok ? node.next : node.onError;
          break;
        }
        case 'handoff':
          if (!context.campaign.open) {
            if (!effects.outOfHoursNotified && !notifiedOutOfHours && context.campaign.outOfTimeMessage) {
              replies.push({ node: id, body: context.campaign.outOfTimeMessage, outOfHours: true });
              notifiedOutOfHours = true;
            }
            id = node.outOfHours;
            break;
          }
          if (node.text) say(id, node.text);
          return handoff(id, node.campaign ?? null, node.priority, node.note ? renderFlowTemplate(node.note, scope()) : null);
        case 'close':
          if (node.text) say(id, node.text);
          return { type: 'close', node: id };
        case 'jump':
          id = node.to;
          break;
      }
    }
    return { type: 'ended' };
  };

  /** After too many invalid answers: the node's way out, else a person. */
  const giveUp = (node: NodeOf<'menu'> | NodeOf<'ask'>, id: string): Promise<Outcome> | Outcome =>
    node.onGiveUp ? run(node.onGiveUp) : handoff(id, null, 0, GIVE_UP_NOTE);

  const answer = async (): Promise<Outcome> => {
    if (input.type === 'enter') return run(input.node && Object.hasOwn(flow.nodes, input.node) ? input.node : flow.start);
    const reply = normalizeText(input.text);
    const waiting = session.at ? flow.nodes[session.at] : undefined;
    const intent = (whole: boolean) =>
      bestMatch(
        reply,
        flow.intents.map((item) => ({ value: item.to, keywords: item.keywords, patterns: item.patterns })),
        whole,
      );
    if (waiting?.type === 'menu') {
      const id = session.at!;
      const chosen = chooseOption(waiting, reply, input.replyId);
      if (chosen !== null) return run(waiting.options[chosen]!.next);
      const global = intent(false);
      if (global) return run(global);
      const near = bestMatch(
        reply,
        waiting.options.map((option, index) => ({ value: index, keywords: [option.label, ...(option.keywords ?? [])] })),
      );
      if (near !== null) return run(waiting.options[near]!.next);
      if (++session.tries >= waiting.maxTries) return giveUp(waiting, id);
      say(id, waiting.invalidText ?? DEFAULT_INVALID_CHOICE, menuContent(waiting));
      return { type: 'wait' };
    }
    if (waiting?.type === 'ask') {
      const id = session.at!;
      // Only a reply that is nothing but an intent leaves a question ("agent"), not one that mentions it.
      const global = intent(true);
      if (global) return run(global);
      const value = validateAnswer(input.text, waiting.validate);
      if (value !== undefined) {
        session.vars[waiting.variable] = value;
        return run(waiting.next);
      }
      if (++session.tries >= waiting.maxTries) return giveUp(waiting, id);
      say(id, waiting.invalidText ?? INVALID_ANSWER[waiting.validate.type]);
      return { type: 'wait' };
    }
    return run(intent(false) ?? flow.start);
  };

  const outcome = await answer();
  return { replies, session, outcome, path, notifiedOutOfHours };
}

/** The option a reply picks for sure: a tapped row, its number, or exactly its label or a keyword. */
function chooseOption(menu: NodeOf<'menu'>, reply: string, replyId?: string): number | null {
  const tapped = replyId?.match(/^option-(\d+)$/);
  const number = tapped ? Number(tapped[1]) : optionNumber(reply);
  if (number !== null) return number >= 1 && number <= menu.options.length ? number - 1 : null;
  return bestMatch(
    reply,
    menu.options.map((option, index) => ({ value: index, keywords: [option.label, ...(option.keywords ?? [])] })),
    true,
  );
}

/**
 * A menu's options as WhatsApp reply buttons (up to 3 labels of 20 characters) or a list (up to 10
 * rows of 24, which the schema holds labels to); channels without them get the options numbered. Ids are `option-<n>`, so a tap needs no text matching.
 */
export function menuContent(menu: NodeOf<'menu'>): OutboundContent {
  const rows = menu.options.map((option, index) => ({ id: `option-${index + 1}`, title: option.label }));
  if (rows.length <= 3 && rows.every((row) => row.title.length <= 20)) return { type: 'buttons', buttons: rows };
  return { type: 'list', button: 'Options', sections: [{ rows }] };
}
