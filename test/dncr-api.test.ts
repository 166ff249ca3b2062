import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DncrEntry } from '../contract/dialer.ts';
import { auditLog, dncr, securityGroups, userSecurityGroups } from '../db/schema/index.ts';
import { blockedNumbers } from '../dialer/dncr.ts';
import { buildCampaign, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
let admin: { id: number; cookie: string };

beforeAll(async () => {
  // Numbers without a country code are Uruguayan, as in the seed's examples.
  platform = await startTestPlatform({ DEFAULT_COUNTRY: 'UY' });
  admin = await userWithCookie('admin');
});
afterAll(() => platform.close());

async function userWithCookie(role: 'agent' | 'supervisor' | 'admin', groupIds: number[] = []) {
  const user = await buildUser(platform.services.db, { role });
  if (groupIds.length) await platform.services.db.insert(userSecurityGroups).values(groupIds.map((securityGroupId) => ({ userId: user.id, securityGroupId })));
  return { ...user, cookie: await login(platform.url, user.username, TEST_PASSWORD) };
}

async function group() {
  const [row] = await platform.services.db
    .insert(securityGroups)
    .values({ name: `group ${randomUUID().slice(0, 8)}` })
    .returning();
  return row!;
}

const call = <T = any>(method: string, path: string, cookie: string, body?: unknown) => api<T>(platform.url, method, path, { cookie, body });

async function uploadList(cookie: string, body: string, fileName = 'DNCR29042014.csv') {
  const response = await fetch(`${platform.url}/api/dncr/imports?fileName=${encodeURIComponent(fileName)}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'text/csv' },
    body,
  });
  return { status: response.status, body: await response.json() };
}

/** A number no other test uses: Uruguayan landline digits `2xxxxxxx`. */
let serial = 0;
const landline = () => `2${String(3000000 + ++serial * 7919 + Math.floor(Math.random() * 1000)).padStart(7, '0')}`;

describe('single numbers', () => {
  it('stores a number in its one form, so 098344484 on the list blocks +59898344484, and adds it once', async () => {
    const campaign = await buildCampaign(platform.services.db);
    const added = await call<DncrEntry>('POST', '/api/dncr', admin.cookie, { number: '098344484', campaignId: null });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ number: '+59898344484', campaign: null, source: 'manual' });
    expect(await blockedNumbers(platform.services.db, campaign.id, ['+59898344484', '+59898344485'])).toEqual(new Set(['+59898344484']));

    const again = await call<DncrEntry>('POST', '/api/dncr', admin.cookie, { number: '+598 98 344 484', campaignId: null });
    expect(again).toEqual({ status: 200, body: added.body });
    const audits = await platform.services.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, String(added.body.id)));
    expect(audits.map((row) => row.action)).toEqual(['dncr.added']);
  });

  it("keeps a campaign's list to that campaign", async () => {
    const [sales, support] = [await buildCampaign(platform.services.db), await buildCampaign(platform.services.db)];
    const number = landline();
    const added = await call<DncrEntry>('POST', '/api/dncr', admin.cookie, { number, campaignId: sales.id });
    expect(added.body).toMatchObject({ number: `+598${number}`, campaign: { id: sales.id, name: sales.name } });
    expect(await blockedNumbers(platform.services.db, sales.id, [`+598${number}`])).toEqual(new Set([`+598${number}`]));
    expect(await blockedNumbers(platform.services.db, support.id, [`+598${number}`])).toEqual(new Set());
    // The same number on the global list is another entry.
    expect((await call('POST', '/api/dncr', admin.cookie, { number, campaignId: null })).status).toBe(201);
  });

  it('refuses what is not a number, and a campaign out of sight', async () => {
    const bad = await call('POST', '/api/dncr', admin.cookie, { number: 'call me', campaignId: null });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'number', message: '"call me" is not a phone number' }]);
    const supervisor = await userWithCookie('supervisor', [(await group()).id]);
    const hidden = await buildCampaign(platform.services.db, { securityGroupId: (await group()).id });
    const refused = await call('POST', '/api/dncr', supervisor.cookie, { number: landline(), campaignId: hidden.id });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ path: 'campaignId', message: `There is no campaign ${hidden.id}` }]);
  });

  it('lists, filters and searches what the actor may see, and removes entries', async () => {
    const mine = await group();
    const supervisor = await userWithCookie('supervisor', [mine.id]);
    const own = await buildCampaign(platform.services.db, { securityGroupId: mine.id });
    const hidden = await buildCampaign(platform.services.db, { securityGroupId: (await group()).id });
    const [globalNumber, ownNumber, hiddenNumber] = [landline(), landline(), landline()];
    const global = (await call<DncrEntry>('POST', '/api/dncr', supervisor.cookie, { number: globalNumber, campaignId: null })).body;
    const ownEntry = (await call<DncrEntry>('POST', '/api/dncr', supervisor.cookie, { number: ownNumber, campaignId: own.id })).body;
    const hiddenEntry = (await call<DncrEntry>('POST', '/api/dncr', admin.cookie, { number: hiddenNumber, campaignId: hidden.id })).body;

    const ids = async (cookie: string, query = '') =>
      (await call<{ entries: DncrEntry[] }>('GET', `/api/dncr${query}`, cookie)).body.entries.map((entry) => entry.id);
    expect(await ids(supervisor.cookie)).toEqual(expect.arrayContaining([global.id, ownEntry.id]));
    expect(await ids(supervisor.cookie)).not.toContain(hiddenEntry.id);
    expect(await ids(admin.cookie)).toEqual(expect.arrayContaining([global.id, ownEntry.id, hiddenEntry.id]));
    expect(await ids(supervisor.cookie, `?campaignId=${own.id}`)).toEqual([ownEntry.id]);
    expect(await ids(supervisor.cookie, '?campaignId=global')).toContain(global.id);
    expect(await ids(supervisor.cookie, '?campaignId=global')).not.toContain(ownEntry.id);
    expect(await ids(supervisor.cookie, `?q=${ownNumber}`)).toEqual([ownEntry.id]);
    expect(await ids(supervisor.cookie, `?q=${encodeURIComponent(`${ownNumber.slice(0, 4)} ${ownNumber.slice(4)}`)}`)).toEqual([ownEntry.id]);
    expect(await ids(supervisor.cookie, `?q=${landline()}`)).toEqual([]);
    expect(await ids(admin.cookie, `?q=${encodeURIComponent(`+598 ${hiddenNumber}`)}`)).toEqual([hiddenEntry.id]);

    expect((await call('DELETE', `/api/dncr/${hiddenEntry.id}`, supervisor.cookie)).status).toBe(404);
    expect((await call('DELETE', `/api/dncr/${ownEntry.id}`, supervisor.cookie)).status).toBe(204);
    expect((await call('DELETE', `/api/dncr/${global.id}`, supervisor.cookie)).status).toBe(204);
    expect(await blockedNumbers(platform.services.db, own.id, [`+598${ownNumber}`, `+598${globalNumber}`])).toEqual(new Set());
    expect((await call('DELETE', `/api/dncr/${global.id}`, supervisor.cookie)).status).toBe(404);
    const [removal] = await platform.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'dncr.removed'), eq(auditLog.targetId, String(ownEntry.id))));
    expect(removal).toMatchObject({ actorUserId: supervisor.id, details: { number: `+598${ownNumber}`, campaignId: own.id, source: 'manual' } });
  });

  it('is closed to agents', async () => {
    const agent = await userWithCookie('agent');
    expect((await call('GET', '/api/dncr', agent.cookie)).status).toBe(403);
    expect((await call('POST', '/api/dncr', agent.cookie, { number: landline(), campaignId: null })).status).toBe(403);
    expect((await call('DELETE', '/api/dncr/1', agent.cookie)).status).toBe(403);
    expect((await uploadList(agent.cookie, `${landline()};\n`)).status).toBe(403);
  });
});

describe('uploading a list', () => {
  it("imports the seed's example, counts numbers already listed, and audits it", async () => {
    const marcadortest = await buildCampaign(platform.services.db, { name: 'marcadortest' });
    const file = '23578408;marcadortest;\n23113758;marcadortest;\n22150696;marcadortest;\n22016549;marcadortest;\n';
    const first = await uploadList(admin.cookie, file);
    expect(first).toEqual({ status: 201, body: { added: 4, alreadyListed: 0 } });
    const rows = await platform.services.db.select().from(dncr).where(eq(dncr.campaignId, marcadortest.id));
    expect(rows.map((row) => [row.number, row.source, row.createdByUserId]).sort()).toEqual(
      ['+59822016549', '+59822150696', '+59823113758', '+59823578408'].map((number) => [number, 'upload', admin.id]),
    );
    expect(await uploadList(admin.cookie, `number;campaign\n${file}23578408;marcadortest\n`)).toEqual({ status: 201, body: { added: 0, alreadyListed: 5 } });
    const [audit] = await platform.services.db.select().from(auditLog).where(eq(auditLog.action, 'dncr.imported')).orderBy(auditLog.id).limit(1);
    expect(audit).toMatchObject({ actorUserId: admin.id, details: { fileName: 'DNCR29042014.csv', added: 4, alreadyListed: 0 } });
  });

  it('puts numbers without a campaign on the global list', async () => {
    const [a, b] = [landline(), landline()];
    expect(await uploadList(admin.cookie, `${a};\r\n${b}\r\n\r\n`)).toEqual({ status: 201, body: { added: 2, alreadyListed: 0 } });
    const rows = await platform.services.db
      .select()
      .from(dncr)
      .where(inArray(dncr.number, [`+598${a}`, `+598${b}`]));
    expect(rows.map((row) => row.campaignId)).toEqual([null, null]);
  });

  it('refuses a file with every issue, line and column, and adds nothing of it', async () => {
    const supervisor = await userWithCookie('supervisor', [(await group()).id]);
    const hidden = await buildCampaign(platform.services.db, { securityGroupId: (await group()).id });
    const good = landline();
    const file = `${good};\nno digits;\n\n${landline()};${hidden.name};\n${landline()};;extra;\n`;
    const refused = await uploadList(supervisor.cookie, file, 'black list.csv');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_file');
    expect(refused.body.error.details.issues).toEqual([
      { line: null, column: null, message: expect.stringMatching(/spaces/) },
      { line: 2, column: 1, message: '"no digits" is not a phone number' },
      { line: 3, column: null, message: expect.stringMatching(/empty record/i) },
      { line: 4, column: 2, message: `Campaign "${hidden.name}" does not exist` },
      { line: 5, column: 3, message: expect.stringMatching(/this one has 3 columns/) },
    ]);
    expect(
      await platform.services.db
        .select()
        .from(dncr)
        .where(eq(dncr.number, `+598${good}`)),
    ).toEqual([]);
  });

  it('takes 100,000 lines in one upload', async () => {
    const lines = Array.from({ length: 100_000 }, (_, index) => `9${String(index).padStart(7, '0')};`).join('\n');
    expect(await uploadList(admin.cookie, lines)).toEqual({ status: 201, body: { added: 100_000, alreadyListed: 0 } });
  }, 120_000);
});
