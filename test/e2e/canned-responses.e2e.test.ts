import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AgentChatThread } from '../../contract/routing.ts';
import { cannedResponses } from '../../db/schema/index.ts';
import { screenshot, consoleSuite } from '../harness/browser.ts';
import { buildCampaign, buildSimulatorChannel, buildUser, TEST_PASSWORD } from '../harness/factories.ts';
import { openPhone } from '../harness/simulator-phone.ts';
import { eventually } from '../harness/test-platform.ts';

const suite = consoleSuite();
const { sockets, pageErrors } = suite;

const viewport = { width: 1280, height: 900 };
/** Polls wait as long as locators do (vitest's default is one second, short for a busy machine). */
const WAIT = { timeout: 10_000 };

/** An existing user signed in to the console in a browser context of their own. */
async function openConsole(user: { username: string; displayName: string }): Promise<Page> {
  const context = await suite.browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(suite.platform.url);
  await signInOn(page, user);
  return page;
}

async function signInOn(page: Page, user: { username: string; displayName: string }): Promise<void> {
  await page.fill('input[name=username]', user.username);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=me]').getByText(user.displayName).waitFor();
  await page.locator('[data-testid=connection][data-state=connected]').waitFor();
}

describe('pre-set responses and the internal chat, in a real browser', () => {
  it('an agent inserts pre-set responses from the picker and by /shortcut + Tab, and the customer gets them', async () => {
    const { db } = suite.platform.services;
    const channel = await buildSimulatorChannel(db, { name: 'Support line' });
    const agent = await buildUser(db, { role: 'agent', displayName: 'Ana Agent' });
    const campaign = await buildCampaign(db, {
      name: 'Support',
      channelIds: [channel.id],
      memberIds: [agent.id],
      greetingMessage: 'Hi! An agent will be with you shortly.',
    });
    await db.insert(cannedResponses).values([
      { campaignId: campaign.id, shortcut: 'hello', body: 'Hello! My name is {{agent}}, how can I help you?' },
      { campaignId: campaign.id, shortcut: 'bye', body: 'Thanks {{customer}}, have a nice day! (ref {{ticket}})' },
      { campaignId: campaign.id, shortcut: 'billing', body: 'Your bill is available in the customer area.' },
    ]);

    const page = await openConsole(agent);
    await page.selectOption('select[data-testid=presence]', 'available');
    await expect.poll(() => page.locator('select[data-testid=presence]').inputValue(), WAIT).toBe('available');
    const customer = await openPhone(suite.platform.url, channel.id, '099 555 321', sockets);
    expect((await customer.send('Hello, I need help')).status).toBe(200);
    await page.locator('[data-testid=conversation-item]').filter({ hasText: '+59899555321' }).click();
    await page.locator('[data-testid=conversation-header] [data-testid=customer-number]').getByText('+59899555321').waitFor();
    const box = page.locator('[data-testid=reply-input]');
    await expect.poll(() => box.isEnabled(), WAIT).toBe(true);

    // The picker lists the campaign's responses (placeholders filled in the preview), filtered by typing.
    const button = page.locator('[data-testid=canned-button]');
    await expect.poll(() => button.isEnabled(), WAIT).toBe(true);
    await button.click();
    const options = page.locator('[data-testid=canned-popover] [data-testid=canned-option]');
    await expect.poll(() => options.count(), WAIT).toBe(3);
    expect(await options.first().innerText()).toContain('Hello! My name is Ana Agent, how can I help you?');
    await page.fill('[data-testid=canned-filter]', 'hel');
    await expect.poll(() => options.count(), WAIT).toBe(1);
    await screenshot(page, 'canned-1-picker');
    await options.filter({ hasText: '/hello' }).click();
    await page.locator('[data-testid=canned-popover]').waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('Hello! My name is Ana Agent, how can I help you?');

    await page.click('[data-testid=reply-send]');
    await eventually(() => expect(customer.received.map((m) => m.text)).toContain('Hello! My name is Ana Agent, how can I help you?'));

    // `/b` at the start of the box suggests the shortcuts starting with it; `/bye` + Tab inserts it (unknown placeholders stay).
    await box.click();
    await box.pressSequentially('/b');
    const suggestions = page.locator('[data-testid=canned-suggestions] [data-testid=canned-option]');
    await expect.poll(() => suggestions.evaluateAll((items) => items.map((item) => item.getAttribute('data-shortcut'))), WAIT).toEqual(['bye', 'billing']);
    await screenshot(page, 'canned-2-suggestions');
    await box.pressSequentially('ye');
    await expect.poll(() => suggestions.count(), WAIT).toBe(1);
    await box.press('Tab');
    await expect.poll(() => box.inputValue(), WAIT).toBe('Thanks +59899555321, have a nice day! (ref {{ticket}})');
    expect(await page.locator('[data-testid=canned-suggestions]').count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')), WAIT).toBe('reply-input');
    await screenshot(page, 'canned-3-shortcut-inserted');
    await box.press('Enter');
    await eventually(() => expect(customer.received.map((m) => m.text)).toContain('Thanks +59899555321, have a nice day! (ref {{ticket}})'));
    await page.locator('[data-testid=transcript] [data-testid=message][data-author-type=agent]').getByText('have a nice day').waitFor();
    expect(await box.inputValue()).toBe('');

    // On a narrow window the button keeps only its icon and the picker still fits.
    await page.setViewportSize({ width: 420, height: 900 });
    await button.click();
    await expect.poll(() => options.count(), WAIT).toBe(3);
    await screenshot(page, 'canned-4-picker-narrow');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=canned-popover]').waitFor({ state: 'detached' });
    await page.setViewportSize(viewport);

    // Closed: nothing to insert into, and the button says why.
    await page.click('[data-testid=close-conversation]');
    await expect.poll(() => button.isDisabled(), WAIT).toBe(true);
    expect(await button.getAttribute('title')).toBe('This conversation is closed.');
    expect(pageErrors).toEqual([]);
  });

  it('without responses the button is disabled and says why', async () => {
    const { db } = suite.platform.services;
    const channel = await buildSimulatorChannel(db, { name: 'Sales line' });
    const agent = await buildUser(db, { role: 'agent', displayName: 'Bea Agent' });
    await buildCampaign(db, { name: 'Sales', channelIds: [channel.id], memberIds: [agent.id], greetingMessage: 'Hi! One moment.' });
    const page = await openConsole(agent);
    await page.selectOption('select[data-testid=presence]', 'available');
    const customer = await openPhone(suite.platform.url, channel.id, '099 555 654', sockets);
    await customer.send('Hi there');
    await page.locator('[data-testid=conversation-item]').filter({ hasText: '+59899555654' }).click();
    const button = page.locator('[data-testid=canned-button]');
    await expect.poll(() => button.getAttribute('title'), WAIT).toBe('Campaign Sales has no pre-set responses.');
    expect(await button.isDisabled()).toBe(true);
    await page.locator('[data-testid=reply-input]').pressSequentially('/x');
    expect(await page.locator('[data-testid=canned-suggestions]').count()).toBe(0);
    await screenshot(page, 'canned-5-no-responses');
    expect(pageErrors).toEqual([]);
  });

  it('a chat message sent while the agent was signed out shows as unread when they sign in, and after a reload', async () => {
    const { db } = suite.platform.services;
    const agent = await buildUser(db, { role: 'agent', displayName: 'Carl Agent' });
    await buildCampaign(db, { name: 'Chat team', memberIds: [agent.id] });
    const supervisor = await buildUser(db, { role: 'supervisor', displayName: 'Sara Supervisor' });

    // The agent signs in once, then out.
    const agentPage = await openConsole(agent);
    await agentPage.click('[data-testid=logout]');
    await agentPage.locator('input[name=username]').waitFor();

    // The supervisor writes to them from the chat drawer.
    const supervisorPage = await openConsole(supervisor);
    await supervisorPage.click('[data-testid=chat-toggle]');
    await supervisorPage.locator(`select[data-testid=chat-with] option[value="${agent.id}"]`).waitFor({ state: 'attached' });
    await supervisorPage.selectOption('select[data-testid=chat-with]', String(agent.id));
    await supervisorPage.fill('[data-testid=chat-input]', 'Carl, call me when you are in.');
    await supervisorPage.click('[data-testid=chat-send]');
    await supervisorPage.locator('[data-testid=chat-message][data-mine=true]').getByText('call me when you are in').waitFor();

    // The agent signs in: the badge counts the message they missed, and a reload keeps it.
    await signInOn(agentPage, agent);
    await expect.poll(() => agentPage.locator('[data-testid=chat-unread]').innerText(), WAIT).toBe('1');
    await screenshot(agentPage, 'canned-6-chat-unread-after-sign-in');
    await agentPage.reload();
    await agentPage.locator('[data-testid=connection][data-state=connected]').waitFor();
    await expect.poll(() => agentPage.locator('[data-testid=chat-unread]').innerText(), WAIT).toBe('1');

    // Reading it clears the badge, for good: after a reload it stays cleared.
    await agentPage.click('[data-testid=chat-toggle]');
    await agentPage.locator('[data-testid=chat-message][data-mine=false]').getByText('call me when you are in').waitFor();
    expect(await agentPage.locator('[data-testid=chat-unread]').count()).toBe(0);
    expect(await agentPage.locator('select[data-testid=chat-with]').inputValue()).toBe(String(supervisor.id));
    await screenshot(agentPage, 'canned-7-chat-read');

    // A message arriving while the thread is open is read as it comes: the server counts nothing unread,
    // which is what the badge shows after a reload.
    await supervisorPage.fill('[data-testid=chat-input]', 'Thanks!');
    await supervisorPage.click('[data-testid=chat-send]');
    await agentPage.locator('[data-testid=chat-message][data-mine=false]').getByText('Thanks!').waitFor();
    await eventually(async () => {
      const { threads } = (await (await agentPage.request.get(`${suite.platform.url}/api/agent-chat`)).json()) as { threads: AgentChatThread[] };
      expect(threads.map((thread) => [thread.userId, thread.lastMessage, thread.unread])).toEqual([[supervisor.id, 'Thanks!', 0]]);
    });
    expect(await agentPage.locator('[data-testid=chat-unread]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
