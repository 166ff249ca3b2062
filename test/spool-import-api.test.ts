import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportProgress, SpoolImportView } from '../contract/dialer.ts';
import { auditLog, securityGroups, spool, spoolCounts, spoolImports, userSecurityGroups } from '../db/schema/index.ts';
import { DIALER_SIGNAL } from '../dialer/dialer-signal.ts';
import { buildCampaign, buildDialer, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, connectClient, login, nextEvent, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
let channelId: number;
let campsms: { id: number; name: string };

beforeAll(async () => {
  platform = await startTestPlatform();
  channelId = (await buildSimulatorChannel(platform.services.db)).id;
  campsms = await buildCampaign(platform.services.db, { name: 'campsms' });
});
afterAll(() => platform.close());

const SEED_FILE = 'campsms;098344384;Hey World!;9999;\ncampsms;098356484;Hey World!;9999;\ncampsms;098378984;Hey World!;9999;\n';

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

/** Uploads a file the way the console does: the raw body, named in the query. */
async function upload(dialerId: number, cookie: string, body: string, query: Record<string, string> = {}, contentType = 'text/csv') {
  const params = new URLSearchParams({ fileName: 'DISCTEST29042014.csv', ...query });
  const response = await fetch(`${platform.url}/api/dialers/${dialerId}/imports?${params}`, {
    method: 'POST',
    headers: { cookie, 'content-type': contentType },
    body,
  });
  return { status: response.status, body: await response.json() };
}

const spoolOf = (dialerId: number) => platform.services.db.select().from(spool).where(eq(spool.dialerId, dialerId));
const countsOf = (dialerId: number) => platform.services.db.select().from(spoolCounts).where(eq(spoolCounts.dialerId, dialerId));

describe('uploading a file into a dialer', () => {
  it('imports the seed example, answers its view, lists it, audits it and wakes the dialer', async () => {
    const supervisor = await userWithCookie('supervisor');
    const dialer = await buildDialer(platform.services.db, channelId);
    const signals: string[] = [];
    const listener = await platform.services.sql.listen(DIALER_SIGNAL, (payload) => signals.push(payload));

    const created = await upload(dialer.id, supervisor.cookie, SEED_FILE);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      dialerId: dialer.id,
      fileName: 'DISCTEST29042014.csv',
      rows: 3,
      bytes: Buffer.byteLength(SEED_FILE),
      campaigns: { campsms: 3 },
      createdBy: { id: supervisor.id, displayName: supervisor.displayName },
      finishedAt: expect.any(String),
    } satisfies Partial<SpoolImportView>);
    expect((await spoolOf(dialer.id)).map((row) => [row.campaignId, row.destination, row.message, row.priority, row.state])).toEqual([
      [campsms.id, '098344384', 'Hey World!', 9999, 1],
      [campsms.id, '098356484', 'Hey World!', 9999, 1],
      [campsms.id, '098378984', 'Hey World!', 9999, 1],
    ]);
    expect(await countsOf(dialer.id)).toEqual([{ dialerId: dialer.id, campaignId: campsms.id, state: 1, count: 3 }]);

    const list = await api(platform.url, 'GET', `/api/dialers/${dialer.id}/imports`, { cookie: supervisor.cookie });
    expect(list).toEqual({ status: 200, body: { imports: [created.body] } });
    const [audit] = await platform.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'spool.imported'), eq(auditLog.targetId, String(created.body.id))));
    expect(audit).toMatchObject({ actorUserId: supervisor.id, targetType: 'spool_import', details: { dialerId: dialer.id, rows: 3 } });
    // A notification comes when the server's listening connection gets to it: generous on a loaded machine.
    await expect.poll(() => signals, { timeout: 30_000 }).toContain(String(dialer.id));
    await listener.unlisten();
  });

  it("sends the uploader the file's progress, ending with done", async () => {
    const supervisor = await userWithCookie('supervisor');
    const dialer = await buildDialer(platform.services.db, channelId);
    const socket = await connectClient(platform.url, { cookie: supervisor.cookie });
    try {
      const file = Array.from({ length: 5000 }, (_, index) => `campsms;0983${String(index).padStart(5, '0')};Message ${index};1`).join('\n');
      // Listening before the upload starts, so the wait spans the whole 5,000-row import: generous.
      const done = nextEvent<ImportProgress>(socket, 'dialer.import.progress', (progress) => progress.progressKey === 'upload-1' && progress.done, 90_000);
      expect((await upload(dialer.id, supervisor.cookie, file, { progressKey: 'upload-1' })).status).toBe(201);
      expect(await done).toEqual({ progressKey: 'upload-1', bytes: Buffer.byteLength(file), totalBytes: Buffer.byteLength(file), rows: 5000, done: true });
    } finally {
      socket.disconnect();
    }
  }, 120_000);

  it('refuses a file with every issue, line and column, and stores nothing of it', async () => {
    const supervisor = await userWithCookie('supervisor');
    const dialer = await buildDialer(platform.services.db, channelId);
    const before = await platform.services.db.select().from(spoolCounts);
    const file = 'campsms;098344384;Hey World!;9999;\ncampsms;098356484;Hey “World”;9999;\n\nnope;098378984;Hi;9999\ncampsms;1;Hi\n';
    const refused = await upload(dialer.id, supervisor.cookie, file, { fileName: 'my file.csv' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_file');
    expect(refused.body.error.details.issues).toEqual([
      { line: null, column: null, message: expect.stringMatching(/spaces/) },
      { line: 2, column: 3, message: expect.stringMatching(/not allowed: “, ”/) },
      { line: 3, column: null, message: expect.stringMatching(/empty record/i) },
      { line: 4, column: 1, message: 'Campaign "nope" does not exist' },
      { line: 5, column: 4, message: expect.stringMatching(/at least the first four columns/i) },
    ]);
    expect(await spoolOf(dialer.id)).toEqual([]);
    expect(await platform.services.db.select().from(spoolCounts)).toEqual(before);
    expect(await platform.services.db.select().from(spoolImports).where(eq(spoolImports.dialerId, dialer.id))).toEqual([]);
  });

  it('a campaign the supervisor cannot see does not exist for the file', async () => {
    const theirs = await group();
    const other = await group();
    const supervisor = await userWithCookie('supervisor', [theirs.id]);
    const hidden = await buildCampaign(platform.services.db, { securityGroupId: other.id });
    const own = await buildCampaign(platform.services.db, { securityGroupId: theirs.id });
    const dialer = await buildDialer(platform.services.db, channelId);
    const refused = await upload(dialer.id, supervisor.cookie, `${own.name};1;a;1\n${hidden.name};1;a;1\n`);
    expect(refused.body.error.details.issues).toEqual([{ line: 2, column: 1, message: `Campaign "${hidden.name}" does not exist` }]);
    expect(await spoolOf(dialer.id)).toEqual([]);

    const admin = await userWithCookie('admin');
    expect((await upload(dialer.id, admin.cookie, `${own.name};1;a;1\n${hidden.name};1;a;1\n`)).status).toBe(201);
  });

  it("refuses agents, a dialer out of the supervisor's sight, and a body that is not the file", async () => {
    const agent = await userWithCookie('agent');
    const dialer = await buildDialer(platform.services.db, channelId, { securityGroupId: (await group()).id });
    expect((await upload(dialer.id, agent.cookie, SEED_FILE)).status).toBe(403);
    expect((await api(platform.url, 'GET', `/api/dialers/${dialer.id}/imports`, { cookie: agent.cookie })).status).toBe(403);

    const outsider = await userWithCookie('supervisor', [(await group()).id]);
    expect((await upload(dialer.id, outsider.cookie, SEED_FILE)).status).toBe(404);
    expect((await api(platform.url, 'GET', `/api/dialers/${dialer.id}/imports`, { cookie: outsider.cookie })).status).toBe(404);

    const admin = await userWithCookie('admin');
    const json = await upload(dialer.id, admin.cookie, JSON.stringify({ file: SEED_FILE }), {}, 'application/json');
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('unsupported_media_type');
    expect(await spoolOf(dialer.id)).toEqual([]);
  });
});
