import { describe, expect, it } from 'vitest';
import { buildCampaign, buildSimulatorChannel, buildUser, TEST_PASSWORD } from '../harness/factories.ts';
import { screenshot, consoleSuite } from '../harness/browser.ts';

const suite = consoleSuite();

describe('console and simulator in a real browser', () => {
  it('customer writes, bot greets and hands off, the agent sees it live, replies, and closes', async () => {
    const { db } = suite.platform.services;
    const channel = await buildSimulatorChannel(db, { name: 'Support line' });
    const agent = await buildUser(db, { role: 'agent', displayName: 'Ana Agent' });
    await buildCampaign(db, {
      name: 'Support',
      channelIds: [channel.id],
      memberIds: [agent.id],
      greetingMessage: 'Hi! Thanks for writing to Support. An agent will be with you shortly.',
    });

    // The agent logs in and becomes available, in a browser context of its own.
    const agentPage = await (await suite.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const pageErrors: string[] = [];
    agentPage.on('pageerror', (error) => pageErrors.push(error.message));
    await agentPage.goto(suite.platform.url);
    await agentPage.fill('input[name=username]', agent.username);
    await agentPage.fill('input[name=password]', TEST_PASSWORD);
    await agentPage.click('button[type=submit]');
    await agentPage.locator('[data-testid=me]').getByText('Ana Agent').waitFor();
    await agentPage.selectOption('select[data-testid=presence]', 'available');
    await expect.poll(() => agentPage.locator('select[data-testid=presence]').inputValue()).toBe('available');
    await screenshot(agentPage, '1-agent-available');

    // The customer writes from the phone simulator, in another context.
    const phone = await (await suite.browser.newContext({ viewport: { width: 420, height: 800 } })).newPage();
    phone.on('pageerror', (error) => pageErrors.push(error.message));
    await phone.goto(`${suite.platform.url}/simulator`);
    await phone.fill('[data-testid=sim-number]', '099 555 123');
    await phone.click('[data-testid=sim-start]');
    await phone.fill('[data-testid=sim-input]', 'Hello, my order did not arrive');
    await phone.click('[data-testid=sim-send]');
    await phone
      .locator('[data-testid=sim-message][data-direction=in]')
      .getByText('Hi! Thanks for writing to Support. An agent will be with you shortly.')
      .waitFor();
    await screenshot(phone, '2-phone-greeted');

    // Without reloading, the conversation appears in the agent's inbox.
    const item = agentPage.locator('[data-testid=conversation-item]').filter({ hasText: '+59899555123' });
    await item.waitFor();
    await item.click();
    const header = agentPage.locator('[data-testid=conversation-header]');
    await expect.poll(() => header.innerText()).toMatch(/Support[\s\S]*\+59899555123|\+59899555123[\s\S]*Support/);
    const transcript = agentPage.locator('[data-testid=transcript]');
    await transcript.locator('[data-testid=message][data-author-type=contact]').getByText('Hello, my order did not arrive').waitFor();
    await transcript.locator('[data-testid=message][data-author-type=bot]').getByText('Thanks for writing to Support').waitFor();
    await screenshot(agentPage, '3-agent-conversation');

    // The agent replies; the reply reaches the phone.
    await agentPage.fill('[data-testid=reply-input]', 'Hi, I am Ana. Let me check your order.');
    await agentPage.click('[data-testid=reply-send]');
    await transcript.locator('[data-testid=message][data-author-type=agent]').getByText('Let me check your order').waitFor();
    await phone.locator('[data-testid=sim-message][data-direction=in]').getByText('Hi, I am Ana. Let me check your order.').waitFor();
    await screenshot(phone, '4-phone-reply');
    await screenshot(agentPage, '5-agent-replied');

    // The agent closes it: it leaves the open inbox and the reply box is disabled.
    await agentPage.click('[data-testid=close-conversation]');
    await item.waitFor({ state: 'detached' });
    await expect.poll(() => agentPage.locator('[data-testid=reply-input]').isDisabled()).toBe(true);
    await screenshot(agentPage, '6-agent-closed');
    expect(pageErrors).toEqual([]);
  });
});
