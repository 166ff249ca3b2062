import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { breaks } from '../../db/schema/index.ts';
import { screenshot, consoleSuite } from '../harness/browser.ts';
import { buildCampaign, buildSimulatorChannel, buildUser, TEST_PASSWORD } from '../harness/factories.ts';
import { openPhone } from '../harness/simulator-phone.ts';

const suite = consoleSuite();
const { sockets, pageErrors } = suite;
beforeAll(() => suite.platform.services.db.insert(breaks).values([{ name: 'Lunch' }, { name: 'Training' }]));

const viewport = { width: 1280, height: 900 };
/** Polls wait as long as locators do (vitest's default is one second, short for a busy machine). */
const WAIT = { timeout: 10_000 };

/** A supervisor (a new user) signed in, after the campaigns exist: their socket joins the campaigns' rooms on connect. */
const signInSupervisor = (displayName: string): Promise<Page> => suite.signIn('supervisor', displayName, { viewport });

/** An existing user (a campaign member built beforehand) signed in to the console in a context of their own. */
async function openConsole(user: { username: string; displayName: string }): Promise<Page> {
  const context = await suite.browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(suite.platform.url);
  await page.fill('input[name=username]', user.username);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=me]').getByText(user.displayName).waitFor();
  await page.locator('[data-testid=connection][data-state=connected]').waitFor();
  return page;
}

async function becomeAvailable(page: Page): Promise<void> {
  await page.selectOption('select[data-testid=presence]', 'available');
  await expect.poll(() => page.locator('select[data-testid=presence]').inputValue(), WAIT).toBe('available');
}

describe('routing in the console, in a real browser', () => {
  it('the Monitor follows a handoff live; the supervisor spies, pauses and resumes the agent, and they chat', async () => {
    const { db } = suite.platform.services;
    const channel = await buildSimulatorChannel(db, { name: 'Support line' });
    const agent = await buildUser(db, { role: 'agent', displayName: 'Ana Agent' });
    const campaign = await buildCampaign(db, {
      name: 'Support',
      channelIds: [channel.id],
      memberIds: [agent.id],
      greetingMessage: 'Hi! An agent will be with you shortly.',
    });

    const supervisor = await signInSupervisor('Sam Supervisor');
    await supervisor.click('[data-testid=nav-monitor]');
    expect(new URL(supervisor.url()).hash).toBe('#/monitor');
    const card = supervisor.locator(`[data-testid=campaign-monitor][data-campaign-id="${campaign.id}"]`);
    const waiting = card.locator('[data-testid=figure-waiting] .figure-value');
    await expect.poll(() => waiting.innerText(), WAIT).toBe('0');
    const row = supervisor.locator(`[data-testid=agent-row][data-user-id="${agent.id}"]`);
    await row.locator('[data-testid=agent-status][data-status=offline]').waitFor();

    // The agent is signed in but offline: a customer handed off by the greeting waits, and the Monitor shows it without a reload.
    const agentPage = await openConsole(agent);
    const customer = await openPhone(suite.platform.url, channel.id, '099 444 101', sockets);
    expect((await customer.send('Hello, is anybody there?')).status).toBe(200);
    await expect.poll(() => waiting.innerText(), WAIT).toBe('1');
    const onHold = supervisor.locator('[data-testid=on-hold-row]').filter({ hasText: '+59899444101' });
    await onHold.waitFor();
    // The longest wait ticks in the browser, from when the customer entered the queue.
    const longest = card.locator('[data-testid=figure-longest-wait] .figure-value');
    await expect.poll(() => longest.innerText(), WAIT).toMatch(/^0:(0[1-9]|[1-5]\d)$/);
    await screenshot(supervisor, 'monitor-1-customer-waiting');

    // The agent becomes available and gets the customer: waiting goes back to 0, the agent has one chat.
    await becomeAvailable(agentPage);
    await expect.poll(() => waiting.innerText(), WAIT).toBe('0');
    await onHold.waitFor({ state: 'detached' });
    await expect.poll(() => row.locator('[data-testid=agent-active]').innerText(), WAIT).toBe('1');
    await row.locator('[data-testid=agent-status][data-status=free]').waitFor();
    expect(await row.locator('.channel-tag').allInnerTexts()).toEqual(['SIMULATOR']);
    await agentPage.locator('[data-testid=conversation-item]').filter({ hasText: '+59899444101' }).waitFor();

    // Spy: the conversation read-only, kept live by the campaign's messages, with no reply box.
    await row.locator('[data-testid=spy]').filter({ hasText: '+59899444101' }).click();
    const spy = supervisor.locator('[data-testid=spy-panel]');
    await spy.locator('[data-testid=message][data-author-type=contact]').getByText('Hello, is anybody there?').waitFor();
    expect(await spy.locator('[data-testid=reply-input]').count()).toBe(0);
    await customer.send('I need help with my bill');
    await spy.locator('[data-testid=message][data-author-type=contact]').getByText('I need help with my bill').waitFor();
    await screenshot(supervisor, 'monitor-2-spy');
    await supervisor.click('[data-testid=spy-close]');

    // The supervisor pauses the agent for lunch: the row and the agent's own presence change.
    await row.locator('select[data-testid=pause-agent]').selectOption('Lunch');
    await row.locator('[data-testid=agent-status][data-status=busy_on_break]').getByText('Lunch').waitFor();
    await expect.poll(() => agentPage.locator('select[data-testid=presence]').inputValue(), WAIT).toBe('break:Lunch');
    await screenshot(supervisor, 'monitor-3-agent-paused');
    await row.locator('[data-testid=resume-agent]').click();
    await row.locator('[data-testid=agent-status][data-status=free]').waitFor();
    await expect.poll(() => agentPage.locator('select[data-testid=presence]').inputValue(), WAIT).toBe('available');

    // Internal chat: the supervisor writes from the agent's row, the agent sees an unread count and answers.
    await row.locator('[data-testid=chat-agent]').click();
    await supervisor.fill('[data-testid=chat-input]', 'Ana, please check the bill question first.');
    await supervisor.click('[data-testid=chat-send]');
    await supervisor.locator('[data-testid=chat-message][data-mine=true]').getByText('please check the bill').waitFor();
    await expect.poll(() => agentPage.locator('[data-testid=chat-unread]').innerText(), WAIT).toBe('1');
    await agentPage.click('[data-testid=chat-toggle]');
    await agentPage.locator('[data-testid=chat-message][data-mine=false]').getByText('please check the bill').waitFor();
    expect(await agentPage.locator('[data-testid=chat-unread]').count()).toBe(0);
    await agentPage.fill('[data-testid=chat-input]', 'On it!');
    await agentPage.press('[data-testid=chat-input]', 'Enter');
    await supervisor.locator('[data-testid=chat-message][data-mine=false]').getByText('On it!').waitFor();
    await screenshot(supervisor, 'monitor-4-chat');
    await screenshot(agentPage, 'monitor-5-agent-chat');
    await supervisor.click('[data-testid=chat-close]');
    await supervisor.setViewportSize({ width: 420, height: 900 });
    await screenshot(supervisor, 'monitor-5-narrow');
    expect(pageErrors).toEqual([]);
  });

  it('offer to all: two agents see the offer, one accepts, it leaves the other; the chat-time flag and a transfer', async () => {
    const { db } = suite.platform.services;
    const channel = await buildSimulatorChannel(db, { name: 'Sales line' });
    const ana = await buildUser(db, { role: 'agent', displayName: 'Ana Offers' });
    const ben = await buildUser(db, { role: 'agent', displayName: 'Ben Offers' });
    await buildCampaign(db, {
      name: 'Sales',
      strategy: 'offer_all',
      chatTimeSeconds: 2,
      channelIds: [channel.id],
      memberIds: [ana.id, ben.id],
      greetingMessage: 'Hi! One moment.',
    });
    // Agents transfer to the campaigns they are members of; Billing gives its customers to Ben first.
    const billing = await buildCampaign(db, { name: 'Billing', strategy: 'linear', memberIds: [ben.id, ana.id] });

    const anaPage = await openConsole(ana);
    const benPage = await openConsole(ben);
    await becomeAvailable(anaPage);
    await becomeAvailable(benPage);

    const customer = await openPhone(suite.platform.url, channel.id, '099 444 202', sockets);
    await customer.send('I want to buy the premium plan');
    const offerOf = (page: Page) => page.locator('[data-testid=offer]').filter({ hasText: '+59899444202' });
    await offerOf(anaPage).waitFor();
    await offerOf(benPage).waitFor();
    expect(await offerOf(benPage).innerText()).toContain('Sales');
    // The offer shows the last message, the greeting, once it has been stored (it can follow the offer).
    await offerOf(benPage).filter({ hasText: 'Hi! One moment.' }).waitFor();
    await screenshot(benPage, 'monitor-6-offer');

    // Ana accepts: the conversation opens for her, and the offer vanishes from Ben's page.
    await offerOf(anaPage).locator('[data-testid=accept-offer]').click();
    await anaPage.locator('[data-testid=conversation-header] [data-testid=customer-number]').getByText('+59899444202').waitFor();
    await offerOf(benPage).waitFor({ state: 'detached' });
    expect(await offerOf(anaPage).count()).toBe(0);

    // Past the campaign's chat time: a toast, and the badge in the list and the header.
    await anaPage.locator('[data-testid=toast]').getByText('+59899444202').waitFor();
    await anaPage.locator('[data-testid=conversation-item]').filter({ hasText: '+59899444202' }).locator('[data-testid=over-chat-time]').waitFor();
    await anaPage.locator('[data-testid=conversation-header] [data-testid=over-chat-time]').waitFor();
    await screenshot(anaPage, 'monitor-7-over-chat-time');

    // Ana transfers it to another campaign with a note (agents pick a campaign): it leaves her inbox and reaches Ben with the note.
    await anaPage.click('[data-testid=transfer-conversation]');
    const dialog = anaPage.locator('[data-testid=transfer-dialog]');
    expect(await dialog.locator('[data-testid=transfer-to-agent]').count()).toBe(0);
    await dialog.locator('select[data-testid=transfer-target]').selectOption(String(billing.id));
    await dialog.locator('[data-testid=transfer-note]').fill('Wants the premium plan, billing question');
    await screenshot(anaPage, 'monitor-8-transfer');
    await dialog.locator('[data-testid=transfer-submit]').click();
    await dialog.waitFor({ state: 'detached' });
    await anaPage.locator('[data-testid=conversation-item]').filter({ hasText: '+59899444202' }).waitFor({ state: 'detached' });
    await benPage.locator('[data-testid=conversation-item]').filter({ hasText: '+59899444202' }).click();
    await benPage.locator('[data-testid=campaign-name]').getByText('Billing').waitFor();
    await benPage.getByText('Ana Offers: Wants the premium plan, billing question').waitFor();

    // A supervisor sends it back to Ana: refused while she is on a break (the reason shows in the dialog), done once she is back.
    const supervisor = await signInSupervisor('Sue Supervisor');
    await anaPage.selectOption('select[data-testid=presence]', 'break:Lunch');
    await supervisor.locator('[data-testid=conversation-item]').filter({ hasText: '+59899444202' }).click();
    await supervisor.locator('[data-testid=conversation-header]').getByText('Assigned to Ben Offers').waitFor();
    await supervisor.click('[data-testid=transfer-conversation]');
    const supervisorDialog = supervisor.locator('[data-testid=transfer-dialog]');
    await supervisorDialog.locator('select[data-testid=transfer-target]').selectOption({ label: 'Ana Offers (on break)' });
    await supervisorDialog.locator('[data-testid=transfer-submit]').click();
    await supervisorDialog.locator('[data-testid=transfer-error]').getByText('Ana Offers is not available').waitFor();
    await screenshot(supervisor, 'monitor-9-transfer-refused');
    await becomeAvailable(anaPage);
    await supervisorDialog.locator('[data-testid=transfer-submit]').click();
    await supervisorDialog.waitFor({ state: 'detached' });
    await supervisor.locator('[data-testid=conversation-header]').getByText('Assigned to Ana Offers').waitFor();
    await anaPage.locator('[data-testid=conversation-item]').filter({ hasText: '+59899444202' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
