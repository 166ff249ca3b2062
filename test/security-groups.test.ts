import { and, eq, or, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentChatMessages, campaignChannels, campaignMembers, campaigns, spool, type UserRole } from '../db/schema/index.ts';
import { resolveCampaign } from '../routing/resolve-campaign.ts';
import { buildCampaign, buildDialer, buildSchedule, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { NAMES_NO_IDS, NAMING, buildSide, type Attempt, type Refusal, type Side } from './harness/security-group-cases.ts';
import { api, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
let a: Side;
let b: Side;
let admin: { id: number; cookie: string };

beforeAll(async () => {
  platform = await startTestPlatform();
  const { db } = platform.services;
  a = await buildSide(db, platform.url, 'A');
  b = await buildSide(db, platform.url, 'B');
  const user = await buildUser(db, { role: 'admin' });
  admin = { id: user.id, cookie: await login(platform.url, user.username, TEST_PASSWORD) };
});
afterAll(() => platform.close());

type Route = (typeof platform.routeTable)[number];
const keyOf = (route: { method: string; path: string }) => `${route.method.toUpperCase()} ${route.path}`;
const rolesOf = (route: Route) => ('roles' in route.access ? (route.access.roles as readonly UserRole[]) : []);

type Answer = { status: number; text: string; json: any };

/** Sends an attempt as a console session (cookie) or a web-service key. */
async function send(route: Route, attempt: Attempt, as: { cookie: string } | { key: string }): Promise<Answer> {
  const headers: Record<string, string> = 'cookie' in as ? { cookie: as.cookie } : { 'x-api-key': as.key };
  let body: string | undefined;
  if (attempt.raw) [headers['content-type'], body] = [attempt.raw.type, attempt.raw.text];
  else if (attempt.body !== undefined) [headers['content-type'], body] = ['application/json', JSON.stringify(attempt.body)];
  const response = await fetch(`${platform.url}${attempt.path}`, { method: route.method.toUpperCase(), headers, body });
  const text = await response.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // the legacy SendSMS answers in plain text
  }
  return { status: response.status, text, json };
}

/** Whether the answer is that refusal: its status and what says why (so a CSRF or role 403 is not mistaken for it). */
function isRefusal(answer: Answer, refusal: Refusal): boolean {
  if (answer.status !== refusal.status) return false;
  if ('field' in refusal) {
    return (
      answer.json?.error?.code === 'validation_failed' &&
      answer.json.error.details.some((issue: { path: string; message: string }) => issue.path === refusal.field)
    );
  }
  if ('code' in refusal) return answer.json?.error?.code === refusal.code;
  if (refusal.status === 404) return answer.json?.error?.code === 'not_found';
  return answer.json?.error?.code === 'forbidden' || /^ERROR This API key may not/.test(answer.text);
}

/** A 400 that says an id does not exist: what a reference out of sight gets. */
const unseenReference = (answer: Answer) =>
  answer.status === 400 && (answer.json?.error?.details ?? []).some((issue: { message: string }) => /^There is no /.test(issue.message));

/** Every row a request could change, as one fingerprint (columns that record use, not change, left out). */
async function fingerprint(): Promise<string> {
  const tables = [
    'campaigns',
    'campaign_channels',
    'campaign_members',
    'canned_responses',
    'channels',
    'schedules',
    'schedule_intervals',
    'bot_flows',
    'dialers',
    'spool',
    'spool_imports',
    'dncr',
    'conversations',
    'messages',
    'agent_chat_messages',
    'agent_presence',
    'audit_log',
  ];
  const parts = tables.map((table) => sql`select ${table} as t, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${sql.raw(table)} x`);
  parts.push(sql`select 'sessions', md5(coalesce(string_agg(token_hash || coalesce(revoked_at::text, ''), '|' order by token_hash), '')) from sessions`);
  parts.push(sql`select 'api_keys', md5(coalesce(string_agg(id || coalesce(revoked_at::text, ''), '|' order by id), '')) from api_keys`);
  const rows = (await platform.services.db.execute(sql.join(parts, sql` union all `))) as unknown as { t: string; h: string }[];
  return rows.map((row) => `${row.t}:${row.h}`).join(' ');
}

/** The routes the table covers, each with the attempts it makes for (own, other). */
function attempts(own: Side, other: Side, keep: (route: Route) => boolean) {
  return platform.routeTable
    .filter((route) => keyOf(route) in NAMING && keep(route))
    .flatMap((route) => NAMING[keyOf(route)]!(own, other).map((attempt) => ({ route, attempt })));
}

describe('security groups: every id a request names is checked against the caller', () => {
  it('the table names every route that takes ids, and only routes that exist', () => {
    const routes = platform.routeTable.filter((route) => !('public' in route.access));
    const unclassified = routes.map(keyOf).filter((key) => !(key in NAMING) && !(key in NAMES_NO_IDS));
    expect(unclassified, 'add each to NAMING (how to name another group objects through it) or NAMES_NO_IDS').toEqual([]);
    const known = new Set(platform.routeTable.map(keyOf));
    expect([...Object.keys(NAMING), ...Object.keys(NAMES_NO_IDS)].filter((key) => !known.has(key))).toEqual([]);
    // A route with a path parameter names an id.
    expect(Object.keys(NAMES_NO_IDS).filter((key) => key.includes('/:'))).toEqual([]);
  });

  it("refuses group A's supervisor (and API key) every object of group B, and changes nothing", async () => {
    const failures: string[] = [];
    for (const { route, attempt } of attempts(a, b, () => true)) {
      const apiKey = 'apiKey' in route.access;
      // A route the role may not call refuses by role first; were it opened to supervisors, the attempt's own refusal would apply.
      const expected: Refusal = apiKey || rolesOf(route).includes('supervisor') ? attempt.refusal : { status: 403 };
      const before = await fingerprint();
      const answer = await send(route, attempt, apiKey ? { key: a.apiKey.key } : { cookie: a.supervisor.cookie });
      const label = `${keyOf(route)} naming B's ${attempt.names} (${attempt.path})`;
      if (!isRefusal(answer, expected)) failures.push(`${label}: expected ${JSON.stringify(expected)}, got ${answer.status} ${answer.text.slice(0, 200)}`);
      if ((await fingerprint()) !== before) failures.push(`${label}: changed the database`);
    }
    expect(failures).toEqual([]);
  });

  it("PATCH /api/campaigns/:id cannot attach a channel that feeds group B: B's next customer still lands in B's campaign", async () => {
    const { db } = platform.services;
    const patch = (campaignId: number, cookie: string, body: unknown) => api(platform.url, 'PATCH', `/api/campaigns/${campaignId}`, { cookie, body });
    const refused = await patch(a.campaign.id, a.supervisor.cookie, { channelIds: [a.channel.id, b.channel.id] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ path: 'channelIds.1', message: `There is no channel ${b.channel.id}` }]);
    const campaignsOf = async (channelId: number) =>
      (await db.select().from(campaignChannels).where(eq(campaignChannels.channelId, channelId))).map((row) => row.campaignId);
    expect(await campaignsOf(b.channel.id)).toEqual([b.campaign.id]);
    expect((await resolveCampaign(db, b.channel.id, null))?.id).toBe(b.campaign.id);

    // Nor one that only B's dialer sends through: the customers answering B's broadcast write to it.
    const broadcastLine = await buildSimulatorChannel(db);
    await buildDialer(db, broadcastLine.id, { securityGroupId: b.group.id });
    expect((await patch(a.campaign.id, a.supervisor.cookie, { channelIds: [broadcastLine.id] })).body.error.details).toEqual([
      { path: 'channelIds.0', message: `There is no channel ${broadcastLine.id}` },
    ]);

    // A channel nothing uses is shared: A attaches it, and from then on it is A's, out of B's reach.
    const spareLine = await buildSimulatorChannel(db);
    expect((await patch(a.campaign.id, a.supervisor.cookie, { channelIds: [a.channel.id, spareLine.id] })).status).toBe(200);
    expect((await patch(b.campaign.id, b.supervisor.cookie, { channelIds: [b.channel.id, spareLine.id] })).status).toBe(400);
    // What a campaign already has stays when it is saved again, even a line an admin shares with B.
    expect((await patch(a.campaign.id, admin.cookie, { channelIds: [a.channel.id, spareLine.id, b.channel.id] })).status).toBe(200);
    // On that shared line a DID-Port clash does not name B's campaign.
    await db
      .update(campaigns)
      .set({ didPorts: ['7000'] })
      .where(eq(campaigns.id, b.campaign.id));
    expect((await patch(a.campaign.id, a.supervisor.cookie, { didPorts: ['7000'] })).body.error.details).toEqual([
      { path: 'didPorts.0', message: `"7000" is already a DID-Port of another campaign on channel "${b.channel.name}"` },
    ]);
    expect((await patch(a.campaign.id, a.supervisor.cookie, { channelIds: [b.channel.id, a.channel.id, spareLine.id] })).status).toBe(200);
    expect((await patch(a.campaign.id, a.supervisor.cookie, { channelIds: [a.channel.id] })).status).toBe(200);
    // A supervisor cannot hand the campaign to B, nor to nobody (every group's).
    for (const securityGroupId of [b.group.id, null]) expect((await patch(a.campaign.id, a.supervisor.cookie, { securityGroupId })).status).toBe(403);
  });

  it("POST /api/campaign-members and PUT /api/campaigns/:id/members cannot add group B's agents; members already there may stay or go", async () => {
    const { db } = platform.services;
    const members = async () => (await db.select().from(campaignMembers).where(eq(campaignMembers.campaignId, a.campaign.id))).map((row) => row.userId).sort();
    const added = await api(platform.url, 'POST', '/api/campaign-members', {
      cookie: a.supervisor.cookie,
      body: { campaignIds: [a.campaign.id], userIds: [a.colleague.id, b.agent.id], action: 'add' },
    });
    expect(added.status).toBe(400);
    expect(added.body.error.details).toEqual([{ path: 'userIds.1', message: `There is no user ${b.agent.id}` }]);
    const replaced = await api(platform.url, 'PUT', `/api/campaigns/${a.campaign.id}/members`, {
      cookie: a.supervisor.cookie,
      body: { userIds: [a.agent.id, b.agent.id] },
    });
    expect(replaced.status).toBe(400);
    expect(replaced.body.error.details).toEqual([{ path: 'userIds.1', message: `There is no user ${b.agent.id}` }]);
    expect(await members()).toEqual([a.agent.id]);

    // An admin made B's agent a member: A's supervisor may reorder the members keeping them, and remove them.
    await db.insert(campaignMembers).values({ campaignId: a.campaign.id, userId: b.agent.id, position: 2 });
    expect(
      (await api(platform.url, 'PUT', `/api/campaigns/${a.campaign.id}/members`, { cookie: a.supervisor.cookie, body: { userIds: [b.agent.id, a.agent.id] } }))
        .status,
    ).toBe(200);
    const removed = await api(platform.url, 'POST', '/api/campaign-members', {
      cookie: a.supervisor.cookie,
      body: { campaignIds: [a.campaign.id], userIds: [b.agent.id], action: 'remove' },
    });
    expect(removed.body).toEqual({ changed: 1 });
    expect(await members()).toEqual([a.agent.id]);
  });

  it('an agent cannot open an internal chat with a supervisor of another group, nor send a customer to its campaigns', async () => {
    const { db } = platform.services;
    const chat = (from: { cookie: string }, toUserId: number) =>
      api(platform.url, 'POST', `/api/agent-chat/${toUserId}`, { cookie: from.cookie, body: { body: 'Hello' } });
    const between = (x: number, y: number) =>
      db.$count(
        agentChatMessages,
        or(
          and(eq(agentChatMessages.fromUserId, x), eq(agentChatMessages.toUserId, y)),
          and(eq(agentChatMessages.fromUserId, y), eq(agentChatMessages.toUserId, x)),
        ),
      );
    expect((await chat(a.agent, b.supervisor.id)).status).toBe(404);
    expect((await api(platform.url, 'GET', `/api/agent-chat/${b.supervisor.id}`, { cookie: a.agent.cookie })).status).toBe(404);
    expect((await chat(b.supervisor, a.agent.id)).status).toBe(404);
    expect(await between(a.agent.id, b.supervisor.id)).toBe(0);
    // Their own group's supervisors and the admins they may write to.
    expect((await chat(a.agent, a.supervisor.id)).status).toBe(201);
    expect((await chat(a.agent, admin.id)).status).toBe(201);

    const transfer = await api(platform.url, 'POST', `/api/conversations/${a.conversation.id}/transfer`, {
      cookie: a.agent.cookie,
      body: { toCampaignId: b.campaign.id },
    });
    expect(transfer.status).toBe(400);
    expect(transfer.body.error.details).toEqual([{ path: 'toCampaignId', message: `There is no campaign ${b.campaign.id}` }]);
  });

  it('a shared dialer shows and cancels a supervisor only the rows of the campaigns they see', async () => {
    const { db } = platform.services;
    const shared = await buildDialer(db, (await buildSimulatorChannel(db)).id);
    const [ofA, ofB] = await db
      .insert(spool)
      .values([a, b].map((side) => ({ dialerId: shared.id, campaignId: side.campaign.id, destination: '098344484', message: 'Hi' })))
      .returning();
    const rows = await api(platform.url, 'GET', `/api/dialers/${shared.id}/spool`, { cookie: a.supervisor.cookie });
    expect(rows.body.rows.map((row: { id: number }) => row.id)).toEqual([ofA!.id]);
    const cancelled = await api(platform.url, 'POST', `/api/dialers/${shared.id}/cancel`, { cookie: a.supervisor.cookie, body: {} });
    expect(cancelled.body).toEqual({ cancelled: 1 });
    expect((await db.select().from(spool).where(eq(spool.id, ofB!.id)))[0]!.state).toBe(1);
  });

  it("lists to a supervisor the schedules and flows no other group uses; an API key of a group sends through no other group's dialer", async () => {
    const { db } = platform.services;
    const unused = await buildSchedule(db);
    const schedules = (await api(platform.url, 'GET', '/api/schedules', { cookie: a.supervisor.cookie })).body.schedules.map(
      (schedule: { id: number }) => schedule.id,
    );
    expect(schedules).toEqual(expect.arrayContaining([a.schedule.id, unused.id]));
    expect(schedules).not.toContain(b.schedule.id);
    const flows = (await api(platform.url, 'GET', '/api/bot-flows', { cookie: a.supervisor.cookie })).body.flows.map((flow: { name: string }) => flow.name);
    expect(flows).toContain(a.flow.name);
    expect(flows).not.toContain(b.flow.name);
    // A schedule used by a campaign with no group stays shared.
    const open = await buildCampaign(db, { scheduleId: (await buildSchedule(db)).id });
    expect(
      (await api(platform.url, 'PATCH', `/api/campaigns/${a.campaign.id}`, { cookie: a.supervisor.cookie, body: { scheduleId: open.scheduleId } })).status,
    ).toBe(200);

    const key = await api(platform.url, 'POST', '/api/api-keys', {
      cookie: admin.cookie,
      body: { name: 'crm', securityGroupId: a.group.id, dialerId: b.dialer.id },
    });
    expect(key.status).toBe(400);
    expect(key.body.error.details).toEqual([{ path: 'dialerId', message: `Dialer "${b.dialer.name}" is not in the key's security group` }]);
  });

  it("does not refuse group A's supervisor and key their own objects", async () => {
    const failures: string[] = [];
    const own = attempts(a, a, (route) => 'apiKey' in route.access || rolesOf(route).includes('supervisor'));
    for (const { route, attempt } of own.filter(({ attempt }) => !attempt.noPositive)) {
      const answer = await send(route, attempt, 'apiKey' in route.access ? { key: a.apiKey.key } : { cookie: a.supervisor.cookie });
      if (isRefusal(answer, attempt.refusal) || unseenReference(answer) || [401, 403, 404].includes(answer.status)) {
        failures.push(`${keyOf(route)} naming A's own ${attempt.names}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("does not refuse an admin group B's objects", async () => {
    const failures: string[] = [];
    // What ends something (deletes, logouts, revocations) last, so the other requests still find it.
    const ending = (route: Route) => route.method === 'delete' || /\/(logout|revoke)$/.test(route.path);
    const all = attempts(a, b, (route) => rolesOf(route).includes('admin')).filter(({ attempt }) => !attempt.noPositive);
    for (const { route, attempt } of [...all.filter(({ route }) => !ending(route)), ...all.filter(({ route }) => ending(route))]) {
      const answer = await send(route, attempt, { cookie: admin.cookie });
      if (isRefusal(answer, attempt.refusal) || unseenReference(answer) || [401, 403, 404].includes(answer.status)) {
        failures.push(`${keyOf(route)} naming B's ${attempt.names} as admin: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
