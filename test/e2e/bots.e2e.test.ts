import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { BotFlowView } from '../../contract/bot-flows.ts';
import type { SimulatorPhone } from '../../contract/simulator.ts';
import { conversations } from '../../db/schema/index.ts';
import { buildCampaign, buildSimulatorChannel, buildUser, TEST_PASSWORD } from '../harness/factories.ts';
import { screenshot, consoleSuite } from '../harness/browser.ts';
import type { UserRole } from '../../db/schema/index.ts';
import { api, connectClient, eventually, login, nextEvent } from '../harness/test-platform.ts';

const suite = consoleSuite();
const { sockets, pageErrors } = suite;

/** A user signed in to the console in a browser context of their own. */
const signIn = (role: UserRole, displayName: string, viewport = { width: 1280, height: 860 }): Promise<Page> => suite.signIn(role, displayName, { viewport });

/** The id of the flow version the page shows. */
const latestId = async (page: Page) => Number(await page.locator('[data-testid=flow-detail]').getAttribute('data-flow-id'));

/** An admin's session cookie, for publishing flows through the API. */
async function adminCookie(): Promise<string> {
  const admin = await buildUser(suite.platform.services.db, { role: 'admin' });
  return login(suite.platform.url, admin.username, TEST_PASSWORD);
}

/** A customer's phone in the simulator: a token for a number, a live socket for what the bot says, and a send. */
async function openPhone(channelId: number, number: string) {
  const { body: phone } = await api<SimulatorPhone>(suite.platform.url, 'POST', '/simulator/api/phones', { body: { channelId, number } });
  const socket = await connectClient(suite.platform.url, { namespace: '/simulator', auth: { token: phone.token } });
  sockets.push(socket);
  /** Sends a message and resolves with the next thing the phone receives that matches `expected`. */
  const say = async (text: string, expected: string) => {
    const reply = nextEvent<{ text: string }>(socket, 'message', (m) => m.text.includes(expected));
    const sent = await api(suite.platform.url, 'POST', `/webhooks/${channelId}`, {
      headers: { 'x-simulator-token': phone.token },
      body: { type: 'message', id: randomUUID(), text },
    });
    expect(sent.status).toBe(200);
    return reply;
  };
  return { phone, socket, say };
}

/** Asks the name and the order number, then hands off with a note and a priority. */
const ORDER_FLOW = {
  start: 'ask_name',
  settings: { typingDelayMs: 0 },
  nodes: {
    ask_name: { type: 'ask', text: 'Hi! What is your name?', variable: 'name', next: 'ask_order' },
    ask_order: {
      type: 'ask',
      text: 'Thanks {{name}}. What is your order number?',
      variable: 'order',
      validate: { type: 'number', integer: true },
      next: 'agent',
    },
    agent: { type: 'handoff', priority: 5, text: 'Passing you to an agent.', note: '{{name}} asks about order {{order}}' },
  },
};

describe('the bot in the console, in a real browser', () => {
  it('an agent gets a conversation handed off by a flow, sees what it collected, and hands it back; a supervisor takes it, and a refused take says why', async () => {
    const { db } = suite.platform.services;
    const channel = await buildSimulatorChannel(db, { name: 'Orders line' });
    const agent = await buildUser(db, { role: 'agent', displayName: 'Ana Agent' });
    const campaign = await buildCampaign(db, { name: 'Orders', channelIds: [channel.id], memberIds: [agent.id], maxInteractionsPerAgent: 1 });

    // An admin publishes the flow and attaches it to the campaign, through the API.
    const cookie = await adminCookie();
    const published = await api<BotFlowView>(suite.platform.url, 'POST', '/api/bot-flows', { cookie, body: { name: 'Order desk', definition: ORDER_FLOW } });
    expect(published.status).toBe(201);
    expect((await api(suite.platform.url, 'PUT', `/api/campaigns/${campaign.id}/bot-flow`, { cookie, body: { flowId: published.body.id } })).status).toBe(204);

    // The agent signs in (as the harness user above) and becomes available.
    const page = await suite.browser.newContext({ viewport: { width: 1280, height: 860 } }).then((context) => context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(suite.platform.url);
    await page.fill('input[name=username]', agent.username);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=connection][data-state=connected]').waitFor();
    expect(await page.locator('[data-testid=nav-bot-flows]').count()).toBe(0); // agents have no Bot flows page
    await page.selectOption('select[data-testid=presence]', 'available');
    await expect.poll(() => page.locator('select[data-testid=presence]').inputValue()).toBe('available');

    // The customer talks to the flow; the handoff gives the conversation to the agent.
    const customer = await openPhone(channel.id, '099 555 777');
    await customer.say('Hello', 'What is your name?');
    await customer.say('Ana', 'What is your order number?');
    await customer.say('4521', 'Passing you to an agent.');

    const item = page.locator('[data-testid=conversation-item]').filter({ hasText: '+59899555777' });
    await item.click();
    const summary = page.locator('[data-testid=bot-summary]');
    await summary.locator('[data-testid=handoff-note]').getByText('Ana asks about order 4521').waitFor();
    expect(await summary.locator('[data-testid=bot-flow]').innerText()).toBe('Order desk · v1');
    expect(await summary.locator('[data-testid=bot-priority]').innerText()).toBe('Priority 5');
    expect(await summary.locator('[data-testid=bot-variable][data-name=name] dd').innerText()).toBe('Ana');
    expect(await summary.locator('[data-testid=bot-variable][data-name=order] dd').innerText()).toBe('4521');
    const transcript = page.locator('[data-testid=transcript]');
    const botNodes = () => transcript.locator('[data-testid=message][data-author-type=bot] [data-testid=node-tag]').allInnerTexts();
    await expect.poll(botNodes).toEqual(['ask_name', 'ask_order', 'agent']);
    await screenshot(page, 'bots-1-agent-handoff');

    // The agent hands it back: the bot starts its flow again (the phone is asked again), and it leaves the agent's inbox.
    expect(await page.locator('[data-testid=take-conversation]').count()).toBe(0);
    const askedAgain = nextEvent<{ text: string }>(customer.socket, 'message', (m) => m.text === 'Hi! What is your name?');
    await page.click('[data-testid=return-to-bot]');
    await askedAgain;
    await item.waitFor({ state: 'detached' });
    await page.locator('[data-testid=conversation-header] [data-testid=status-badge][data-status=bot]').waitFor();
    expect(await page.locator('[data-testid=reply-input]').isDisabled()).toBe(true);
    await expect.poll(() => summary.locator('[data-testid=handoff-note]').count()).toBe(0); // the note was for the handoff
    expect(await summary.locator('[data-testid=bot-variable][data-name=order] dd').innerText()).toBe('4521'); // what it learnt stays
    await screenshot(page, 'bots-2-agent-returned-to-bot');

    // A supervisor sees it with the bot in "All" and takes it.
    const supervisor = await signIn('supervisor', 'Sam Supervisor');
    const supervisorItem = supervisor.locator('[data-testid=conversation-item]').filter({ hasText: '+59899555777' });
    await supervisorItem.locator('[data-testid=status-badge][data-status=bot]').waitFor();
    await supervisorItem.click();
    await supervisor.locator('[data-testid=bot-waiting]').getByText('ask_name').waitFor();
    await screenshot(supervisor, 'bots-3-supervisor-sees-bot');
    await supervisor.click('[data-testid=take-conversation]');
    await supervisor.locator('[data-testid=conversation-header]').getByText('Assigned to Sam Supervisor').waitFor();
    expect(await supervisor.locator('[data-testid=reply-input]').isDisabled()).toBe(false);
    expect(await supervisor.locator('[data-testid=return-to-bot]').count()).toBe(1);
    const [taken] = await db.select().from(conversations).where(eq(conversations.channelId, channel.id));
    expect(taken).toMatchObject({ status: 'assigned' });

    // A second customer: the supervisor is at the campaign's limit of one, so the take is refused with the server's words.
    const second = await openPhone(channel.id, '099 555 888');
    await second.say('Hi there', 'What is your name?');
    const secondItem = supervisor.locator('[data-testid=conversation-item]').filter({ hasText: '+59899555888' });
    await secondItem.click();
    await supervisor.locator('[data-testid=conversation-header] [data-testid=customer-number]').getByText('+59899555888').waitFor();
    await supervisor.click('[data-testid=take-conversation]');
    await supervisor.locator('[data-testid=action-error]').getByText('the most Orders allows').waitFor();
    await eventually(async () => {
      const rows = await db.select().from(conversations).where(eq(conversations.channelId, channel.id));
      expect(rows.map((row) => row.status).sort()).toEqual(['assigned', 'bot']);
    });
    await screenshot(supervisor, 'bots-4-supervisor-take-refused');
    await supervisor.setViewportSize({ width: 420, height: 860 });
    await screenshot(supervisor, 'bots-4-supervisor-take-refused-narrow');
    expect(pageErrors).toEqual([]);
  });

  it('the Bot flows page: an admin publishes an invalid flow, sees the exact path, fixes it, publishes, and tries it', async () => {
    const flow = {
      start: 'menu',
      settings: { typingDelayMs: 0 },
      nodes: {
        menu: {
          type: 'menu',
          text: 'Hi! How can we help?',
          options: [
            { label: 'Opening hours', next: 'hours' },
            { label: 'Talk to a person', next: 'nowhere' },
          ],
        },
        hours: { type: 'message', text: 'We open 9:00 to 18:00.', next: 'menu' },
        ask_name: { type: 'ask', text: 'Your name, please?', variable: 'name', next: 'agent' },
        agent: { type: 'handoff', priority: 3, text: 'One moment, {{name}}.', note: '{{name}} wants a person' },
      },
    };
    // A tall window, so the screenshots show the whole dry run.
    const page = await signIn('admin', 'Ada Admin', { width: 1280, height: 1300 });
    await page.click('[data-testid=nav-bot-flows]');
    await page.locator('[data-testid=bot-flows-page]').waitFor();
    await page.click('[data-testid=new-flow]');
    await page.fill('[data-testid=flow-name-input]', 'Front desk');

    // Not JSON: said before the server is asked.
    await page.fill('[data-testid=flow-definition]', '{ "start": "menu", }');
    await page.click('[data-testid=flow-publish]');
    await page.locator('[data-testid=flow-errors]').getByText('not valid JSON').waitFor();

    // An option going nowhere: the server's problem at its exact path.
    await page.fill('[data-testid=flow-definition]', JSON.stringify(flow, null, 2));
    await page.click('[data-testid=flow-publish]');
    const issue = page.locator('[data-testid=flow-errors] [data-testid=flow-issue][data-path="nodes.menu.options.1.next"]');
    await issue.getByText('There is no node "nowhere"').waitFor();
    expect(await issue.locator('code').innerText()).toBe('nodes.menu.options.1.next');
    expect(await page.locator('[data-testid=flow-definition]').getAttribute('aria-invalid')).toBe('true');
    // The path is a button: it selects the value it names in the editor.
    await issue.locator('button.issue-path').click();
    const selected = () =>
      page
        .locator('[data-testid=flow-definition]')
        .evaluate((element: HTMLTextAreaElement) => element.value.slice(element.selectionStart, element.selectionEnd));
    expect(await selected()).toBe('"nowhere"');
    await screenshot(page, 'bots-5-invalid-flow');

    // Fixed and published: the URL names the new version and the list shows it.
    flow.nodes.menu.options[1]!.next = 'ask_name';
    await page.fill('[data-testid=flow-definition]', JSON.stringify(flow, null, 2));
    await page.click('[data-testid=flow-publish]');
    await page.locator('[data-testid=flow-published]').getByText('Published as version 1').waitFor();
    const id = await latestId(page);
    expect(new URL(page.url()).hash).toBe(`#/bot-flows/${id}`);
    // The saved definition reads as written: start first, nodes in the order the flow runs them, `type` first in each.
    const saved = await page.locator('[data-testid=flow-definition]').inputValue();
    expect(Object.keys(JSON.parse(saved))).toEqual(['start', 'settings', 'nodes']);
    expect(Object.keys(JSON.parse(saved).nodes)).toEqual(['menu', 'hours', 'ask_name', 'agent']);
    expect(saved).toContain('"menu": {\n      "type": "menu",');
    const row = page.locator('[data-testid=flow-row]').filter({ hasText: 'Front desk' });
    await expect.poll(() => row.locator('[data-testid=flow-version]').innerText()).toMatch(/^v1/);
    expect(await row.locator('[data-testid=flow-campaigns]').innerText()).toBe('Not used');

    // Try it in open hours: every customer message with the bot's replies under it, the outcome and the variables.
    await page.fill('[data-testid=try-messages]', 'Hi\n1\n2\nAna');
    await page.click('[data-testid=try-run]');
    const result = page.locator('[data-testid=try-result]');
    await result.waitFor();
    const turns = result.locator('[data-testid=try-turn]');
    expect(await turns.locator('[data-testid=try-customer]').allInnerTexts()).toEqual(['Hi', '1', '2', 'Ana']);
    expect(await turns.nth(0).locator('[data-testid=try-reply]').getAttribute('data-node')).toBe('menu');
    expect(await turns.nth(0).locator('[data-testid=message-option]').allInnerTexts()).toEqual(['1 Opening hours', '2 Talk to a person']);
    expect(await turns.nth(1).locator('[data-testid=try-reply] .body').allInnerTexts()).toEqual(['We open 9:00 to 18:00.', 'Hi! How can we help?']);
    expect(await turns.nth(2).locator('[data-testid=try-reply] .body').innerText()).toBe('Your name, please?');
    expect(await turns.nth(3).locator('[data-testid=try-reply] .body').innerText()).toBe('One moment, Ana.');
    expect(await result.locator('[data-testid=try-final-outcome]').innerText()).toContain('Handed to an agent, priority 3');
    expect(await result.locator('[data-testid=try-final-note]').innerText()).toContain('Ana wants a person');
    expect(await result.locator('[data-testid=try-variable][data-name=name] dd').innerText()).toBe('Ana');
    await screenshot(page, 'bots-6-dry-run-open');

    // Closed hours: the out-of-time message instead of a handoff.
    await page.click('[data-testid=try-hours-closed]');
    await page.click('[data-testid=try-run]');
    await expect.poll(() => result.locator('[data-testid=try-final-outcome]').innerText()).toContain('The flow ended');
    expect(await turns.nth(3).locator('[data-testid=try-reply] .body').innerText()).toBe('We are closed right now.');

    // An edit publishes version 2 in place of version 1.
    flow.nodes.hours.text = 'We open 8:00 to 20:00.';
    await page.fill('[data-testid=flow-definition]', JSON.stringify(flow, null, 2));
    await page.click('[data-testid=flow-publish]');
    await page.locator('[data-testid=flow-published]').getByText('Published as version 2').waitFor();
    await expect.poll(() => row.locator('[data-testid=flow-version]').innerText()).toMatch(/^v2/);
    expect(await page.locator('[data-testid=flow-row]').filter({ hasText: 'Front desk' }).count()).toBe(1);
    await screenshot(page, 'bots-7-version-2');

    // A supervisor (following a link to the flow) reads and tries it but cannot publish.
    const supervisor = await signIn('supervisor', 'Sam Supervisor');
    await supervisor.goto(`${suite.platform.url}/#/bot-flows/${await latestId(page)}`);
    await supervisor.locator('[data-testid=flow-title]').getByText('Front desk · v2').waitFor();
    expect(await supervisor.locator('[data-testid=flow-definition]').getAttribute('readonly')).not.toBeNull();
    expect(await supervisor.locator('[data-testid=flow-publish]').count()).toBe(0);
    expect(await supervisor.locator('[data-testid=new-flow]').count()).toBe(0);
    await supervisor.fill('[data-testid=try-messages]', 'Hi\n1');
    await supervisor.click('[data-testid=try-run]');
    await supervisor.locator('[data-testid=try-result] [data-testid=try-reply]').getByText('We open 8:00 to 20:00.').waitFor();
    await screenshot(supervisor, 'bots-8-supervisor-read-only');
    expect(pageErrors).toEqual([]);
  });

  it('lists the flows that exist, with the campaigns using them, when the page opens', async () => {
    const { db } = suite.platform.services;
    const campaign = await buildCampaign(db, { name: 'Listed campaign' });
    const cookie = await adminCookie();
    const published = await api<BotFlowView>(suite.platform.url, 'POST', '/api/bot-flows', {
      cookie,
      body: { name: 'Listed flow', definition: ORDER_FLOW, campaignIds: [campaign.id] },
    });
    expect(published.status).toBe(201);

    const supervisor = await signIn('supervisor', 'Lee Supervisor');
    await supervisor.click('[data-testid=nav-bot-flows]');
    const row = supervisor.locator('[data-testid=flow-row]').filter({ hasText: 'Listed flow' });
    await expect.poll(() => row.locator('[data-testid=flow-campaigns]').innerText()).toBe('Listed campaign');
    await row.locator('[data-testid=flow-link]').click();
    await supervisor.locator('[data-testid=flow-title]').getByText('Listed flow · v1').waitFor();
    expect(await supervisor.locator('[data-testid=flows-error]').count()).toBe(0);
    await screenshot(supervisor, 'bots-9-flow-list');
    expect(pageErrors).toEqual([]);
  });
});
