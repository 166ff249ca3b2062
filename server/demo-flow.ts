import { route, type RouteSpec } from '../api/route-table.ts';
import type { FlowInput } from '../bots/flow-schema.ts';

/**
 * The demo's Support flow: a menu (opening hours, order status, an agent), an order lookup through an
 * HTTP node against the demo order service below, and a handoff that tells the agent what the bot
 * learnt. It is also the example the README walks through.
 */
export const DEMO_FLOW: FlowInput = {
  start: 'welcome',
  settings: {
    typingDelayMs: 700,
    inactivityMinutes: 30,
    timeoutText: 'We closed this chat after 30 minutes without news. Write again any time!',
  },
  intents: [
    { name: 'agent', keywords: ['agent', 'human', 'person', 'operator', 'agente', 'humano', 'persona'], to: 'ask_name' },
    { name: 'menu', keywords: ['menu', 'start over', 'inicio'], to: 'menu' },
    { name: 'thanks', keywords: ['thanks', 'thank you', 'gracias', 'bye'], to: 'bye' },
  ],
  nodes: {
    welcome: { type: 'message', text: "Hi{{#contact.name}} {{contact.name}}{{/contact.name}}! I'm the Support bot.", next: 'menu' },
    menu: {
      type: 'menu',
      text: 'How can I help you? Answer with a number.',
      options: [
        { label: 'Opening hours', keywords: ['hours', 'open', 'horario'], next: 'hours' },
        { label: 'Order status', keywords: ['order', 'tracking', 'pedido'], next: 'ask_order' },
        { label: 'Talk to an agent', next: 'ask_name' },
      ],
    },
    hours: { type: 'message', text: 'We are open Monday to Friday 9:00-18:00 and Saturday 9:00-13:00 (Montevideo time).', next: 'anything_else' },
    anything_else: {
      type: 'menu',
      text: 'Anything else?',
      options: [
        { label: 'Back to the menu', next: 'menu' },
        { label: 'Talk to an agent', next: 'ask_name' },
        { label: 'No, thanks', keywords: ['no'], next: 'bye' },
      ],
    },
    ask_order: {
      type: 'ask',
      text: 'Please write your order number (4 digits, for example 1001).',
      variable: 'order',
      validate: { type: 'regex', pattern: '^\\d{4}$' },
      invalidText: 'Order numbers have 4 digits, like 1001. Please try again.',
      next: 'lookup',
      onGiveUp: 'ask_name',
    },
    lookup: {
      type: 'http',
      method: 'GET',
      url: '{{platform.url}}/demo/orders/{{order}}',
      timeoutMs: 3000,
      map: { orderStatus: 'status', orderEta: 'eta' },
      next: 'order_found',
      onError: 'order_missing',
    },
    order_found: {
      type: 'message',
      text: 'Order {{order}}: {{orderStatus}}.{{#orderEta}} Expected delivery: {{orderEta}}.{{/orderEta}}',
      next: 'anything_else',
    },
    order_missing: {
      type: 'menu',
      text: 'I could not find order {{order}}. What would you like to do?',
      options: [
        { label: 'Try another number', next: 'ask_order' },
        { label: 'Talk to an agent', next: 'ask_name' },
        { label: 'Back to the menu', next: 'menu' },
      ],
    },
    ask_name: { type: 'ask', text: 'Sure! What is your name?', variable: 'name', validate: { type: 'text', maxLength: 80 }, next: 'handoff' },
    handoff: {
      type: 'handoff',
      note: '{{name}} asked for an agent.{{#order}} Order {{order}}: {{orderStatus}}.{{/order}}',
      text: 'Thanks {{name}}! An agent will be with you shortly.',
      outOfHours: 'closed',
    },
    closed: { type: 'message', text: 'You can still check an order or our hours here: write MENU.' },
    bye: { type: 'close', text: 'Thanks for writing to us. Have a great day!' },
  },
};

const DEMO_ORDERS: Record<string, { status: string; eta: string | null }> = {
  '1001': { status: 'shipped', eta: 'tomorrow' },
  '1002': { status: 'being prepared', eta: 'in 3 days' },
  '1003': { status: 'delivered', eta: null },
};

/** A stand-in for a shop's order system, so the demo flow's HTTP node has something real to call. */
export function demoOrderRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/demo/orders/:number',
      access: { public: 'the demo order service the demo bot flow calls (only with SEED_DEMO)' },
      handler(request, response) {
        const number = String(request.params.number);
        const order = Object.hasOwn(DEMO_ORDERS, number) ? DEMO_ORDERS[number] : undefined;
        if (!order) return void response.status(404).json({ error: { code: 'not_found', message: `No order ${number}` } });
        response.json({ number, ...order });
      },
    }),
  ];
}
