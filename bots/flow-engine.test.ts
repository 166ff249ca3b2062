import { describe, expect, it } from 'vitest';
import { DEMO_FLOW } from '../server/demo-flow.ts';
import { dryRun, dryRunInputSchema } from './dry-run.ts';
import { menuContent } from './flow-engine.ts';
import { parseFlow, type Flow, type FlowInput } from './flow-schema.ts';

const flow = (input: FlowInput): Flow => {
  const result = parseFlow(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.flow;
};

const support = flow(DEMO_FLOW);

/** Plays messages and returns every bot reply's text, turn by turn, with the final state. */
async function play(subject: Flow, messages: string[], extra: Record<string, unknown> = {}) {
  const result = await dryRun(subject, dryRunInputSchema.parse({ messages, ...extra }), 'http://platform.test', async () => {
    throw new Error('no live HTTP in unit tests');
  });
  return { ...result, said: result.turns.map((turn) => turn.replies.map((reply) => reply.body)) };
}

const orders = { lookup: { status: 200, body: { status: 'shipped', eta: 'tomorrow' } } };

describe('the flow engine, conversation by conversation', () => {
  it.each([
    ['a number', '1'],
    ['a number with a prefix', 'option 1'],
    ['a number in words', 'uno'],
    ['the label', 'Opening hours'],
    ['a keyword in a sentence', 'what are your hours?'],
    ['a typo', 'opening hurs'],
    ['shouting with accents', 'HORÁRIO'],
  ])('picks a menu option from %s', async (_how, answer) => {
    const { said } = await play(support, ['hi', answer]);
    expect(said[1]![0]).toMatch(/^We are open Monday to Friday/);
  });

  it('re-prompts an invalid answer with the options, then gives up to an agent after three', async () => {
    const result = await play(support, ['hi', 'pizza', 'banana', 'qwerty']);
    expect(result.turns[1]!.replies).toEqual([
      expect.objectContaining({ node: 'menu', body: expect.stringContaining('did not understand'), content: expect.objectContaining({ type: 'buttons' }) }),
    ]);
    expect(result.turns[2]!.outcome).toEqual({ type: 'wait' });
    expect(result.turns[3]!.outcome).toMatchObject({ type: 'handoff', node: 'menu', note: expect.stringContaining('could not understand') });
  });

  it('reaches a global intent from any node, but not from a question whose answer merely mentions it', async () => {
    const fromMenu = await play(support, ['hi', 'I want an AGÉNTE please']);
    expect(fromMenu.said[1]).toEqual(['Sure! What is your name?']);
    const inQuestion = await play(support, ['agent', 'Ana, the agent you had yesterday was great', 'hello']);
    expect(inQuestion.turns[1]!.outcome).toMatchObject({ type: 'handoff', note: 'Ana, the agent you had yesterday was great asked for an agent.' });
    const wholeIntent = await play(support, ['2', 'menu']);
    expect(wholeIntent.said[1]![0]).toBe('How can I help you? Answer with a number.');
  });

  it('looks an order up through the HTTP node and hands off with what it collected', async () => {
    const result = await play(support, ['hi', '2', '12', '1001', '2', 'Ana'], { http: orders });
    expect(result.said[2]).toEqual(['Order numbers have 4 digits, like 1001. Please try again.']);
    expect(result.said[3]).toEqual(['Order 1001: shipped. Expected delivery: tomorrow.', 'Anything else?']);
    expect(result.final).toMatchObject({
      vars: { order: '1001', orderStatus: 'shipped', orderEta: 'tomorrow', name: 'Ana' },
      outcome: { type: 'handoff', note: 'Ana asked for an agent. Order 1001: shipped.', priority: 0 },
    });
    expect(result.said[5]).toEqual(['Thanks Ana! An agent will be with you shortly.']);
  });

  it.each([
    ['a 404', { lookup: { status: 404, body: { error: 'no' } } }],
    ['a timeout', { lookup: { error: 'The operation was aborted due to timeout' } }],
    ['an answer that is not JSON', { lookup: { status: 200, body: undefined } }],
  ])('takes the HTTP node’s error branch on %s', async (_what, http) => {
    const { said } = await play(support, ['hi', 'order', '9999'], { http });
    expect(said[2]).toEqual([expect.stringContaining('I could not find order 9999')]);
  });

  it('out of hours: the handoff sends the out-of-time message once and follows its outOfHours branch', async () => {
    const result = await play(support, ['agent', 'Ana', 'agent', 'Ana'], { campaign: { open: false, outOfTimeMessage: 'Closed now' } });
    expect(result.said).toEqual([
      ['Sure! What is your name?'],
      ['Closed now', 'You can still check an order or our hours here: write MENU.'],
      ['Sure! What is your name?'],
      ['You can still check an order or our hours here: write MENU.'],
    ]);
    expect(result.turns[1]!.replies[0]).toMatchObject({ outOfHours: true });
  });

  it('validates answers: email, number range, date, one of a list (with a typo)', async () => {
    const form = flow({
      start: 'email',
      nodes: {
        email: { type: 'ask', text: 'Email?', variable: 'email', validate: { type: 'email' }, next: 'age' },
        age: { type: 'ask', text: 'Age?', variable: 'age', validate: { type: 'number', min: 18, max: 120, integer: true }, next: 'day' },
        day: { type: 'ask', text: 'Day?', variable: 'day', validate: { type: 'date' }, next: 'plan' },
        plan: { type: 'ask', text: 'Plan?', variable: 'plan', validate: { type: 'one_of', values: ['Básico', 'Premium'] }, next: 'done' },
        done: { type: 'message', text: '{{email}} {{age}} {{day}} {{plan}}' },
      },
    });
    const result = await play(form, ['x', 'Ana@Example.com', '17', '33', '31/02/2026', '29/02/2028', 'premiun']);
    expect(result.said.slice(1)).toEqual([
      ['Age?'],
      ['Please answer with a number.'],
      ['Day?'],
      ['Please write a date like 25/12/2026.'],
      ['Plan?'],
      ['ana@example.com 33 2028-02-29 Premium'],
    ]);
  });

  it('branches on variables, contact attributes, channel and time of day', async () => {
    const router = flow({
      start: 'route',
      nodes: {
        route: {
          type: 'condition',
          branches: [
            { when: { type: 'contact', name: 'tier', op: 'equals', value: 'GOLD' }, next: 'gold' },
            {
              when: {
                type: 'all',
                conditions: [
                  { type: 'channel', field: 'type', op: 'in', value: ['twilio-sms', 'dinstar'] },
                  { type: 'time', from: '22:00', to: '06:00', timeZone: 'UTC' },
                ],
              },
              next: 'night_sms',
            },
          ],
          else: 'other',
        },
        gold: { type: 'message', text: 'Hello {{contact.name}}, gold member' },
        night_sms: { type: 'message', text: 'Late SMS' },
        other: { type: 'message', text: 'Hello' },
      },
    });
    const gold = await play(router, ['hi'], { contact: { name: 'Ana', attributes: { tier: 'gold' } } });
    expect(gold.said).toEqual([['Hello Ana, gold member']]);
    const lateSms = await play(router, ['hi'], { channel: { type: 'dinstar' }, now: '2026-11-24T23:30:00Z' });
    expect(lateSms.said).toEqual([['Late SMS']]);
    const daySms = await play(router, ['hi'], { channel: { type: 'dinstar' }, now: '2026-11-24T12:00:00Z' });
    expect(daySms.said).toEqual([['Hello']]);
  });

  it('a close node ends the conversation and the dry run reports what was left unplayed', async () => {
    const result = await play(support, ['hi', 'thanks', 'one more thing']);
    expect(result.turns[1]!.outcome).toEqual({ type: 'close', node: 'bye' });
    expect(result.notPlayed).toEqual(['one more thing']);
  });

  it('offers a menu of three short labels as WhatsApp reply buttons whose ids name the option', () => {
    const menu = support.nodes.menu!;
    expect(menu.type === 'menu' && menuContent(menu)).toEqual({
      type: 'buttons',
      buttons: [
        { id: 'option-1', title: 'Opening hours' },
        { id: 'option-2', title: 'Order status' },
        { id: 'option-3', title: 'Talk to an agent' },
      ],
    });
  });
});
