import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPresence, securityGroups, userSecurityGroups } from '../db/schema/index.ts';
import { signPhoneToken } from '../gateway/simulator/phone-token.ts';
import type { ConversationSummary } from '../contract/conversations.ts';
import { buildCampaign, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, eventually, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

describe('who sees which conversation', () => {
  it('scopes supervisors to their security groups and agents to their own conversations', async () => {
    const { db } = platform.services;
    const [sales, support] = await db
      .insert(securityGroups)
      .values([{ name: `sales-${randomUUID()}` }, { name: `support-${randomUUID()}` }])
      .returning();
    const salesAgent = await buildUser(db, { role: 'agent' });
    const supportAgent = await buildUser(db, { role: 'agent' });
    const salesSupervisor = await buildUser(db, { role: 'supervisor' });
    await db.insert(userSecurityGroups).values({ userId: salesSupervisor.id, securityGroupId: sales!.id });
    await db.insert(agentPresence).values([
      { userId: salesAgent.id, state: 'available' },
      { userId: supportAgent.id, state: 'available' },
    ]);
    const salesLine = await buildSimulatorChannel(db);
    const supportLine = await buildSimulatorChannel(db);
    await buildCampaign(db, { channelIds: [salesLine.id], memberIds: [salesAgent.id], securityGroupId: sales!.id });
    await buildCampaign(db, { channelIds: [supportLine.id], memberIds: [supportAgent.id], securityGroupId: support!.id });
    for (const channel of [salesLine, supportLine]) {
      await api(platform.url, 'POST', `/webhooks/${channel.id}`, {
        headers: { 'x-simulator-token': signPhoneToken(channel.secrets.signingKey!, channel.id, '+59899888777') },
        body: { type: 'message', id: randomUUID(), text: 'Hi' },
      });
    }
    const salesCookie = await login(platform.url, salesAgent.username, TEST_PASSWORD);
    const supportCookie = await login(platform.url, supportAgent.username, TEST_PASSWORD);
    const supervisorCookie = await login(platform.url, salesSupervisor.username, TEST_PASSWORD);
    const list = async (cookie: string, scope: string) =>
      (await api<{ conversations: ConversationSummary[] }>(platform.url, 'GET', `/api/conversations?scope=${scope}`, { cookie })).body.conversations;

    const [salesConversation] = await eventually(async () => {
      const mine = await list(salesCookie, 'mine');
      expect(mine).toHaveLength(1);
      return mine;
    });
    const [supportConversation] = await eventually(async () => {
      const mine = await list(supportCookie, 'mine');
      expect(mine).toHaveLength(1);
      return mine;
    });

    const supervisorView = (await list(supervisorCookie, 'all')).filter((c) => [salesLine.id, supportLine.id].includes(c.channel.id));
    expect(supervisorView.map((c) => c.id)).toEqual([salesConversation!.id]);
    expect((await api(platform.url, 'GET', `/api/conversations/${supportConversation!.id}`, { cookie: supervisorCookie })).status).toBe(404);
    expect((await api(platform.url, 'GET', `/api/conversations?scope=all`, { cookie: salesCookie })).status).toBe(403);

    // Another agent's conversation is invisible: it cannot be read, answered or closed.
    for (const [method, path, body] of [
      ['GET', `/api/conversations/${supportConversation!.id}`, undefined],
      ['POST', `/api/conversations/${supportConversation!.id}/messages`, { body: 'sneaky' }],
      ['POST', `/api/conversations/${supportConversation!.id}/close`, undefined],
    ] as const) {
      expect((await api(platform.url, method, path, { cookie: salesCookie, body })).status).toBe(404);
    }
    // A supervisor of the group may read but not answer in the agent's place.
    const reply = await api(platform.url, 'POST', `/api/conversations/${salesConversation!.id}/messages`, { cookie: supervisorCookie, body: { body: 'hi' } });
    expect(reply.status).toBe(409);
  });

  it("answers an agent's take of a conversation outside their campaigns as if it did not exist, whatever its state", async () => {
    const { db } = platform.services;
    const agent = await buildUser(db, { role: 'agent' });
    const theirs = await buildSimulatorChannel(db);
    const other = await buildSimulatorChannel(db);
    await buildCampaign(db, { channelIds: [theirs.id], memberIds: [agent.id], greetingMessage: null });
    const elsewhere = await buildCampaign(db, { name: `Secret ${randomUUID()}`, channelIds: [other.id], greetingMessage: null });
    await api(platform.url, 'POST', `/webhooks/${other.id}`, {
      headers: { 'x-simulator-token': signPhoneToken(other.secrets.signingKey!, other.id, '+59899777666') },
      body: { type: 'message', id: randomUUID(), text: 'Hi' },
    });
    const [conversation] = await eventually(async () => {
      const rows = await db.query.conversations.findMany({ where: (c, { eq }) => eq(c.campaignId, elsewhere.id) });
      expect(rows).toHaveLength(1);
      return rows;
    });
    const cookie = await login(platform.url, agent.username, TEST_PASSWORD);
    const missing = await api(platform.url, 'POST', '/api/conversations/2000000000/take', { cookie });
    const hidden = await api(platform.url, 'POST', `/api/conversations/${conversation!.id}/take`, { cookie });
    expect(missing.status).toBe(404);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(missing.body);
    expect(JSON.stringify(hidden.body)).not.toContain('Secret');
  });

  it('refuses a break that is not configured', async () => {
    const agent = await buildUser(platform.services.db, { role: 'agent' });
    const cookie = await login(platform.url, agent.username, TEST_PASSWORD);
    const response = await api(platform.url, 'PUT', '/api/presence', { cookie, body: { state: 'break', breakName: 'Nap' } });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ path: 'breakName', message: '"Nap" is not one of the configured breaks' }]);
  });
});
