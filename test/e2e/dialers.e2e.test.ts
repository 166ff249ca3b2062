import { and, eq, isNull } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { NEW_DIALER_DEFAULTS } from '../../console/ui/src/console/features/dialers/dialer-draft.ts';
import { apiKeys, dialers, dncr, spool } from '../../db/schema/index.ts';
import type { UserRole } from '../../db/schema/index.ts';
import { screenshot, consoleSuite } from '../harness/browser.ts';
import { buildCampaign, buildChannel, buildDialer, buildSimulatorChannel } from '../harness/factories.ts';
import { openPhone } from '../harness/simulator-phone.ts';

const suite = consoleSuite();
const { sockets, pageErrors } = suite;

/** Polls wait as long as locators do (vitest's default is one second, short for a busy machine). */
const WAIT = { timeout: 10_000 };
const db = () => suite.platform.services.db;
const signIn = (role: UserRole, displayName: string): Promise<Page> => suite.signIn(role, displayName, { viewport: { width: 1280, height: 900 } });

/** A CSV the browser uploads as if picked from disk. */
const csv = (name: string, lines: string[]) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });

const figure = (page: Page, name: string) => page.locator(`[data-testid=figure-${name}] .figure-value`);
const rowsOf = async (dialerId: number) => db().select({ state: spool.state, destination: spool.destination }).from(spool).where(eq(spool.dialerId, dialerId));

describe('dialers in the console, in a real browser', () => {
  it('a new dialer form starts from the database defaults', async () => {
    const channel = await buildSimulatorChannel(db());
    const [stored] = await db().insert(dialers).values({ name: 'Only a name', channelId: channel.id }).returning();
    const stripped = Object.fromEntries(Object.keys(NEW_DIALER_DEFAULTS).map((key) => [key, stored![key as keyof typeof stored]]));
    expect(stripped).toEqual(NEW_DIALER_DEFAULTS);
    await db().delete(dialers).where(eq(dialers.id, stored!.id));
  });

  it('an admin creates a dialer in the form, sees a refused field beside it, and the WhatsApp Web warning', async () => {
    await buildSimulatorChannel(db(), { name: 'Bulk SMS line' });
    // Disabled: no session starts for it; it only needs to be offered.
    const whatsappWeb = await buildChannel(db(), { type: 'baileys', name: 'Shop WhatsApp Web', enabled: false });
    const page = await signIn('admin', 'Ada Admin');
    await page.click('[data-testid=nav-broadcasts]');
    await page.click('[data-testid=nav-dialers]');
    await page.locator('[data-testid=dialers-page]').waitFor();
    await page.click('[data-testid=new-dialer]');
    await page.locator('[data-testid=dialer-detail][data-dialer-id=new]').waitFor();

    await page.fill('[data-testid=dialer-name]', 'Promo dialer');
    // A WhatsApp Web channel: the ban-risk warning shows as soon as it is picked, and leaves with it.
    await page.selectOption('[data-testid=dialer-channel]', String(whatsappWeb.id));
    await page.locator('[data-testid=dialer-whatsapp-web-warning]').getByText('ban').waitFor();
    await page.selectOption('[data-testid=dialer-channel]', { label: 'Bulk SMS line (Simulator)' });
    await page.locator('[data-testid=dialer-whatsapp-web-warning]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid=dial-string-hint]').innerText()).toContain('needs no dial string');
    expect(await page.inputValue('[data-testid=dialer-batchSize]')).toBe('50');

    // A negative pause is refused by the server, and the error shows under that field.
    await page.fill('[data-testid=dialer-timeBetweenMessagesMs]', '-5');
    await page.check('[data-testid=dialer-enabled]');
    await page.click('[data-testid=dialer-save]');
    await page.locator('[data-testid=field-error][data-path=timeBetweenMessagesMs]').waitFor();
    expect(await page.getAttribute('[data-testid=dialer-timeBetweenMessagesMs]', 'aria-invalid')).toBe('true');
    await page.locator('[data-testid=dialer-banner]').getByText('refused the marked fields').waitFor();
    await screenshot(page, 'dialers-1-refused-field');
    expect(await db().select().from(dialers).where(eq(dialers.name, 'Promo dialer'))).toEqual([]);

    await page.fill('[data-testid=dialer-timeBetweenMessagesMs]', '100');
    await page.click('[data-testid=dialer-save]');
    await page.locator('[data-testid=dialer-title]').getByText('Promo dialer').waitFor();
    const [created] = await db().select().from(dialers).where(eq(dialers.name, 'Promo dialer'));
    expect(created).toMatchObject({ timeBetweenMessagesMs: 100, batchSize: 50, enabled: true, running: false, dncrCheck: true, dialString: null });
    expect(new URL(page.url()).hash).toBe(`#/dialers/${created!.id}`);
    await page.locator(`[data-testid=dialer-row][data-dialer-id="${created!.id}"]`).getByText('Stopped').waitFor();
    await screenshot(page, 'dialers-2-created');

    // A dialer over WhatsApp Web (slow enough for the server) carries the server's warning, shown in its panel.
    await page.click('[data-testid=new-dialer]');
    await page.locator('[data-testid=dialer-detail][data-dialer-id=new]').waitFor();
    await page.fill('[data-testid=dialer-name]', 'WhatsApp blast');
    await page.selectOption('[data-testid=dialer-channel]', String(whatsappWeb.id));
    await page.fill('[data-testid=dialer-timeBetweenMessagesMs]', '5000');
    await page.click('[data-testid=dialer-save]');
    await page.locator('[data-testid=dialer-title]').getByText('WhatsApp blast').waitFor();
    await page.locator('[data-testid=dialer-warnings] [data-testid=dialer-warning]').getByText('WhatsApp Web').waitFor();
    await screenshot(page, 'dialers-3-whatsapp-web-warning');
    expect(pageErrors).toEqual([]);
  });

  it('a supervisor uploads mass messages, sees a bad file refused line by line, starts the dialer, sends one, and deletes the rest', async () => {
    const channel = await buildSimulatorChannel(db(), { name: 'Campaign SMS line' });
    const campaign = await buildCampaign(db(), { name: 'campsms' });
    const dialer = await buildDialer(db(), channel.id, { name: 'Night promo', enabled: false, timeBetweenMessagesMs: 50 });
    const customer = await openPhone(suite.platform.url, channel.id, '098344384', sockets);

    const page = await signIn('supervisor', 'Sam Supervisor');
    // The top bar's Dialers link opens the monitor, the page supervisors use most.
    await page.click('[data-testid=nav-broadcasts]');
    await page.locator('[data-testid=nav-dialer-monitor][aria-current=page]').waitFor();
    await page.locator(`[data-testid=dialer-overview-row][data-dialer-id="${dialer.id}"] a`).click();
    expect(new URL(page.url()).hash).toBe(`#/dialer-monitor/${dialer.id}`);
    await page.locator(`[data-testid=dialer-dashboard][data-dialer-id="${dialer.id}"]`).waitFor();
    expect(await figure(page, 'status').innerText()).toBe('Inactive');
    expect(await figure(page, 'on-schedule').innerText()).toBe('Active');
    expect(await figure(page, 'not-processed').innerText()).toBe('0');

    // A file with a campaign that does not exist and a forbidden character: every issue with its line and column, nothing imported.
    await page.setInputFiles(
      '[data-testid=spool-file]',
      csv('DISCTEST29042014.csv', [
        'campsms;098344384;Hey World!;9999',
        'nosuchcampaign;098356484;Hey World!;9999',
        'campsms;098378984;Write to me @ home;9999',
      ]),
    );
    await page.click('[data-testid=spool-submit]');
    const issues = page.locator('[data-testid=spool-issues] [data-testid=file-issue]');
    await issues.first().waitFor();
    await page.locator('[data-testid=file-issue][data-line="2"][data-column="1"]').waitFor();
    await page.locator('[data-testid=file-issue][data-line="3"][data-column="3"]').waitFor();
    expect(await page.locator('[data-testid=file-issue][data-line="2"]').innerText()).toMatch(/^line 2, column 1: /);
    expect(await rowsOf(dialer.id)).toEqual([]);
    await screenshot(page, 'dialers-4-file-refused');

    // The seed's example, trailing semicolons and all: three messages wait.
    await page.setInputFiles(
      '[data-testid=spool-file]',
      csv('campsms.csv', ['campsms;098344384;Hey World!;9999;', 'campsms;098356484;Hey World!;9999;', 'campsms;098378984;Hey World!;9999;']),
    );
    await page.locator('[data-testid=spool-issues]').waitFor({ state: 'detached' });
    await page.click('[data-testid=spool-submit]');
    await page.locator('[data-testid=spool-done]').getByText('Imported 3 messages').waitFor();
    await expect.poll(() => figure(page, 'not-processed').innerText(), WAIT).toBe('3');
    await page.locator(`[data-testid=dialer-campaign-row][data-campaign-id="${campaign.id}"]`).waitFor();
    await expect.poll(() => page.locator('[data-testid=spool-row][data-state=to_process]').count(), WAIT).toBe(3);

    // Start refused while the dialer is disabled; the server's reason shows.
    await page.click('[data-testid=dialer-start]');
    await page.locator('[data-testid=dialer-action-error]').getByText('not enabled').waitFor();
    await screenshot(page, 'dialers-5-not-enabled');
    await db().update(dialers).set({ enabled: true }).where(eq(dialers.id, dialer.id));
    await page.click('[data-testid=dialer-start]');
    await expect.poll(() => figure(page, 'status').innerText(), WAIT).toBe('Active');
    await expect.poll(() => figure(page, 'processed').innerText(), WAIT).toBe('3');
    expect(await figure(page, 'not-processed').innerText()).toBe('0');
    await expect.poll(() => customer.received.map((m) => m.text), WAIT).toContain('Hey World!');
    await expect.poll(() => page.locator('[data-testid=spool-row][data-state=sent]').count(), WAIT).toBe(3);

    // A single message goes through the running dialer.
    await page.fill('[data-testid=single-destination]', '098344384');
    await page.fill('[data-testid=single-message]', 'Your order is ready');
    await page.selectOption('[data-testid=single-campaign]', String(campaign.id));
    await page.click('[data-testid=single-submit]');
    await page.locator('[data-testid=single-sent]').waitFor();
    await expect.poll(() => customer.received.map((m) => m.text), WAIT).toContain('Your order is ready');
    await expect.poll(() => figure(page, 'processed').innerText(), WAIT).toBe('4');
    await screenshot(page, 'dialers-6-sent');

    // Stopped, a new file waits; Delete turns the unprocessed rows into CANCELLED, kept on record.
    await page.click('[data-testid=dialer-stop]');
    await expect.poll(() => figure(page, 'status').innerText(), WAIT).toBe('Inactive');
    await page.setInputFiles('[data-testid=spool-file]', csv('LATE01.csv', ['campsms;098311111;Late offer;1', 'campsms;098322222;Late offer;1']));
    await page.click('[data-testid=spool-submit]');
    await page.locator('[data-testid=spool-done]').getByText('Imported 2 messages').waitFor();
    await expect.poll(() => figure(page, 'not-processed').innerText(), WAIT).toBe('2');
    await page.click('[data-testid=dialer-cancel]');
    const dialog = page.locator('[data-testid=cancel-dialog]');
    await dialog.getByText('become CANCELLED').waitFor();
    expect(await dialog.locator('[data-testid=cancel-count]').innerText()).toContain('2 messages');
    await screenshot(page, 'dialers-7-delete-dialog');
    await dialog.locator('[data-testid=cancel-confirm]').click();
    await page.locator('[data-testid=dialer-action-note]').getByText('2 unprocessed messages were cancelled').waitFor();
    await expect.poll(() => figure(page, 'not-processed').innerText(), WAIT).toBe('0');
    const cancelled = await db()
      .select()
      .from(spool)
      .where(and(eq(spool.dialerId, dialer.id), eq(spool.state, 6)));
    expect(cancelled.map((row) => row.destination).sort()).toEqual(['098311111', '098322222']);
    await screenshot(page, 'dialers-8-cancelled');

    // Supervisors read the dialer's settings but do not change them.
    await page.click('[data-testid=nav-dialers]');
    await page.locator(`[data-testid=dialer-row][data-dialer-id="${dialer.id}"] [data-testid=dialer-link]`).click();
    await page.locator('[data-testid=dialer-title]').getByText('Night promo').waitFor();
    expect(await page.isDisabled('[data-testid=dialer-name]')).toBe(true);
    expect(await page.locator('[data-testid=dialer-save]').count()).toBe(0);
    expect(await page.locator('[data-testid=new-dialer]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('a supervisor adds, finds and removes a DNCR number, and uploads a DNCR file', async () => {
    const campaign = await buildCampaign(db(), { name: 'marcadortest' });
    const page = await signIn('supervisor', 'Dora DNCR');
    await page.click('[data-testid=nav-broadcasts]');
    await page.click('[data-testid=nav-dncr]');
    // API keys are the admins' alone.
    expect(await page.locator('[data-testid=nav-api-keys]').count()).toBe(0);
    await page.locator('[data-testid=dncr-list][data-loaded=true]').waitFor();

    await page.fill('[data-testid=dncr-number]', '098344484');
    await page.click('[data-testid=dncr-add-submit]');
    await page.locator('[data-testid=dncr-added]').getByText('global list').waitFor();
    const listed = page.locator('[data-testid=dncr-row]').filter({ hasText: '98344484' });
    await listed.waitFor();

    await page.setInputFiles('[data-testid=dncr-file]', csv('DNCR29042014.csv', ['23578408;marcadortest;', '23113758;marcadortest;']));
    await page.click('[data-testid=dncr-submit]');
    await page.locator('[data-testid=dncr-done]').getByText('Added 2 numbers').waitFor();
    await page.selectOption('[data-testid=dncr-scope]', String(campaign.id));
    await expect.poll(() => page.locator('[data-testid=dncr-row]').count(), WAIT).toBe(2);
    await page.fill('[data-testid=dncr-search]', '3578408');
    await expect.poll(() => page.locator('[data-testid=dncr-row]').count(), WAIT).toBe(1);
    await screenshot(page, 'dialers-9-dncr');

    await page.fill('[data-testid=dncr-search]', '');
    await page.selectOption('[data-testid=dncr-scope]', 'global');
    const globalNumbers = async () => (await db().select().from(dncr).where(isNull(dncr.campaignId))).map((entry) => entry.number);
    expect((await globalNumbers()).filter((number) => number.endsWith('98344484'))).toHaveLength(1);
    await listed.locator('[data-testid=dncr-remove]').click();
    await listed.locator('[data-testid=dncr-remove-confirm]').click();
    await listed.waitFor({ state: 'detached' });
    expect((await globalNumbers()).filter((number) => number.endsWith('98344484'))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('an admin creates an API key, sees it once with a copy button, and revokes it', async () => {
    const channel = await buildSimulatorChannel(db());
    const campaign = await buildCampaign(db(), { name: 'Web service campaign' });
    const dialer = await buildDialer(db(), channel.id, { name: 'Web service dialer' });
    const page = await signIn('admin', 'Kim Keys');
    await page.click('[data-testid=nav-broadcasts]');
    await page.click('[data-testid=nav-api-keys]');
    await page.locator('[data-testid=api-key-list][data-loaded=true]').waitFor();

    await page.fill('[data-testid=api-key-name]', 'Billing system');
    await page.check(`[data-testid=api-key-campaign][data-campaign-id="${campaign.id}"] input`);
    await page.selectOption('[data-testid=api-key-dialer]', String(dialer.id));
    await page.click('[data-testid=api-key-create]');
    const plaintext = await page.locator('[data-testid=api-key-plaintext]').inputValue();
    expect(plaintext.length).toBeGreaterThan(20);
    const [stored] = await db().select().from(apiKeys).where(eq(apiKeys.name, 'Billing system'));
    expect(stored).toMatchObject({ campaignIds: [campaign.id], dialerId: dialer.id, revokedAt: null });
    expect(JSON.stringify(stored)).not.toContain(plaintext);
    const row = page.locator(`[data-testid=api-key-row][data-key-id="${stored!.id}"]`);
    expect(await row.innerText()).toContain('Web service campaign');
    await page.click('[data-testid=api-key-copy]');
    await page
      .locator('[data-testid=api-key-copy-status]')
      .getByText(/Copied|Could not copy/)
      .waitFor();
    await screenshot(page, 'dialers-10-api-key-once');
    await page.click('[data-testid=api-key-done]');
    await page.locator('[data-testid=api-key-plaintext]').waitFor({ state: 'detached' });

    await row.locator('[data-testid=api-key-revoke]').click();
    await row.locator('[data-testid=api-key-revoke-confirm]').click();
    await page.locator(`[data-testid=api-key-row][data-key-id="${stored!.id}"][data-revoked=true]`).waitFor();
    const [revoked] = await db().select().from(apiKeys).where(eq(apiKeys.id, stored!.id));
    expect(revoked!.revokedAt).not.toBeNull();
    await screenshot(page, 'dialers-11-api-key-revoked');
    expect(pageErrors).toEqual([]);
  });
});
