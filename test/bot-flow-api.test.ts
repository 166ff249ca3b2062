import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotFlowSummary, BotFlowView, DryRunResult } from '../contract/bot-flows.ts';
import { campaigns } from '../db/schema/index.ts';
import { DEMO_FLOW } from '../server/demo-flow.ts';
import { buildCampaign, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
const cookies: Record<'admin' | 'supervisor' | 'agent', string> = { admin: '', supervisor: '', agent: '' };

beforeAll(async () => {
  platform = await startTestPlatform({ SEED_DEMO: 'true' }); // the demo order service answers the flow's HTTP node
  for (const role of ['admin', 'supervisor', 'agent'] as const) {
    const user = await buildUser(platform.services.db, { role });
    cookies[role] = await login(platform.url, user.username, TEST_PASSWORD);
  }
});
afterAll(async () => {
  await platform?.close();
});

const publish = (definition: unknown, extra: Record<string, unknown> = {}, cookie = cookies.admin) =>
  api<BotFlowView>(platform.url, 'POST', '/api/bot-flows', { cookie, body: { name: 'Support', definition, ...extra } });

describe('the bot flows API', () => {
  it('refuses an invalid flow with the exact path of every problem, and saves nothing', async () => {
    const broken = structuredClone(DEMO_FLOW) as any;
    broken.nodes.menu.options[2].next = 'nowhere';
    broken.nodes.lookup.timeoutMs = 60_000;
    const refused = await publish(broken);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: {
        code: 'invalid_flow',
        details: expect.arrayContaining([
          { path: 'nodes.menu.options.2.next', message: 'There is no node "nowhere"' },
          expect.objectContaining({ path: 'nodes.lookup.timeoutMs' }),
        ]),
      },
    });
    const { body } = await api<{ flows: BotFlowSummary[] }>(platform.url, 'GET', '/api/bot-flows', { cookie: cookies.supervisor });
    expect(body.flows.filter((flow) => flow.name === 'Support')).toEqual([]);
  });

  it('publishes versions: campaigns on an older version move to the new one', async () => {
    const campaign = await buildCampaign(platform.services.db);
    const first = await publish(DEMO_FLOW, { campaignIds: [campaign.id] });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'Support', version: 1, campaigns: [{ id: campaign.id }] });
    const second = await publish({ ...DEMO_FLOW, settings: { typingDelayMs: 0 } });
    expect(second.body).toMatchObject({ version: 2, campaigns: [{ id: campaign.id }] });
    const row = await platform.services.db.query.campaigns.findFirst({ where: eq(campaigns.id, campaign.id) });
    expect(row?.botFlowId).toBe(second.body.id);
    const { body } = await api<{ flows: BotFlowSummary[] }>(platform.url, 'GET', '/api/bot-flows', { cookie: cookies.supervisor });
    expect(body.flows.filter((flow) => flow.name === 'Support').map((flow) => flow.version)).toEqual([2]);
    const view = await api<BotFlowView>(platform.url, 'GET', `/api/bot-flows/${first.body.id}`, { cookie: cookies.supervisor });
    expect(view.body).toMatchObject({ version: 1, campaigns: [], definition: { start: 'welcome' } });
  });

  it('plays a saved flow in a dry run, HTTP node included, without sending or storing anything', async () => {
    const saved = await publish(DEMO_FLOW);
    const before = await platform.services.db.$count(campaigns);
    const result = await api<DryRunResult>(platform.url, 'POST', '/api/bot-flows/dry-run', {
      cookie: cookies.supervisor,
      body: { flowId: saved.body.id, messages: ['hi', 'order', '1002', 'agent', 'Ana'] },
    });
    expect(result.status).toBe(200);
    expect(result.body.turns[2]!.replies.map((reply) => reply.body)).toEqual(['Order 1002: being prepared. Expected delivery: in 3 days.', 'Anything else?']);
    expect(result.body.final).toMatchObject({ vars: { order: '1002', orderStatus: 'being prepared', name: 'Ana' }, outcome: { type: 'handoff' } });
    expect(await platform.services.db.$count(campaigns)).toBe(before);
  });

  it('checks roles: agents see no flows, supervisors cannot publish or try unsaved flows', async () => {
    expect((await api(platform.url, 'GET', '/api/bot-flows', { cookie: cookies.agent })).status).toBe(403);
    expect((await publish(DEMO_FLOW, {}, cookies.supervisor)).status).toBe(403);
    const unsaved = await api(platform.url, 'POST', '/api/bot-flows/dry-run', {
      cookie: cookies.supervisor,
      body: { definition: DEMO_FLOW, messages: ['hi'] },
    });
    expect(unsaved.status).toBe(403);
    const asAdmin = await api<DryRunResult>(platform.url, 'POST', '/api/bot-flows/dry-run', {
      cookie: cookies.admin,
      body: { definition: DEMO_FLOW, messages: ['hi'] },
    });
    expect(asAdmin.body.turns[0]!.replies.map((reply) => reply.node)).toEqual(['welcome', 'menu']);
    expect((await api(platform.url, 'POST', '/api/bot-flows/dry-run', { cookie: cookies.admin, body: { messages: [] } })).status).toBe(400);
  });
});
