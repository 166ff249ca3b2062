import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { signPhoneToken } from '../../gateway/simulator/phone-token.ts';
import { screenshot, consoleSuite } from '../harness/browser.ts';
import { buildCampaign, buildSimulatorChannel, buildUser, TEST_PASSWORD } from '../harness/factories.ts';
import { api, collectLogs, eventually, startTestPlatform, type TestPlatform } from '../harness/test-platform.ts';

/**
 * The console on an HTTP-only node, the work (and its live events) on a workers node of its own, as
 * a split installation runs: a frame of the workers node that never reaches the HTTP node must not
 * leave the agent's screen behind.
 */
const suite = consoleSuite({ ROLES: 'http' });
const workerLogs = collectLogs();
let workers: TestPlatform | undefined;
afterAll(async () => {
  await workers?.close();
});

describe('live frames in the console', () => {
  it("an agent's open conversation shows a message whose live event was lost on the way, once the next frame shows the gap", async () => {
    const { db } = suite.platform.services;
    workers = await startTestPlatform({ ROLES: 'workers' }, { databaseUrl: suite.platform.databaseUrl }, { logs: workerLogs.stream });
    const channel = await buildSimulatorChannel(db, { name: 'Frames line' });
    const agent = await buildUser(db, { role: 'agent', displayName: 'Fran Frames' });
    await buildCampaign(db, { name: 'Frames', channelIds: [channel.id], memberIds: [agent.id] });

    const page = await (await suite.browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.on('pageerror', (error) => suite.pageErrors.push(error.message));
    await page.goto(suite.platform.url);
    await page.fill('input[name=username]', agent.username);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=connection][data-state=connected]').waitFor();
    await page.selectOption('select[data-testid=presence]', 'available');
    await expect.poll(() => page.locator('select[data-testid=presence]').inputValue()).toBe('available');

    const customer = '+59899555321';
    const write = async (text: string) => {
      const headers = { 'x-simulator-token': signPhoneToken(channel.secrets.signingKey!, channel.id, customer) };
      const response = await api(suite.platform.url, 'POST', `/webhooks/${channel.id}`, { headers, body: { type: 'message', id: randomUUID(), text } });
      expect(response.status).toBe(200);
    };
    // Worked on the workers node, seen live on the HTTP node.
    await write('Hello, anyone there?');
    const item = page.locator('[data-testid=conversation-item]').filter({ hasText: customer });
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    const contact = page.locator('[data-testid=transcript] [data-testid=message][data-author-type=contact]');
    await contact.getByText('Hello, anyone there?').waitFor();

    // The next message's frame is too large for a NOTIFY, and its row cannot be written: it is lost.
    const admin = postgres(suite.platform.databaseUrl, { max: 1, onnotice: () => {} });
    await admin`alter table live_event_attachments rename to live_event_attachments_away`;
    try {
      const long = `My order number is 4471 ${'ñ'.repeat(4000)}`;
      await write(long);
      await eventually(() => expect(workerLogs.text()).toContain('live events between nodes: database error'));
      // The workers node numbers the frame's rooms again; the console sees a number skipped and reads the conversation again.
      await contact.getByText('My order number is 4471').waitFor({ timeout: 30_000 });
    } finally {
      await admin`alter table live_event_attachments_away rename to live_event_attachments`;
      await admin.end();
    }
    await screenshot(page, 'live-frames-1-gap-read-again');

    // Frames go on as before.
    await write('Thanks!');
    await contact.getByText('Thanks!').waitFor();
    expect(suite.pageErrors).toEqual([]);
  });
});
