import { asc, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { NEW_CAMPAIGN_DEFAULTS } from '../../console/ui/src/console/features/campaigns/campaign-draft.ts';
import {
  agentPresence,
  campaignChannels,
  campaignMembers,
  campaigns,
  cannedResponses,
  contactAddresses,
  contacts,
  conversations,
} from '../../db/schema/index.ts';
import { screenshot, consoleSuite } from '../harness/browser.ts';
import { buildCampaign, buildSchedule, buildSimulatorChannel, buildUser } from '../harness/factories.ts';

const suite = consoleSuite({ ROLES: 'http,workers' });
const { pageErrors, signIn } = suite;

const db = () => suite.platform.services.db;
const row = (page: Page, name: string) => page.locator('[data-testid=campaign-row]').filter({ hasText: name });

/** Adds a closed conversation on the campaign, so the campaign has history and can no longer be deleted. */
async function conversationOn(campaignId: number, channelId: number) {
  const [contact] = await db().insert(contacts).values({ name: 'Past customer' }).returning();
  const [address] = await db().insert(contactAddresses).values({ contactId: contact!.id, channelId, address: '+59899000111' }).returning();
  await db().insert(conversations).values({
    channelId,
    contactId: contact!.id,
    contactAddressId: address!.id,
    campaignId,
    status: 'closed',
    closeReason: 'agent_closed',
    closedAt: new Date(),
  });
}

describe('Campaigns and Members pages in a real browser', () => {
  it('a new campaign form starts from the database defaults', async () => {
    const [stored] = await db().insert(campaigns).values({ name: 'Only a name' }).returning();
    const { channelIds: _channels, cannedResponses: _responses, ...columns } = NEW_CAMPAIGN_DEFAULTS;
    expect(Object.fromEntries(Object.keys(columns).map((key) => [key, stored![key as keyof typeof stored]]))).toEqual(columns);
    await db().delete(campaigns).where(eq(campaigns.id, stored!.id));
  });

  it('an admin creates a campaign with a DID-Port and a pre-set response, sees field errors beside their fields, and edits it', async () => {
    const channel = await buildSimulatorChannel(db(), { name: 'Front desk SMS' });
    const schedule = await buildSchedule(db(), { timeZone: 'America/Montevideo' });
    const page = await signIn('admin', 'Ada Admin');
    await page.click('[data-testid=nav-campaigns]');
    await page.locator('[data-testid=campaigns-page]').waitFor();
    await page.click('[data-testid=new-campaign]');
    const form = page.locator('[data-testid=campaign-form]');
    await form.waitFor();

    // Basic settings: name, a DID-Port typed as a tag, the channel, linear strategy, the schedule.
    await page.fill('[data-testid=campaign-name]', 'Sales UY');
    await page.fill('[data-testid=did-port-input]', '5001');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=did-port]').getByText('5001').waitFor();
    await page.check(`[data-testid=campaign-channel-option][data-channel-id="${channel.id}"] input`);
    await page.selectOption('[data-testid=campaign-strategy]', 'linear');
    expect(await page.locator('[data-testid=strategy-explanation]').innerText()).toContain('member order');
    await page.selectOption('[data-testid=campaign-schedule]', String(schedule.id));
    await page.fill('[data-testid=campaign-greetingMessage]', 'Hi! An agent will be with you shortly.');
    await screenshot(page, 'campaigns-0-basic-settings');

    // A pre-set response with a shortcut the server refuses: the error shows beside that shortcut.
    await page.click('[data-testid=canned-add]');
    const firstResponse = page.locator('[data-testid=canned-row][data-index="0"]');
    await firstResponse.locator('[data-testid=canned-shortcut]').fill('opening hours!');
    await firstResponse.locator('[data-testid=canned-body]').fill('We are open 9 to 18, Monday to Friday.');
    await page.click('[data-testid=campaign-save]');
    await firstResponse.locator('[data-testid=field-error][data-path="cannedResponses.0.shortcut"]').getByText('letters, digits').waitFor();
    expect(await firstResponse.locator('[data-testid=canned-shortcut]').getAttribute('aria-invalid')).toBe('true');
    await page.locator('[data-testid=campaign-banner]').getByText('refused the marked fields').waitFor();
    expect(await db().select().from(campaigns).where(eq(campaigns.name, 'Sales UY'))).toEqual([]);
    await screenshot(page, 'campaigns-1-shortcut-error');

    // Fixed: created, the URL names it and the list shows it.
    await firstResponse.locator('[data-testid=canned-shortcut]').fill('hours');
    await page.click('[data-testid=campaign-save]');
    const detail = page.locator('[data-testid=campaign-detail]:not([data-campaign-id=new])');
    await detail.waitFor();
    const id = Number(await detail.getAttribute('data-campaign-id'));
    expect(new URL(page.url()).hash).toBe(`#/campaigns/${id}`);
    await row(page, 'Sales UY').getByText('Front desk SMS').waitFor();
    expect(await row(page, 'Sales UY').locator('[data-testid=campaign-strategy-label]').innerText()).toBe('Linear');
    const created = await db().query.campaigns.findFirst({ where: eq(campaigns.id, id) });
    expect(created).toMatchObject({
      didPorts: ['5001'],
      strategy: 'linear',
      scheduleId: schedule.id,
      greetingMessage: 'Hi! An agent will be with you shortly.',
      serviceLevelSeconds: 60,
    });
    expect(await db().select({ channelId: campaignChannels.channelId }).from(campaignChannels).where(eq(campaignChannels.campaignId, id))).toEqual([
      { channelId: channel.id },
    ]);
    expect(
      await db().select({ shortcut: cannedResponses.shortcut, body: cannedResponses.body }).from(cannedResponses).where(eq(cannedResponses.campaignId, id)),
    ).toEqual([{ shortcut: 'hours', body: 'We are open 9 to 18, Monday to Friday.' }]);

    // Edit: a second DID-Port, a tighter service level, a second response.
    await page.fill('[data-testid=did-port-input]', '5002');
    await page.keyboard.press('Enter');
    await page.fill('[data-testid=campaign-serviceLevelSeconds]', '30');
    await page.click('[data-testid=canned-add]');
    const second = page.locator('[data-testid=canned-row][data-index="1"]');
    await second.locator('[data-testid=canned-shortcut]').fill('price');
    await second.locator('[data-testid=canned-body]').fill('Prices are on our website.');
    await page.click('[data-testid=campaign-save]');
    await page.locator('[data-testid=campaign-saved]').waitFor();
    await row(page, 'Sales UY').getByText('5001, 5002').waitFor();
    const edited = await db().query.campaigns.findFirst({ where: eq(campaigns.id, id) });
    expect(edited).toMatchObject({ didPorts: ['5001', '5002'], serviceLevelSeconds: 30, strategy: 'linear' });
    expect(
      await db()
        .select({ shortcut: cannedResponses.shortcut })
        .from(cannedResponses)
        .where(eq(cannedResponses.campaignId, id))
        .orderBy(asc(cannedResponses.id)),
    ).toEqual([{ shortcut: 'hours' }, { shortcut: 'price' }]);
    await screenshot(page, 'campaigns-2-edited');

    // Another campaign: a taken name is a banner (409); a DID-Port taken on the same channel shows on its tag.
    await page.click('[data-testid=new-campaign]');
    await page.locator('[data-testid=campaign-detail][data-campaign-id=new]').waitFor();
    await page.fill('[data-testid=campaign-name]', 'Sales UY');
    await page.click('[data-testid=campaign-save]');
    await page.locator('[data-testid=campaign-banner]').getByText('already exists').waitFor();
    await page.fill('[data-testid=campaign-name]', 'Support UY');
    await page.check(`[data-testid=campaign-channel-option][data-channel-id="${channel.id}"] input`);
    await page.fill('[data-testid=did-port-input]', '5002');
    await page.keyboard.press('Enter');
    await page.click('[data-testid=campaign-save]');
    await page.locator('[data-testid=field-error][data-path="didPorts.0"]').getByText('already a DID-Port of campaign "Sales UY"').waitFor();
    expect(await page.locator('[data-testid=did-port][data-index="0"]').getAttribute('class')).toContain('tag-invalid');
    await screenshot(page, 'campaigns-3-did-port-taken');
    await page.click('[data-testid=did-port][data-index="0"] button');
    await page.fill('[data-testid=did-port-input]', '6001');
    await page.keyboard.press('Enter');
    await page.click('[data-testid=campaign-save]');
    await page.locator('[data-testid=campaign-detail]:not([data-campaign-id=new])').waitFor();
    const supportId = Number(await page.locator('[data-testid=campaign-detail]').getAttribute('data-campaign-id'));

    // Delete: Support UY has no history and goes; Sales UY has a conversation, so the refusal offers to disable it.
    await page.click('[data-testid=campaign-delete]');
    await page.click('[data-testid=campaign-delete-confirm]');
    await row(page, 'Support UY').waitFor({ state: 'detached' });
    expect(await db().query.campaigns.findFirst({ where: eq(campaigns.id, supportId) })).toBeUndefined();
    await conversationOn(id, channel.id);
    await row(page, 'Sales UY').locator('[data-testid=campaign-link]').click();
    await page.click('[data-testid=campaign-delete]');
    await page.click('[data-testid=campaign-delete-confirm]');
    await page.locator('[data-testid=campaign-delete-refused]').getByText('disable it instead').waitFor();
    await screenshot(page, 'campaigns-4-delete-refused');
    await page.click('[data-testid=campaign-disable-instead]');
    await expect.poll(() => page.locator('[data-testid=campaign-enabled-badge]').innerText()).toBe('Disabled');
    expect((await db().query.campaigns.findFirst({ where: eq(campaigns.id, id) }))!.enabled).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('a supervisor adds two agents to two campaigns at once, then reorders one campaign for the linear strategy', async () => {
    const veteran = await buildUser(db(), { role: 'agent', displayName: 'Vera Veteran' });
    const north = await buildCampaign(db(), { name: 'North queue', strategy: 'linear', memberIds: [veteran.id] });
    const south = await buildCampaign(db(), { name: 'South queue' });
    const ana = await buildUser(db(), { role: 'agent', displayName: 'Ana Agent' });
    const bruno = await buildUser(db(), { role: 'agent', displayName: 'Bruno Agent' });
    await db()
      .insert(agentPresence)
      .values([
        { userId: ana.id, state: 'available' },
        { userId: veteran.id, state: 'break', breakName: 'Lunch' },
      ]);
    const page = await signIn('supervisor', 'Sam Supervisor');
    await page.click('[data-testid=nav-members]');
    await page.locator('[data-testid=members-page]').waitFor();

    // The seed's three columns: tick both campaigns, both agents, then Add.
    const campaign = (id: number) => page.locator(`[data-testid=member-campaign][data-campaign-id="${id}"] input`);
    const agent = (id: number) => page.locator(`[data-testid=member-agent][data-user-id="${id}"] input`);
    // Each agent shows their presence as a dot.
    const dot = (id: number) => page.locator(`[data-testid=member-agent][data-user-id="${id}"] .presence-dot`);
    await expect.poll(() => dot(ana.id).getAttribute('class')).toContain('presence-dot-available');
    expect(await dot(veteran.id).getAttribute('title')).toBe('On break: Lunch');
    expect(await dot(bruno.id).getAttribute('class')).toContain('presence-dot-offline');
    await campaign(north.id).check();
    await campaign(south.id).check();
    await agent(ana.id).check();
    await agent(bruno.id).check();
    await page.click('[data-testid=members-add]');
    await page.locator('[data-testid=members-status]').getByText('Added 4 memberships').waitFor();
    const group = (id: number) => page.locator(`[data-testid=member-group][data-campaign-id="${id}"]`);
    await expect
      .poll(() => group(north.id).locator('[data-testid=member]').allInnerTexts())
      .toEqual([expect.stringContaining('Vera Veteran'), expect.stringContaining('Ana Agent'), expect.stringContaining('Bruno Agent')]);
    await expect.poll(() => group(south.id).locator('[data-testid=member]').count()).toBe(2);
    await screenshot(page, 'members-1-added-to-two-campaigns');

    // North alone: its members in order, with the linear hint; Bruno moves to the top and the order is saved.
    await campaign(south.id).uncheck();
    const order = page.locator('[data-testid=member-order] [data-testid=member]');
    await expect.poll(() => order.count()).toBe(3);
    await page.locator('[data-testid=member-group]').getByText('Linear').first().waitFor();
    const brunoRow = page.locator(`[data-testid=member-order] [data-testid=member][data-user-id="${bruno.id}"]`);
    await brunoRow.locator('[data-testid=member-up]').click();
    await brunoRow.locator('[data-testid=member-up]').click();
    await expect
      .poll(() => order.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-user-id')))))
      .toEqual([bruno.id, veteran.id, ana.id]);
    await page.click('[data-testid=members-save-order]');
    await page.locator('[data-testid=members-status]').getByText('Order saved').waitFor();
    await screenshot(page, 'members-2-reordered');

    const positions = await db()
      .select({ userId: campaignMembers.userId, position: campaignMembers.position })
      .from(campaignMembers)
      .where(eq(campaignMembers.campaignId, north.id))
      .orderBy(asc(campaignMembers.position));
    expect(positions).toEqual([
      { userId: bruno.id, position: 1 },
      { userId: veteran.id, position: 2 },
      { userId: ana.id, position: 3 },
    ]);
    const southMembers = await db().select({ userId: campaignMembers.userId }).from(campaignMembers).where(eq(campaignMembers.campaignId, south.id));
    expect(southMembers.map((member) => member.userId).sort((a, b) => a - b)).toEqual([ana.id, bruno.id].sort((a, b) => a - b));

    // Remove: Ana leaves North only.
    await agent(bruno.id).uncheck();
    await page.click('[data-testid=members-remove]');
    await page.locator('[data-testid=members-status]').getByText('Removed 1 membership').waitFor();
    await expect.poll(() => order.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-user-id'))))).toEqual([bruno.id, veteran.id]);
    expect(pageErrors).toEqual([]);
  });
});
