import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, CampaignMember, CampaignView } from '../contract/campaigns.ts';
import {
  agentPresence,
  auditLog,
  campaignChannels,
  campaignMembers,
  cannedResponses,
  conversations,
  dialers,
  securityGroups,
  spool,
  userSecurityGroups,
} from '../db/schema/index.ts';
import { signPhoneToken } from '../gateway/simulator/phone-token.ts';
import { buildBotFlow, buildCampaign, buildSchedule, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, eventually, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
let admin: { id: number; cookie: string };

beforeAll(async () => {
  platform = await startTestPlatform();
  const user = await buildUser(platform.services.db, { role: 'admin' });
  admin = { id: user.id, cookie: await login(platform.url, user.username, TEST_PASSWORD) };
});
afterAll(() => platform.close());

const call = <T = any>(method: string, path: string, cookie: string, body?: unknown) => api<T>(platform.url, method, path, { cookie, body });
const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;

async function userWithCookie(role: 'agent' | 'supervisor', groupIds: number[] = []) {
  const user = await buildUser(platform.services.db, { role });
  if (groupIds.length) await platform.services.db.insert(userSecurityGroups).values(groupIds.map((securityGroupId) => ({ userId: user.id, securityGroupId })));
  return { ...user, cookie: await login(platform.url, user.username, TEST_PASSWORD) };
}

async function group(name = unique('group')) {
  const [row] = await platform.services.db.insert(securityGroups).values({ name }).returning();
  return row!;
}

const auditOf = (campaignId: number) =>
  platform.services.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetType, 'campaign'), eq(auditLog.targetId, String(campaignId))))
    .orderBy(auditLog.id);

/** A customer writes to a simulator channel: the conversation lands in the channel's campaign. */
async function customerWrites(channel: { id: number; secrets: { signingKey?: string } }, number: string) {
  const response = await api(platform.url, 'POST', `/webhooks/${channel.id}`, {
    headers: { 'x-simulator-token': signPhoneToken(channel.secrets.signingKey!, channel.id, number) },
    body: { type: 'message', id: randomUUID(), text: 'Hello' },
  });
  expect(response.status).toBe(200);
}

describe('campaign settings', () => {
  it('creates with the database defaults, reads, updates, and deletes with its members, channels and canned responses', async () => {
    const { db } = platform.services;
    const minimal = await call<CampaignView>('POST', '/api/campaigns', admin.cookie, { name: `  ${unique('Minimal')}  ` });
    expect(minimal.status).toBe(201);
    expect(minimal.body).toMatchObject({
      name: expect.stringMatching(/^Minimal \w+$/),
      strategy: 'fewest_active',
      maxInteractionsPerAgent: 3,
      serviceLevelSeconds: 60,
      acdMaxWaiting: 50,
      enabled: true,
      didPorts: [],
      channelIds: [],
      cannedResponses: [],
      optOutKeywords: expect.arrayContaining(['STOP', 'BAJA']),
      schedule: null,
      memberCount: 0,
    });

    const channel = await buildSimulatorChannel(db);
    const schedule = await buildSchedule(db, { timeZone: 'America/Montevideo' });
    const flow = await buildBotFlow(db, { start: 'welcome', nodes: {} });
    const sales = await group();
    const name = unique('Sales');
    const created = await call<CampaignView>('POST', '/api/campaigns', admin.cookie, {
      name,
      didPorts: ['+59820001111', 'port-3'],
      channelIds: [channel.id],
      strategy: 'linear',
      scheduleId: schedule.id,
      greetingMessage: 'Welcome!',
      outOfTimeMessage: '',
      serviceLevelSeconds: 30,
      churnSeconds: 600,
      chatTimeSeconds: 1200,
      acdMaxWaiting: 0,
      acdFullAction: 'stay_with_bot',
      maxInteractionsPerAgent: 5,
      agentAnswerTimeoutSeconds: 120,
      stickyAgent: true,
      securityGroupId: sales.id,
      botFlowId: flow.id,
      cannedResponses: [
        { shortcut: 'hi', body: 'Hello, how can I help?' },
        { shortcut: 'bye_now', body: 'Thank you for writing.' },
      ],
      optOutKeywords: ['SALIR'],
      helpMessage: 'Ask us anything.',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name,
      didPorts: ['+59820001111', 'port-3'],
      channelIds: [channel.id],
      channels: [{ id: channel.id, name: channel.name, type: 'simulator' }],
      strategy: 'linear',
      schedule: { id: schedule.id, name: schedule.name, timeZone: 'America/Montevideo' },
      outOfTimeMessage: null,
      acdMaxWaiting: 0,
      agentAnswerTimeoutSeconds: 120,
      securityGroup: { id: sales.id, name: sales.name },
      botFlow: { id: flow.id, name: flow.name, version: 1 },
      cannedResponses: [
        { shortcut: 'hi', body: 'Hello, how can I help?' },
        { shortcut: 'bye_now', body: 'Thank you for writing.' },
      ],
      optOutKeywords: ['SALIR'],
      optInKeywords: ['START', 'ALTA'],
      helpMessage: 'Ask us anything.',
    });
    const id = created.body.id;
    expect((await call<CampaignView>('GET', `/api/campaigns/${id}`, admin.cookie)).body).toEqual(created.body);
    const listed = await call<{ campaigns: CampaignView[] }>('GET', '/api/campaigns', admin.cookie);
    expect(listed.body.campaigns.map((campaign) => campaign.id)).toEqual(expect.arrayContaining([minimal.body.id, id]));

    const patched = await call<CampaignView>('PATCH', `/api/campaigns/${id}`, admin.cookie, {
      maxInteractionsPerAgent: 5, // unchanged: not reported as changed
      enabled: false,
      channelIds: [],
      cannedResponses: [{ shortcut: 'hi', body: 'Hi again' }],
      agentAnswerTimeoutSeconds: null,
    });
    expect(patched.status).toBe(200);
    // A PATCH changes only what it names.
    expect(patched.body).toMatchObject({
      name,
      enabled: false,
      channels: [],
      cannedResponses: [{ shortcut: 'hi', body: 'Hi again' }],
      agentAnswerTimeoutSeconds: null,
      strategy: 'linear',
      stickyAgent: true,
    });

    const agent = await buildUser(db, { role: 'agent' });
    expect((await call('PUT', `/api/campaigns/${id}/members`, admin.cookie, { userIds: [agent.id] })).status).toBe(200);
    expect((await call('PATCH', `/api/campaigns/${id}`, admin.cookie, { channelIds: [channel.id] })).status).toBe(200);
    expect((await call('DELETE', `/api/campaigns/${id}`, admin.cookie)).status).toBe(204);
    expect((await call('GET', `/api/campaigns/${id}`, admin.cookie)).status).toBe(404);
    expect(await db.$count(campaignMembers, eq(campaignMembers.campaignId, id))).toBe(0);
    expect(await db.$count(campaignChannels, eq(campaignChannels.campaignId, id))).toBe(0);
    expect(await db.$count(cannedResponses, eq(cannedResponses.campaignId, id))).toBe(0);
    expect((await call('DELETE', `/api/campaigns/${id}`, admin.cookie)).status).toBe(404);

    const audit = await auditOf(id);
    expect(audit.map((row) => [row.action, row.actorUserId])).toEqual([
      ['campaign.created', admin.id],
      ['campaign.updated', admin.id],
      ['campaign.members_changed', admin.id],
      ['campaign.updated', admin.id],
      ['campaign.deleted', admin.id],
    ]);
    const fields = (audit[1]!.details as { fields: string[] }).fields;
    expect([...fields].sort()).toEqual(['agentAnswerTimeoutSeconds', 'cannedResponses', 'channelIds', 'enabled']);
  });

  it('refuses each invalid field at its path and saves nothing', async () => {
    const { db } = platform.services;
    const long = (length: number) => 'x'.repeat(length);
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '   ' }, 'name'],
      [{ name: long(101) }, 'name'],
      [{ name: undefined }, 'name'],
      [{ didPorts: ['1000', ' 1000 '] }, 'didPorts.1'],
      [{ didPorts: [long(65)] }, 'didPorts.0'],
      [{ didPorts: [''] }, 'didPorts.0'],
      [{ channelIds: [999_999] }, 'channelIds.0'],
      [{ scheduleId: 999_999 }, 'scheduleId'],
      [{ botFlowId: 999_999 }, 'botFlowId'],
      [{ securityGroupId: 999_999 }, 'securityGroupId'],
      [{ strategy: 'loudest' }, 'strategy'],
      [{ serviceLevelSeconds: 0 }, 'serviceLevelSeconds'],
      [{ churnSeconds: 86_401 }, 'churnSeconds'],
      [{ chatTimeSeconds: 1.5 }, 'chatTimeSeconds'],
      [{ acdMaxWaiting: -1 }, 'acdMaxWaiting'],
      [{ acdMaxWaiting: 100_001 }, 'acdMaxWaiting'],
      [{ maxInteractionsPerAgent: 0 }, 'maxInteractionsPerAgent'],
      [{ maxInteractionsPerAgent: 101 }, 'maxInteractionsPerAgent'],
      [{ agentAnswerTimeoutSeconds: 9 }, 'agentAnswerTimeoutSeconds'],
      [{ agentAnswerTimeoutSeconds: 86_401 }, 'agentAnswerTimeoutSeconds'],
      [{ cannedResponses: [{ shortcut: 'no spaces', body: 'x' }] }, 'cannedResponses.0.shortcut'],
      [{ cannedResponses: [{ shortcut: long(33), body: 'x' }] }, 'cannedResponses.0.shortcut'],
      [
        {
          cannedResponses: [
            { shortcut: 'hi', body: 'a' },
            { shortcut: 'HI', body: 'b' },
          ],
        },
        'cannedResponses.1.shortcut',
      ],
      [{ cannedResponses: [{ shortcut: 'hi', body: ' ' }] }, 'cannedResponses.0.body'],
      [{ cannedResponses: [{ shortcut: 'hi', body: long(4097) }] }, 'cannedResponses.0.body'],
      [{ cannedResponses: Array.from({ length: 201 }, (_, i) => ({ shortcut: `s${i}`, body: 'x' })) }, 'cannedResponses'],
      [{ optOutKeywords: [] }, 'optOutKeywords'],
      [{ optOutKeywords: Array.from({ length: 21 }, (_, i) => `W${i}`) }, 'optOutKeywords'],
      [{ optInKeywords: [long(31)] }, 'optInKeywords.0'],
      [{ optInKeywords: ['GO', 'go'] }, 'optInKeywords.1'],
      [{ helpKeywords: ['stop'] }, 'helpKeywords.0'], // STOP is a default opt-out keyword
      [{ optOutKeywords: ['SALIR'], optInKeywords: ['Salír'] }, 'optInKeywords.0'],
      [{ greetingMessage: long(1025) }, 'greetingMessage'],
      [{ optOutMessage: '' }, 'optOutMessage'],
      [{ helpMessage: long(1025) }, 'helpMessage'],
    ];
    const before = await db.$count(auditLog);
    for (const [fields, path] of cases) {
      const response = await call('POST', '/api/campaigns', admin.cookie, { name: unique('Refused'), ...fields });
      expect(response.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details, JSON.stringify(fields).slice(0, 80)).toContainEqual({ path, message: expect.any(String) });
    }
    const { body } = await call<{ campaigns: CampaignView[] }>('GET', '/api/campaigns', admin.cookie);
    expect(body.campaigns.filter((campaign) => campaign.name.startsWith('Refused'))).toEqual([]);
    expect(await db.$count(auditLog)).toBe(before);
  });

  it('refuses a taken name, a DID-Port another campaign uses on a shared channel, and keyword clashes on PATCH', async () => {
    const { db } = platform.services;
    const shared = await buildSimulatorChannel(db);
    const other = await buildSimulatorChannel(db);
    const first = await buildCampaign(db, { channelIds: [shared.id], didPorts: ['7000'] });
    const duplicate = await call('POST', '/api/campaigns', admin.cookie, { name: first.name });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.message).toBe(`A campaign named "${first.name}" already exists`);

    const clash = await call('POST', '/api/campaigns', admin.cookie, { name: unique('Clash'), channelIds: [other.id, shared.id], didPorts: ['7001', '7000'] });
    expect(clash.status).toBe(400);
    expect(clash.body.error.details).toEqual([
      { path: 'didPorts.1', message: `"7000" is already a DID-Port of campaign "${first.name}" on channel "${shared.name}"` },
    ]);
    // The same DID on a channel the campaigns do not share is fine; moving onto the shared channel is not.
    const second = await call<CampaignView>('POST', '/api/campaigns', admin.cookie, { name: unique('Other line'), channelIds: [other.id], didPorts: ['7000'] });
    expect(second.status).toBe(201);
    const moved = await call('PATCH', `/api/campaigns/${second.body.id}`, admin.cookie, { channelIds: [shared.id] });
    expect(moved.status).toBe(400);
    expect(moved.body.error.details[0].path).toBe('didPorts.0');
    const renamed = await call('PATCH', `/api/campaigns/${second.body.id}`, admin.cookie, { name: first.name });
    expect(renamed.status).toBe(409);
    // Its own name and DID-Ports are not a clash with itself.
    expect((await call('PATCH', `/api/campaigns/${second.body.id}`, admin.cookie, { name: second.body.name, didPorts: ['7000'] })).status).toBe(200);

    const keywords = await call('PATCH', `/api/campaigns/${second.body.id}`, admin.cookie, { helpKeywords: ['AYUDA', 'Baja'] });
    expect(keywords.status).toBe(400);
    expect(keywords.body.error.details).toEqual([{ path: 'helpKeywords.1', message: '"Baja" is already one of the optOutKeywords' }]);
    const missing = await call('PATCH', `/api/campaigns/${second.body.id}`, admin.cookie, { scheduleId: 999_999, channelIds: [shared.id, 999_998] });
    expect(missing.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'scheduleId', message: 'There is no schedule 999999' },
        { path: 'channelIds.1', message: 'There is no channel 999998' },
      ]),
    );
  });
});

describe('who sees and changes which campaign', () => {
  it('scopes supervisors to their security groups and agents to their member campaigns', async () => {
    const { db } = platform.services;
    const sales = await group();
    const support = await group();
    const salesSupervisor = await userWithCookie('supervisor', [sales.id]);
    const agent = await userWithCookie('agent');
    const salesCampaign = await buildCampaign(db, { securityGroupId: sales.id, memberIds: [agent.id] });
    const supportCampaign = await buildCampaign(db, { securityGroupId: support.id });
    const openCampaign = await buildCampaign(db);

    const seen = async (cookie: string) => (await call<{ campaigns: CampaignView[] }>('GET', '/api/campaigns', cookie)).body.campaigns.map((c) => c.id);
    const ours = [salesCampaign.id, supportCampaign.id, openCampaign.id];
    expect((await seen(salesSupervisor.cookie)).filter((id) => ours.includes(id)).sort()).toEqual([salesCampaign.id, openCampaign.id].sort());
    expect(await seen(agent.cookie)).toEqual([salesCampaign.id]);
    expect((await seen(admin.cookie)).filter((id) => ours.includes(id)).sort()).toEqual([...ours].sort());

    for (const [method, path, body] of [
      ['GET', `/api/campaigns/${supportCampaign.id}`, undefined],
      ['PATCH', `/api/campaigns/${supportCampaign.id}`, { enabled: false }],
      ['GET', `/api/campaigns/${supportCampaign.id}/members`, undefined],
      ['PUT', `/api/campaigns/${supportCampaign.id}/members`, { userIds: [] }],
    ] as const) {
      expect((await call(method, path, salesSupervisor.cookie, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await call('GET', `/api/campaigns/${openCampaign.id}`, agent.cookie)).status).toBe(404);
    const asAgent = await call<CampaignView>('GET', `/api/campaigns/${salesCampaign.id}`, agent.cookie);
    expect(asAgent.body).toMatchObject({ id: salesCampaign.id, cannedResponses: [] });
    expect((await call('PATCH', `/api/campaigns/${salesCampaign.id}`, agent.cookie, { enabled: false })).status).toBe(403);
    expect((await call('POST', '/api/campaigns', salesSupervisor.cookie, { name: unique('Nope') })).status).toBe(403);
    expect((await call('DELETE', `/api/campaigns/${openCampaign.id}`, salesSupervisor.cookie)).status).toBe(403);

    // A supervisor edits the campaigns they see, but cannot hand one to a group they are not in.
    const edited = await call<CampaignView>('PATCH', `/api/campaigns/${openCampaign.id}`, salesSupervisor.cookie, {
      chatTimeSeconds: 600,
      securityGroupId: sales.id,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ chatTimeSeconds: 600, securityGroup: { id: sales.id } });
    const handedAway = await call('PATCH', `/api/campaigns/${salesCampaign.id}`, salesSupervisor.cookie, { securityGroupId: support.id });
    expect(handedAway.status).toBe(403);
    expect((await auditOf(openCampaign.id)).map((row) => [row.action, row.actorUserId, row.details])).toEqual([
      ['campaign.updated', salesSupervisor.id, { fields: ['chatTimeSeconds', 'securityGroupId'] }],
    ]);
  });

  it('lists agents with presence, groups and campaigns, and security groups, per role', async () => {
    const { db } = platform.services;
    const north = await group();
    const south = await group();
    const supervisor = await userWithCookie('supervisor', [north.id]);
    const northAgent = await userWithCookie('agent', [north.id]);
    const southAgent = await userWithCookie('agent', [south.id]);
    const freeAgent = await userWithCookie('agent');
    await db.insert(agentPresence).values({ userId: northAgent.id, state: 'available' });
    const campaign = await buildCampaign(db, { memberIds: [northAgent.id] });

    const agents = async (cookie: string) => (await call<{ agents: AgentView[] }>('GET', '/api/agents', cookie)).body.agents;
    const asSupervisor = await agents(supervisor.cookie);
    const ids = asSupervisor.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining([northAgent.id, freeAgent.id, supervisor.id]));
    expect(ids).not.toContain(southAgent.id);
    expect(ids).not.toContain(admin.id);
    expect(asSupervisor.find((a) => a.id === northAgent.id)).toMatchObject({
      role: 'agent',
      enabled: true,
      securityGroupIds: [north.id],
      campaignIds: [campaign.id],
      presence: { state: 'available', breakName: null },
    });
    expect(asSupervisor.find((a) => a.id === freeAgent.id)).toMatchObject({ securityGroupIds: [], campaignIds: [], presence: { state: 'offline' } });
    expect((await agents(admin.cookie)).map((a) => a.id)).toEqual(expect.arrayContaining([northAgent.id, southAgent.id, freeAgent.id]));
    expect((await call('GET', '/api/agents', northAgent.cookie)).status).toBe(403);

    const groups = async (cookie: string) =>
      (await call<{ securityGroups: { id: number; name: string }[] }>('GET', '/api/security-groups', cookie)).body.securityGroups;
    expect(await groups(supervisor.cookie)).toEqual([{ id: north.id, name: north.name }]);
    expect(await groups(admin.cookie)).toEqual(
      expect.arrayContaining([
        { id: north.id, name: north.name },
        { id: south.id, name: south.name },
      ]),
    );
  });
});

describe('campaign members', () => {
  it('adds and removes several agents to several campaigns at once, counting the rows that changed', async () => {
    const { db } = platform.services;
    const [a, b, c] = [await buildUser(db), await buildUser(db), await buildUser(db, { role: 'supervisor' })];
    const first = await buildCampaign(db, { memberIds: [b.id] });
    const second = await buildCampaign(db);
    const members = async (campaignId: number) =>
      (await call<{ members: CampaignMember[] }>('GET', `/api/campaigns/${campaignId}/members`, admin.cookie)).body.members.map((m) => [m.userId, m.position]);

    const added = await call('POST', '/api/campaign-members', admin.cookie, { campaignIds: [first.id, second.id], userIds: [c.id, a.id, b.id], action: 'add' });
    expect(added.body).toEqual({ changed: 5 }); // b already was a member of the first campaign
    expect(await members(first.id)).toEqual([
      [b.id, 1],
      [c.id, 2],
      [a.id, 3],
    ]);
    expect(await members(second.id)).toEqual([
      [c.id, 1],
      [a.id, 2],
      [b.id, 3],
    ]);
    const again = await call('POST', '/api/campaign-members', admin.cookie, { campaignIds: [first.id], userIds: [a.id], action: 'add' });
    expect(again.body).toEqual({ changed: 0 });

    const removed = await call('POST', '/api/campaign-members', admin.cookie, { campaignIds: [first.id, second.id], userIds: [a.id, c.id], action: 'remove' });
    expect(removed.body).toEqual({ changed: 4 });
    expect(await members(first.id)).toEqual([[b.id, 1]]);
    const appended = await call('POST', '/api/campaign-members', admin.cookie, { campaignIds: [second.id], userIds: [a.id], action: 'add' });
    expect(appended.body).toEqual({ changed: 1 });
    expect(await members(second.id)).toEqual([
      [b.id, 3],
      [a.id, 4],
    ]);

    expect((await auditOf(second.id)).map((row) => [row.action, row.details])).toEqual([
      ['campaign.members_changed', { added: [c.id, a.id, b.id], removed: [] }],
      ['campaign.members_changed', { added: [], removed: expect.arrayContaining([a.id, c.id]) }],
      ['campaign.members_changed', { added: [a.id], removed: [] }],
    ]);
  });

  it('puts members in the given order, and refuses admins, unknown users and campaigns out of sight', async () => {
    const { db } = platform.services;
    const [a, b, c] = [await buildUser(db), await buildUser(db), await buildUser(db)];
    const campaign = await buildCampaign(db, { memberIds: [a.id, b.id] });
    const put = await call<{ members: CampaignMember[] }>('PUT', `/api/campaigns/${campaign.id}/members`, admin.cookie, { userIds: [c.id, a.id] });
    expect(put.status).toBe(200);
    expect(put.body.members.map((m) => [m.userId, m.position, m.presence.state])).toEqual([
      [c.id, 1, 'offline'],
      [a.id, 2, 'offline'],
    ]);
    expect((await auditOf(campaign.id)).at(-1)).toMatchObject({
      action: 'campaign.members_changed',
      actorUserId: admin.id,
      details: { added: [c.id], removed: [b.id], order: [c.id, a.id] },
    });

    const otherAdmin = await buildUser(db, { role: 'admin' });
    const refused = await call('PUT', `/api/campaigns/${campaign.id}/members`, admin.cookie, { userIds: [a.id, otherAdmin.id, 999_999, a.id] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toEqual(['userIds.3']);
    const refusedUsers = await call('PUT', `/api/campaigns/${campaign.id}/members`, admin.cookie, { userIds: [a.id, otherAdmin.id, 999_999] });
    expect(refusedUsers.body.error.details).toEqual([
      { path: 'userIds.1', message: `User ${otherAdmin.id} is an admin; only agents and supervisors can be members` },
      { path: 'userIds.2', message: 'There is no user 999999' },
    ]);

    const hidden = await buildCampaign(db, { securityGroupId: (await group()).id });
    const supervisor = await userWithCookie('supervisor', [(await group()).id]);
    const outOfSight = await call('POST', '/api/campaign-members', supervisor.cookie, {
      campaignIds: [campaign.id, hidden.id],
      userIds: [a.id],
      action: 'add',
    });
    expect(outOfSight.status).toBe(400);
    expect(outOfSight.body.error.details).toEqual([{ path: 'campaignIds.1', message: `There is no campaign ${hidden.id}` }]);
    expect(await db.$count(campaignMembers, eq(campaignMembers.campaignId, hidden.id))).toBe(0);
    const badAction = await call('POST', '/api/campaign-members', admin.cookie, { campaignIds: [campaign.id], userIds: [a.id], action: 'move' });
    expect(badAction.body.error.details[0].path).toBe('action');
  });
});

describe('routing follows the settings', () => {
  it('assigns a waiting customer when an agent is added or the max interactions go up; refuses to delete a campaign with conversations', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const campaign = await buildCampaign(db, { channelIds: [channel.id], maxInteractionsPerAgent: 1 });
    const agent = await buildUser(db);
    await db.insert(agentPresence).values({ userId: agent.id, state: 'available' });
    await customerWrites(channel, '+59899100001');
    await customerWrites(channel, '+59899100002');
    // In queue order: the two customers' handoffs run side by side, so ids need not follow it.
    const ofCampaign = () => db.select().from(conversations).where(eq(conversations.campaignId, campaign.id)).orderBy(conversations.queuedAt, conversations.id);
    await eventually(async () => expect((await ofCampaign()).map((c) => c.status)).toEqual(['queued', 'queued']));

    expect((await call('POST', '/api/campaign-members', admin.cookie, { campaignIds: [campaign.id], userIds: [agent.id], action: 'add' })).body).toEqual({
      changed: 1,
    });
    await eventually(async () =>
      expect((await ofCampaign()).map((c) => [c.status, c.assignedUserId])).toEqual([
        ['assigned', agent.id],
        ['queued', null],
      ]),
    );
    expect((await call('PATCH', `/api/campaigns/${campaign.id}`, admin.cookie, { maxInteractionsPerAgent: 2 })).status).toBe(200);
    await eventually(async () => expect((await ofCampaign()).map((c) => c.assignedUserId)).toEqual([agent.id, agent.id]));

    const refused = await call('DELETE', `/api/campaigns/${campaign.id}`, admin.cookie);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/disable it instead/);
    expect((await call('GET', `/api/campaigns/${campaign.id}`, admin.cookie)).status).toBe(200);

    // Any other row that refers to the campaign (a dialer's spool here) refuses it the same way, not with a 500.
    const broadcast = await buildCampaign(db);
    const [dialer] = await db
      .insert(dialers)
      .values({ name: unique('Dialer'), channelId: channel.id })
      .returning();
    await db.insert(spool).values({ dialerId: dialer!.id, campaignId: broadcast.id, destination: '+59899100003', message: 'Promo' });
    const spooled = await call('DELETE', `/api/campaigns/${broadcast.id}`, admin.cookie);
    expect(spooled.status).toBe(409);
    expect(spooled.body.error.message).toBe('Other records (spool) still refer to this campaign; disable it instead of deleting it');
    expect((await auditOf(broadcast.id)).map((row) => row.action)).toEqual([]);
  });
});
