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

  it('refuses a break that is not configured', async () => {
    const agent = await buildUser(platform.services.db, { role: 'agent' });
    const cookie = await login(platform.url, agent.username, TEST_PASSWORD);
    const response = await api(platform.url, 'PUT', '/api/presence', { cookie, body: { state: 'break', breakName: 'Nap' } });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ path: 'breakName', message: '"Nap" is not one of the configured breaks' }]);
  });
});
