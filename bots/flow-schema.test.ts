import { describe, expect, it } from 'vitest';
import { DEMO_FLOW } from '../server/demo-flow.ts';
import { parseFlow } from './flow-schema.ts';

const menuFlow = (patch: (flow: any) => void = () => {}) => {
  const flow: any = {
    start: 'menu',
    nodes: {
      menu: {
        type: 'menu',
        text: 'Choose',
        options: [
          { label: 'Hours', next: 'hours' },
          { label: 'Agent', next: 'agent' },
          { label: 'Bye', next: 'bye' },
        ],
      },
      hours: { type: 'message', text: 'Nine to six', next: 'menu' },
      agent: { type: 'handoff' },
      bye: { type: 'close' },
    },
  };
  patch(flow);
  return flow;
};

describe('flow documents', () => {
  it('accepts the demo flow and fills in the defaults', () => {
    const result = parseFlow(DEMO_FLOW);
    expect(result.ok).toBe(true);
    const parsed = parseFlow(menuFlow());
    expect(parsed.ok && parsed.flow.settings).toEqual({ typingDelayMs: 800, inactivityMinutes: 30 });
    expect(parsed.ok && parsed.flow.nodes.menu).toMatchObject({ maxTries: 3 });
  });

  it.each([
    ['a missing node', (f: any) => (f.nodes.menu.options[2].next = 'nowhere'), 'nodes.menu.options.2.next', 'There is no node "nowhere"'],
    ['a missing start', (f: any) => (f.start = 'begin'), 'start', 'There is no node "begin"'],
    ['an unknown node type', (f: any) => (f.nodes.hours.type = 'speak'), 'nodes.hours.type', ''],
    [
      'a bad regex',
      (f: any) => (f.nodes.ask = { type: 'ask', text: 'Order?', variable: 'order', validate: { type: 'regex', pattern: '([0-9' }, next: 'menu' }),
      'nodes.ask.validate.pattern',
      'is not a valid regular expression',
    ],
    [
      'a bad JSON path',
      (f: any) => (f.nodes.call = { type: 'http', url: 'https://example.com/x', map: { s: 'a..b' }, next: 'menu', onError: 'menu' }),
      'nodes.call.map.s',
      'is not a JSON path',
    ],
    ['an unescaped template tag', (f: any) => (f.nodes.hours.text = 'Hi {{{name}}}'), 'nodes.hours.text', 'are not allowed'],
    ['an intent to nowhere', (f: any) => (f.intents = [{ name: 'agent', keywords: ['agent'], to: 'human' }]), 'intents.0.to', 'There is no node "human"'],
    ['a label too long for WhatsApp', (f: any) => (f.nodes.menu.options[0].label = 'Our opening hours this week'), 'nodes.menu.options.0.label', 'at most 24'],
    [
      'an unknown time zone',
      (f: any) =>
        (f.nodes.check = {
          type: 'condition',
          branches: [{ when: { type: 'time', from: '09:00', to: '18:00', timeZone: 'Mars/Olympus' }, next: 'menu' }],
          else: 'menu',
        }),
      'nodes.check.branches.0.when.timeZone',
      'Unknown time zone',
    ],
    [
      'a loop that never waits',
      (f: any) => {
        f.nodes.a = { type: 'message', text: 'A', next: 'b' };
        f.nodes.b = { type: 'jump', to: 'a' };
      },
      'nodes.a',
      'loop without waiting for the customer: a → b → a',
    ],
  ])('refuses %s with the exact path', (_name, patch, path, message) => {
    const result = parseFlow(menuFlow(patch));
    expect(result.ok).toBe(false);
    const problem = !result.ok && result.problems.find((item) => item.path === path);
    expect(problem, JSON.stringify(!result.ok && result.problems)).toBeTruthy();
    expect((problem as { message: string }).message).toContain(message);
  });
});
