import { createHash, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyView } from '../contract/dialer.ts';
import { apiKeys, auditLog, securityGroups } from '../db/schema/index.ts';
import { buildCampaign, buildDialer, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
const cookies = {} as Record<'agent' | 'supervisor' | 'admin', string>;
let dialerId: number;
let campaign: { id: number; name: string };

beforeAll(async () => {
  platform = await startTestPlatform();
  const { db } = platform.services;
  for (const role of ['agent', 'supervisor', 'admin'] as const) {
    const user = await buildUser(db, { role });
    cookies[role] = await login(platform.url, user.username, TEST_PASSWORD);
  }
  const channel = await buildSimulatorChannel(db);
  dialerId = (await buildDialer(db, channel.id)).id;
  campaign = await buildCampaign(db);
});
afterAll(() => platform.close());

/** A 201's body, or a refusal's `error`. */
type Created = { apiKey: ApiKeyView; key: string; error: { code: string; message: string; details?: unknown } };
const createKey = (body: object, cookie = cookies.admin) => api<Created>(platform.url, 'POST', '/api/api-keys', { cookie, body });
const sendWith = (key: string) =>
  api(platform.url, 'POST', '/api/v1/messages', {
    headers: { 'x-api-key': key },
    body: { destination: '+59899000001', message: 'hello', campaignId: campaign.id },
  });

describe('API keys', () => {
  it('shows the key once, keeps only its hash, and lists it without secrets', async () => {
    const name = `crm ${randomUUID()}`;
    const created = await createKey({ name, campaignIds: [campaign.id], dialerId, securityGroupId: null });
    expect(created.status).toBe(201);
    const { apiKey, key } = created.body;
    expect(key).toMatch(/^omk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({
      name,
      prefix: key.slice(0, 8),
      campaignIds: [campaign.id],
      dialerId,
      securityGroupId: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(apiKey)).not.toContain(key);

    // At rest: the hash, never the key, in the key's row and in its audit entry.
    const [row] = await platform.services.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    expect(row!.keyHash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key);
    const audits = await platform.services.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, String(apiKey.id)));
    expect(audits.map((audit) => audit.action)).toEqual(['api_key.created']);
    expect(JSON.stringify(audits)).not.toContain(key);

    const list = await api<{ apiKeys: ApiKeyView[] }>(platform.url, 'GET', '/api/api-keys', { cookie: cookies.admin });
    expect(list.status).toBe(200);
    expect(list.body.apiKeys.find((listed) => listed.id === apiKey.id)).toEqual(apiKey);
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(JSON.stringify(list.body)).not.toContain(row!.keyHash);
  });

  it('works at once, records its last use, and is refused as soon as it is revoked', async () => {
    const { body } = await createKey({ name: 'billing', campaignIds: [], dialerId, securityGroupId: null });
    expect((await sendWith(body.key)).status).toBe(202);
    const [used] = await platform.services.db.select().from(apiKeys).where(eq(apiKeys.id, body.apiKey.id));
    expect(used!.lastUsedAt).not.toBeNull();

    const revoked = await api<ApiKeyView>(platform.url, 'POST', `/api/api-keys/${body.apiKey.id}/revoke`, { cookie: cookies.admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const refused = await sendWith(body.key);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/not valid or was revoked/);

    // Revoking again changes nothing and audits nothing more.
    const again = await api<ApiKeyView>(platform.url, 'POST', `/api/api-keys/${body.apiKey.id}/revoke`, { cookie: cookies.admin });
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    const audits = await platform.services.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, String(body.apiKey.id)));
    expect(audits.map((audit) => audit.action).filter((action) => action.startsWith('api_key.'))).toEqual(['api_key.created', 'api_key.revoked']);
    expect((await api(platform.url, 'POST', '/api/api-keys/999999/revoke', { cookie: cookies.admin })).status).toBe(404);
  });

  it('refuses unknown campaigns, dialers and groups, naming each field', async () => {
    const blankName = await createKey({ name: ' ', campaignIds: [], dialerId: null, securityGroupId: null });
    expect(blankName.body.error.details).toEqual([{ path: 'name', message: 'Name the key (which system uses it)' }]);

    const unknown = await createKey({ name: 'x', campaignIds: [campaign.id, 999_999], dialerId: 999_998, securityGroupId: 999_997 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([
      { path: 'campaignIds.1', message: 'There is no campaign 999999' },
      { path: 'dialerId', message: 'There is no dialer 999998' },
      { path: 'securityGroupId', message: 'There is no security group 999997' },
    ]);

    const [group] = await platform.services.db
      .insert(securityGroups)
      .values({ name: `group ${randomUUID()}` })
      .returning();
    const outside = await createKey({ name: 'x', campaignIds: [campaign.id], dialerId, securityGroupId: group!.id });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details).toEqual([{ path: 'campaignIds.0', message: `Campaign "${campaign.name}" is not in the key's security group` }]);
    expect((await platform.services.db.select().from(apiKeys).where(eq(apiKeys.name, 'x'))).length).toBe(0);
  });

  it('is managed by admins only', async () => {
    const { body } = await createKey({ name: 'admins only', campaignIds: [], dialerId: null, securityGroupId: null });
    for (const role of ['agent', 'supervisor'] as const) {
      expect((await api(platform.url, 'GET', '/api/api-keys', { cookie: cookies[role] })).status).toBe(403);
      expect((await createKey({ name: 'mine', campaignIds: [], dialerId: null, securityGroupId: null }, cookies[role])).status).toBe(403);
      expect((await api(platform.url, 'POST', `/api/api-keys/${body.apiKey.id}/revoke`, { cookie: cookies[role] })).status).toBe(403);
    }
    const [row] = await platform.services.db.select().from(apiKeys).where(eq(apiKeys.id, body.apiKey.id));
    expect(row!.revokedAt).toBeNull();
  });
});
