import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/connection.ts';
import { apiKeys, contactAddresses, contacts, conversations, dncr, securityGroups, spool, userSecurityGroups, type UserRole } from '../../db/schema/index.ts';
import { hashApiKey } from '../../api/web-service/api-key-auth.ts';
import { DEMO_FLOW } from '../../server/demo-flow.ts';
import { buildBotFlow, buildCampaign, buildDialer, buildSchedule, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './factories.ts';
import { login } from './test-platform.ts';

/** One security group's world: its people and every kind of object a request can name. */
export type Side = Awaited<ReturnType<typeof buildSide>>;

const digits = () => String(20_000_000 + Math.floor(Math.random() * 9_000_000));

/** A security group with a supervisor (and a colleague), an agent, a channel, schedule, flow, campaign, dialer, conversation, DNCR entry, spool row and API key. */
export async function buildSide(db: Db, url: string, label: string) {
  const [group] = await db
    .insert(securityGroups)
    .values({ name: `${label}-${randomUUID()}` })
    .returning();
  const person = async (role: UserRole) => {
    const user = await buildUser(db, { role });
    await db.insert(userSecurityGroups).values({ userId: user.id, securityGroupId: group!.id });
    return { ...user, cookie: await login(url, user.username, TEST_PASSWORD) };
  };
  const [supervisor, colleague, agent] = [await person('supervisor'), await person('supervisor'), await person('agent')];
  const channel = await buildSimulatorChannel(db);
  const schedule = await buildSchedule(db);
  const flow = await buildBotFlow(db, DEMO_FLOW);
  const campaign = await buildCampaign(db, {
    securityGroupId: group!.id,
    channelIds: [channel.id],
    scheduleId: schedule.id,
    botFlowId: flow.id,
    memberIds: [agent.id],
  });
  const dialer = await buildDialer(db, channel.id, { securityGroupId: group!.id, scheduleId: schedule.id });
  const [contact] = await db.insert(contacts).values({}).returning();
  const [address] = await db
    .insert(contactAddresses)
    .values({ contactId: contact!.id, channelId: channel.id, address: `+598${digits()}` })
    .returning();
  const [conversation] = await db
    .insert(conversations)
    .values({
      channelId: channel.id,
      contactId: contact!.id,
      contactAddressId: address!.id,
      campaignId: campaign.id,
      status: 'assigned',
      assignedUserId: agent.id,
      queuedAt: new Date(),
      assignedAt: new Date(),
    })
    .returning();
  const [dncrEntry] = await db
    .insert(dncr)
    .values({ number: `+598${digits()}`, campaignId: campaign.id })
    .returning();
  const [spoolRow] = await db
    .insert(spool)
    .values({ dialerId: dialer.id, campaignId: campaign.id, destination: `0${digits()}`, message: 'Hello' })
    .returning();
  const key = `omk_${randomBytes(32).toString('base64url')}`;
  const [apiKey] = await db
    .insert(apiKeys)
    .values({ name: `${label} key`, prefix: key.slice(0, 8), keyHash: hashApiKey(key), securityGroupId: group!.id, dialerId: dialer.id })
    .returning();
  return {
    group: group!,
    supervisor,
    colleague,
    agent,
    channel,
    schedule,
    flow,
    campaign,
    dialer,
    conversation: conversation!,
    dncrEntry: dncrEntry!,
    spoolRow: spoolRow!,
    apiKey: { id: apiKey!.id, key },
  };
}

/**
 * How a refusal answers (kernel/assert-visible.ts): 404 for an id of the path, 400 at the field
 * for a reference of the body or query, 403 for an act that is not the caller's; a file naming a
 * campaign out of sight is refused whole, and an offer not made to the caller is gone.
 */
export type Refusal =
  | { status: 404 }
  | { status: 403 }
  | { status: 400; field: string }
  | { status: 400; code: 'invalid_file' }
  | { status: 409; code: 'offer_gone' };

/** A request of a route naming one object of `other` (the rest of it, if any, `own`'s). */
export type Attempt = {
  names: string;
  path: string;
  body?: unknown;
  /** A raw body (a CSV file, a form) instead of JSON. */
  raw?: { type: string; text: string };
  refusal: Refusal;
  /** Why the attempt has no "own objects are not refused" counterpart. */
  noPositive?: string;
};

const notFound = { status: 404 } as const;
const forbidden = { status: 403 } as const;
const field = (path: string) => ({ status: 400, field: path }) as const;
const invalidFile = { status: 400, code: 'invalid_file' } as const;
const csv = (text: string) => ({ type: 'text/csv', text });
const unique = (prefix: string) => `${prefix}-${randomUUID()}`;
const phone = '+59899123456';

/**
 * Every route that names ids (in its path, body, query or an uploaded file), with the requests that
 * make `own`'s supervisor (or API key) name `other`'s objects, one object per request so no refusal
 * hides another. The test runs them with own = A, other = B (refused, nothing changes), own = other =
 * A (not refused) and as an admin (not refused). A route missing here and from NAMES_NO_IDS fails it.
 */
export const NAMING: Record<string, (own: Side, other: Side) => Attempt[]> = {
  'GET /api/campaigns/:id': (_o, x) => [{ names: 'campaign', path: `/api/campaigns/${x.campaign.id}`, refusal: notFound }],
  'POST /api/campaigns': (_o, x) => [
    { names: 'channel', path: '/api/campaigns', body: { name: unique('c'), channelIds: [x.channel.id] }, refusal: field('channelIds.0') },
    { names: 'schedule', path: '/api/campaigns', body: { name: unique('c'), scheduleId: x.schedule.id }, refusal: field('scheduleId') },
    { names: 'bot flow', path: '/api/campaigns', body: { name: unique('c'), botFlowId: x.flow.id }, refusal: field('botFlowId') },
    { names: 'security group', path: '/api/campaigns', body: { name: unique('c'), securityGroupId: x.group.id }, refusal: forbidden },
  ],
  'PATCH /api/campaigns/:id': (o, x) => [
    { names: 'campaign', path: `/api/campaigns/${x.campaign.id}`, body: { enabled: true }, refusal: notFound },
    { names: 'channel', path: `/api/campaigns/${o.campaign.id}`, body: { channelIds: [x.channel.id] }, refusal: field('channelIds.0') },
    { names: 'schedule', path: `/api/campaigns/${o.campaign.id}`, body: { scheduleId: x.schedule.id }, refusal: field('scheduleId') },
    { names: 'bot flow', path: `/api/campaigns/${o.campaign.id}`, body: { botFlowId: x.flow.id }, refusal: field('botFlowId') },
    { names: 'security group', path: `/api/campaigns/${o.campaign.id}`, body: { securityGroupId: x.group.id }, refusal: forbidden },
  ],
  'DELETE /api/campaigns/:id': (_o, x) => [{ names: 'campaign', path: `/api/campaigns/${x.campaign.id}`, refusal: notFound }],
  'GET /api/campaigns/:id/members': (_o, x) => [{ names: 'campaign', path: `/api/campaigns/${x.campaign.id}/members`, refusal: notFound }],
  'PUT /api/campaigns/:id/members': (o, x) => [
    { names: 'campaign', path: `/api/campaigns/${x.campaign.id}/members`, body: { userIds: [o.agent.id] }, refusal: notFound },
    { names: 'agent', path: `/api/campaigns/${o.campaign.id}/members`, body: { userIds: [x.agent.id] }, refusal: field('userIds.0') },
  ],
  'POST /api/campaign-members': (o, x) => [
    {
      names: 'campaign',
      path: '/api/campaign-members',
      body: { campaignIds: [x.campaign.id], userIds: [o.agent.id], action: 'add' },
      refusal: field('campaignIds.0'),
    },
    {
      names: 'agent',
      path: '/api/campaign-members',
      body: { campaignIds: [o.campaign.id], userIds: [x.agent.id], action: 'add' },
      refusal: field('userIds.0'),
    },
  ],
  'PUT /api/campaigns/:id/bot-flow': (o, x) => [
    { names: 'campaign', path: `/api/campaigns/${x.campaign.id}/bot-flow`, body: { flowId: o.flow.id }, refusal: notFound },
    { names: 'bot flow', path: `/api/campaigns/${o.campaign.id}/bot-flow`, body: { flowId: x.flow.id }, refusal: field('flowId') },
  ],
  'GET /api/bot-flows/:id': (_o, x) => [{ names: 'bot flow', path: `/api/bot-flows/${x.flow.id}`, refusal: notFound }],
  'POST /api/bot-flows': (_o, x) => [
    {
      names: 'campaign',
      path: '/api/bot-flows',
      body: { name: unique('flow'), definition: DEMO_FLOW, campaignIds: [x.campaign.id] },
      refusal: field('campaignIds.0'),
    },
  ],
  'POST /api/bot-flows/dry-run': (_o, x) => [
    { names: 'bot flow', path: '/api/bot-flows/dry-run', body: { flowId: x.flow.id, messages: ['hi'] }, refusal: field('flowId') },
  ],
  'GET /api/channels/:id': (_o, x) => [{ names: 'channel', path: `/api/channels/${x.channel.id}`, refusal: notFound }],
  'PATCH /api/channels/:id': (_o, x) => [{ names: 'channel', path: `/api/channels/${x.channel.id}`, body: { enabled: true }, refusal: notFound }],
  'DELETE /api/channels/:id': (_o, x) => [{ names: 'channel', path: `/api/channels/${x.channel.id}`, refusal: notFound }],
  'POST /api/channels/:id/test-send': (_o, x) => [
    { names: 'channel', path: `/api/channels/${x.channel.id}/test-send`, body: { to: phone, text: 'Test' }, refusal: notFound },
  ],
  ...Object.fromEntries(
    (['', '/messages', '/take', '/return-to-bot', '/close', '/spy'] as const).map((action) => [
      `${action === '' ? 'GET' : 'POST'} /api/conversations/:id${action}`,
      (_o: Side, x: Side): Attempt[] => [
        {
          names: 'conversation',
          path: `/api/conversations/${x.conversation.id}${action}`,
          body: action === '/messages' ? { body: 'Hello' } : undefined,
          refusal: notFound,
        },
      ],
    ]),
  ),
  'POST /api/conversations/:id/transfer': (o, x) => [
    { names: 'conversation', path: `/api/conversations/${x.conversation.id}/transfer`, body: { toCampaignId: o.campaign.id }, refusal: notFound },
    { names: 'campaign', path: `/api/conversations/${o.conversation.id}/transfer`, body: { toCampaignId: x.campaign.id }, refusal: field('toCampaignId') },
    { names: 'agent', path: `/api/conversations/${o.conversation.id}/transfer`, body: { toUserId: x.agent.id }, refusal: field('toUserId') },
  ],
  'POST /api/offers/:conversationId/accept': (_o, x) => [
    {
      names: 'conversation',
      path: `/api/offers/${x.conversation.id}/accept`,
      refusal: { status: 409, code: 'offer_gone' },
      noPositive: 'an offer is made to one user: none was made to the caller (routing tests accept real ones)',
    },
  ],
  'PUT /api/agents/:userId/presence': (_o, x) => [
    { names: 'agent', path: `/api/agents/${x.agent.id}/presence`, body: { state: 'available' }, refusal: notFound },
  ],
  'POST /api/agents/:userId/logout': (_o, x) => [{ names: 'agent', path: `/api/agents/${x.agent.id}/logout`, refusal: notFound }],
  'GET /api/agent-chat/:userId': (_o, x) => [
    { names: 'agent', path: `/api/agent-chat/${x.agent.id}`, refusal: notFound },
    { names: 'supervisor', path: `/api/agent-chat/${x.colleague.id}`, refusal: notFound },
  ],
  'POST /api/agent-chat/:userId': (o, x) => [
    { names: 'agent', path: `/api/agent-chat/${x.agent.id}`, body: { body: 'Hello' }, refusal: notFound },
    { names: 'supervisor', path: `/api/agent-chat/${x.colleague.id}`, body: { body: 'Hello' }, refusal: notFound },
    {
      names: 'conversation',
      path: `/api/agent-chat/${o.agent.id}`,
      body: { body: 'Look', conversationId: x.conversation.id },
      refusal: field('conversationId'),
    },
  ],
  'GET /api/dialers/:id': (_o, x) => [{ names: 'dialer', path: `/api/dialers/${x.dialer.id}`, refusal: notFound }],
  'POST /api/dialers': (o, x) => [
    { names: 'channel', path: '/api/dialers', body: { name: unique('d'), channelId: x.channel.id }, refusal: field('channelId') },
    { names: 'schedule', path: '/api/dialers', body: { name: unique('d'), channelId: o.channel.id, scheduleId: x.schedule.id }, refusal: field('scheduleId') },
  ],
  'PATCH /api/dialers/:id': (o, x) => [
    { names: 'dialer', path: `/api/dialers/${x.dialer.id}`, body: { enabled: true }, refusal: notFound },
    { names: 'channel', path: `/api/dialers/${o.dialer.id}`, body: { channelId: x.channel.id }, refusal: field('channelId') },
    { names: 'schedule', path: `/api/dialers/${o.dialer.id}`, body: { scheduleId: x.schedule.id }, refusal: field('scheduleId') },
    { names: 'security group', path: `/api/dialers/${o.dialer.id}`, body: { securityGroupId: x.group.id }, refusal: forbidden },
  ],
  'DELETE /api/dialers/:id': (_o, x) => [{ names: 'dialer', path: `/api/dialers/${x.dialer.id}`, refusal: notFound }],
  'POST /api/dialers/:id/start': (_o, x) => [{ names: 'dialer', path: `/api/dialers/${x.dialer.id}/start`, refusal: notFound }],
  'POST /api/dialers/:id/stop': (_o, x) => [{ names: 'dialer', path: `/api/dialers/${x.dialer.id}/stop`, refusal: notFound }],
  'POST /api/dialers/:id/cancel': (o, x) => [
    { names: 'dialer', path: `/api/dialers/${x.dialer.id}/cancel`, body: { campaignId: null }, refusal: notFound },
    { names: 'campaign', path: `/api/dialers/${o.dialer.id}/cancel`, body: { campaignId: x.campaign.id }, refusal: field('campaignId') },
  ],
  'POST /api/dialers/:id/messages': (o, x) => [
    {
      names: 'dialer',
      path: `/api/dialers/${x.dialer.id}/messages`,
      body: { destination: phone, message: 'Hi', campaignId: o.campaign.id },
      refusal: notFound,
    },
    {
      names: 'campaign',
      path: `/api/dialers/${o.dialer.id}/messages`,
      body: { destination: phone, message: 'Hi', campaignId: x.campaign.id },
      refusal: field('campaignId'),
    },
  ],
  'GET /api/dialers/:id/spool': (o, x) => [
    { names: 'dialer', path: `/api/dialers/${x.dialer.id}/spool`, refusal: notFound },
    { names: 'campaign', path: `/api/dialers/${o.dialer.id}/spool?campaignId=${x.campaign.id}`, refusal: field('campaignId') },
  ],
  'POST /api/dialers/:id/imports': (o, x) => [
    {
      names: 'dialer',
      path: `/api/dialers/${x.dialer.id}/imports?fileName=DISC29042014.csv`,
      raw: csv(`${o.campaign.name};098344484;Hi;9999\n`),
      refusal: notFound,
    },
    {
      names: 'campaign',
      path: `/api/dialers/${o.dialer.id}/imports?fileName=DISC29042014.csv`,
      raw: csv(`${x.campaign.name};098344484;Hi;9999\n`),
      refusal: invalidFile,
    },
  ],
  'GET /api/dialers/:id/imports': (_o, x) => [{ names: 'dialer', path: `/api/dialers/${x.dialer.id}/imports`, refusal: notFound }],
  'GET /api/dncr': (_o, x) => [{ names: 'campaign', path: `/api/dncr?campaignId=${x.campaign.id}`, refusal: field('campaignId') }],
  'POST /api/dncr': (_o, x) => [{ names: 'campaign', path: '/api/dncr', body: { number: digits(), campaignId: x.campaign.id }, refusal: field('campaignId') }],
  'DELETE /api/dncr/:id': (_o, x) => [{ names: 'DNCR entry', path: `/api/dncr/${x.dncrEntry.id}`, refusal: notFound }],
  'POST /api/dncr/imports': (_o, x) => [
    { names: 'campaign', path: '/api/dncr/imports?fileName=DNCR29042014.csv', raw: csv(`${digits()};${x.campaign.name};\n`), refusal: invalidFile },
  ],
  'PUT /api/schedules/:id': (_o, x) => [{ names: 'schedule', path: `/api/schedules/${x.schedule.id}`, body: { name: unique('s') }, refusal: notFound }],
  'POST /api/api-keys': (_o, x) => [
    { names: 'campaign', path: '/api/api-keys', body: { name: 'k', campaignIds: [x.campaign.id] }, refusal: field('campaignIds.0') },
    { names: 'dialer', path: '/api/api-keys', body: { name: 'k', dialerId: x.dialer.id }, refusal: field('dialerId') },
    { names: 'security group', path: '/api/api-keys', body: { name: 'k', securityGroupId: x.group.id }, refusal: forbidden },
  ],
  'POST /api/api-keys/:id/revoke': (_o, x) => [{ names: 'API key', path: `/api/api-keys/${x.apiKey.id}/revoke`, refusal: notFound }],
  // API-key routes: `own`'s key naming `other`'s objects.
  'POST /api/v1/messages': (o, x) => [
    { names: 'campaign', path: '/api/v1/messages', body: { destination: phone, message: 'Hi', campaignId: x.campaign.id }, refusal: forbidden },
    {
      names: 'dialer',
      path: '/api/v1/messages',
      body: { destination: phone, message: 'Hi', campaignId: o.campaign.id, dialerId: x.dialer.id },
      refusal: forbidden,
    },
  ],
  'GET /api/v1/messages/:id': (_o, x) => [{ names: 'spool row', path: `/api/v1/messages/${x.spoolRow.id}`, refusal: notFound }],
  'POST /Integra/resources/SMS/SendSMS': (_o, x) => [
    {
      names: 'campaign',
      path: '/Integra/resources/SMS/SendSMS',
      raw: {
        type: 'application/x-www-form-urlencoded',
        text: new URLSearchParams({ destination: '099635199', message: 'Hi', campaign: x.campaign.name }).toString(),
      },
      refusal: forbidden,
    },
  ],
  'GET /Integra/resources/SMS/SendSMS': (_o, x) => [
    {
      names: 'campaign',
      path: `/Integra/resources/SMS/SendSMS?${new URLSearchParams({ destination: '099635199', message: 'Hi', campaign: x.campaign.name })}`,
      refusal: forbidden,
    },
  ],
  'GET /Integra/resources/SMS/SendSMS/:fields': (_o, x) => [
    {
      names: 'campaign',
      path: `/Integra/resources/SMS/SendSMS/destination=099635199&message=Hi&campaign=${encodeURIComponent(x.campaign.name)}`,
      refusal: forbidden,
    },
  ],
};

/** Routes that name no id, each with why no security group applies (public routes are exempt: they act for no user). */
export const NAMES_NO_IDS: Record<string, string> = {
  'GET /api/me': 'the caller themselves',
  'POST /api/auth/logout': "the caller's own session",
  'PUT /api/presence': "the caller's own presence",
  'GET /api/agents': 'lists the users in sight (visibleUsers)',
  'GET /api/security-groups': "lists the caller's own groups",
  'GET /api/campaigns': 'lists the campaigns in sight',
  'GET /api/conversations': 'lists the conversations in sight',
  'GET /api/bot-flows': 'lists the flows in sight (visibleBotFlows)',
  'GET /api/schedules': 'lists the schedules in sight (visibleSchedules)',
  'POST /api/schedules': 'admins create a schedule from its hours alone',
  'GET /api/channels': 'admins only, every channel',
  'POST /api/channels': 'admins create a channel from its settings alone',
  'GET /api/dialers': 'lists the dialers in sight',
  'GET /api/dialer-monitor': 'lists the dialers in sight',
  'GET /api/monitor': 'the campaigns in sight',
  'GET /api/offers': 'the offers made to the caller',
  'GET /api/agent-chat': "the caller's own threads",
  'GET /api/api-keys': 'admins only, every key',
};
