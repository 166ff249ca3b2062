import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHANNEL_TYPE_LABELS, SETTINGS_EXAMPLES } from '../../console/ui/src/console/features/channels/channel-types.ts';
import { channelLeases, channels } from '../../db/schema/index.ts';
import { CHANNEL_SCHEMAS } from '../../gateway/channel-schemas.ts';
import { rooms } from '../../kernel/realtime.ts';
import { screenshot, consoleSuite } from '../harness/browser.ts';

const PUBLIC_URL = 'http://omnichat.example.test';

// No session-channels role: a WhatsApp Web channel made here must not try to reach WhatsApp; its
// session state comes from the lease rows the tests write, as another node would.
const suite = consoleSuite({ ROLES: 'http,workers', PUBLIC_URL });
const { pageErrors, signIn } = suite;

const row = (page: Page, name: string) => page.locator('[data-testid=channel-row]').filter({ hasText: name });

describe('Channels page in a real browser', () => {
  it('an admin creates a simulator channel, renames it, copies its webhook URL and test-sends through it', async () => {
    const page = await signIn('admin', 'Ada Admin', { permissions: ['clipboard-read', 'clipboard-write'] });
    await page.click('[data-testid=nav-channels]');
    await page.locator('[data-testid=channels-page]').waitFor();

    await page.click('[data-testid=new-channel]');
    await page.locator('[data-testid=channel-create]').waitFor();
    expect(await page.locator('[data-testid=channel-type-select]').inputValue()).toBe('simulator');
    await page.fill('[data-testid=channel-name-input]', 'Front desk phone');
    await page.fill('[data-testid=channel-address-input]', '+59829001234');
    await screenshot(page, 'channels-1-create-simulator');
    await page.click('[data-testid=channel-create-submit]');

    // Created: the URL names it, the list shows it with its type's label, the panel shows it.
    const detail = page.locator('[data-testid=channel-detail]');
    await detail.waitFor();
    const id = Number(await detail.getAttribute('data-channel-id'));
    expect(new URL(page.url()).hash).toBe(`#/channels/${id}`);
    await expect.poll(() => row(page, 'Front desk phone').locator('[data-testid=channel-type]').innerText()).toBe('Simulator');
    await expect.poll(() => detail.locator('[data-testid=secret-row][data-secret=signingKey]').innerText()).toContain('generated');

    // The webhook URL is PUBLIC_URL's, and the copy button puts it on the clipboard.
    const webhook = `${PUBLIC_URL}/webhooks/${id}`;
    expect(await page.locator('[data-testid=channel-webhook-url]').inputValue()).toBe(webhook);
    await page.click('[data-testid=copy-webhook]');
    await page.locator('[data-testid=copy-status]').getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(webhook);

    // Rename: the panel and the list follow.
    await page.fill('[data-testid=channel-name-input]', 'Front desk');
    await page.click('[data-testid=channel-save]');
    await page.locator('[data-testid=channel-saved]').waitFor();
    await expect.poll(() => page.locator('[data-testid=channel-detail-name]').innerText()).toBe('Front desk');
    await row(page, 'Front desk').waitFor();
    expect(await row(page, 'Front desk phone').count()).toBe(0);
    const stored = await suite.platform.services.db.query.channels.findFirst({ where: eq(channels.id, id) });
    expect(stored).toMatchObject({ name: 'Front desk', address: '+59829001234', defaultCountry: 'UY' });

    // A test send goes through the outbox and comes back sent, with the provider's id.
    await page.fill('[data-testid=test-send-to]', '099 555 123');
    await page.fill('[data-testid=test-send-text]', 'Hello from the Channels page');
    await page.click('[data-testid=test-send-submit]');
    const result = page.locator('[data-testid=test-send-result]');
    await result.waitFor();
    expect(await result.getAttribute('data-status')).toBe('sent');
    expect(await page.locator('[data-testid=test-send-provider-id]').innerText()).toMatch(/^sim-out-/);
    await screenshot(page, 'channels-2-simulator-sent');

    // Disabled, it says so and no longer test-sends.
    await page.click('[data-testid=channel-toggle-enabled]');
    await expect.poll(() => page.locator('[data-testid=channel-detail] [data-testid=channel-enabled]').innerText()).toBe('Disabled');
    expect(await page.locator('[data-testid=test-send-submit]').isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("shows the server's field errors for bad Twilio settings, naming each path, then saves good ones", async () => {
    const page = await signIn('admin', 'Tess Admin');
    await page.goto(`${suite.platform.url}/#/channels/new`);
    // A generic HTTP provider names its own secrets: one more can be added beside the example's.
    await page.selectOption('[data-testid=channel-type-select]', 'http_generic');
    await page.fill('[data-testid=new-secret-name]', 'signingSecret');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=secret-row][data-secret=signingSecret]').getByText('not set').waitFor();
    await screenshot(page, 'channels-0-create-http-provider');
    await page.selectOption('[data-testid=channel-type-select]', 'twilio_sms');
    // The type's example settings and its secret are offered.
    expect(JSON.parse(await page.locator('[data-testid=channel-settings]').inputValue())).toEqual(SETTINGS_EXAMPLES.twilio_sms);
    await expect.poll(() => page.locator('[data-testid=secret-row][data-secret=authToken]').innerText()).toContain('not set');
    await page.fill('[data-testid=channel-name-input]', 'Twilio US');
    await page.fill('[data-testid=channel-country-input]', 'US');

    // Not JSON: the browser says so before asking the server.
    await page.fill('[data-testid=channel-settings]', '{ "accountSid": ');
    await page.click('[data-testid=channel-create-submit]');
    await page.locator('[data-testid=field-error][data-path=settings]').getByText('is not valid JSON').waitFor();

    // JSON the Twilio schema refuses: the server names each field.
    await page.fill('[data-testid=channel-settings]', JSON.stringify({ accountSid: 'nope', fromNumber: '+14155550100' }, null, 2));
    await page.click('[data-testid=channel-create-submit]');
    const errors = page.locator('[data-testid=channel-form-errors]');
    await errors.locator('[data-testid=field-error][data-path="settings.accountSid"]').getByText('must be an Account SID').waitFor();
    await errors.locator('[data-testid=field-error][data-path="secrets.authToken"]').getByText('required').waitFor();
    expect(await page.locator('[data-testid=channel-settings]').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'channels-3-twilio-field-errors');

    // Fixed: created, the secret is "set" and never shown.
    await page.fill('[data-testid=channel-settings]', JSON.stringify(SETTINGS_EXAMPLES.twilio_sms));
    await page.fill('[data-testid=secret-authToken]', 'a-twilio-auth-token-0123456789');
    await page.click('[data-testid=channel-create-submit]');
    const detail = page.locator('[data-testid=channel-detail]');
    await detail.waitFor();
    await expect.poll(() => detail.locator('[data-testid=secret-row][data-secret=authToken] [data-testid=secret-status]').innerText()).toBe('set');
    expect(await page.locator('[data-testid=secret-authToken]').inputValue()).toBe('');
    expect(await page.content()).not.toContain('a-twilio-auth-token-0123456789');
    await row(page, 'Twilio US').getByText('Twilio SMS').waitFor();

    // Editing with bad settings is refused the same way, and nothing changes.
    await page.fill('[data-testid=channel-settings]', JSON.stringify({ accountSid: SETTINGS_EXAMPLES.twilio_sms.accountSid, fromNumber: '555' }));
    await page.click('[data-testid=channel-save]');
    await detail.locator('[data-testid=field-error][data-path="settings.fromNumber"]').getByText('E.164').waitFor();
    await screenshot(page, 'channels-4-twilio-edit-error');
    const id = Number(await detail.getAttribute('data-channel-id'));
    const stored = await suite.platform.services.db.query.channels.findFirst({ where: eq(channels.id, id) });
    expect(stored!.settings).toEqual(SETTINGS_EXAMPLES.twilio_sms);
    expect(pageErrors).toEqual([]);
  });

  it("shows a session channel's pairing QR and follows its state live", async () => {
    const page = await signIn('admin', 'Quinn Admin');
    await page.goto(`${suite.platform.url}/#/channels`);
    await page.locator('[data-testid=channel-list][data-loaded=true]').waitFor();

    // Another node holds this WhatsApp Web channel and waits for its QR to be scanned.
    const { db, realtime } = suite.platform.services;
    const [channel] = await db.insert(channels).values({ type: 'baileys', name: 'WhatsApp sales', address: '+59899123456' }).returning();
    const node = 'node-b:4242:abcdef';
    const [lease] = await db
      .insert(channelLeases)
      .values({ channelId: channel!.id, nodeId: node, expiresAt: new Date(Date.now() + 3_600_000), state: 'qr', qr: 'test-qr-string' })
      .returning();
    const tell = (state: 'qr' | 'open', detail: string | null) =>
      realtime.publish([
        {
          rooms: [rooms.admins],
          event: 'channel.session',
          payload: { channelId: channel!.id, state, qr: state === 'qr' ? 'test-qr-string' : null, detail, node, updatedAt: lease!.updatedAt.toISOString() },
        },
      ]);
    tell('qr', null);

    // The event alone brings it into the list (no reload), with its state as a badge.
    const listed = row(page, 'WhatsApp sales');
    await listed.locator('[data-testid=session-badge][data-state=qr]').waitFor();
    expect(await listed.locator('[data-testid=channel-type]').innerText()).toBe('WhatsApp Web (Baileys)');
    await listed.locator('[data-testid=channel-link]').click();
    const qr = page.locator('[data-testid=channel-qr]');
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    expect((await qr.boundingBox())!.width).toBeGreaterThanOrEqual(256);
    await page.locator('[data-testid=channel-session]').getByText('WhatsApp > Linked devices > Link a device').waitFor();
    await screenshot(page, 'channels-5-session-qr');

    // Scanned: the node reports the session open, and the page follows without a reload.
    await db
      .update(channelLeases)
      .set({ state: 'open', qr: null, detail: '+598 99 123 456', updatedAt: new Date() })
      .where(eq(channelLeases.channelId, channel!.id));
    tell('open', '+598 99 123 456');
    await page.locator('[data-testid=channel-session] [data-testid=session-badge][data-state=open]').waitFor();
    await expect.poll(() => page.locator('[data-testid=session-detail]').innerText()).toContain('+598 99 123 456');
    expect(await qr.count()).toBe(0);
    expect(await listed.locator('[data-testid=session-badge]').innerText()).toBe('Connected');
    await screenshot(page, 'channels-6-session-open');

    // A narrow window shows one pane at a time: the channel, with a way back to the list.
    await page.setViewportSize({ width: 420, height: 860 });
    expect(await page.locator('[data-testid=channel-list]').isVisible()).toBe(false);
    await screenshot(page, 'channels-7-narrow-detail');
    expect(pageErrors).toEqual([]);
  });

  it('agents have no Channels link, and its address shows them their inbox', async () => {
    const page = await signIn('agent', 'Andy Agent');
    expect(await page.locator('[data-testid=nav-channels]').count()).toBe(0);
    await page.goto(`${suite.platform.url}/#/channels`);
    await page.locator('[data-testid=inbox]').waitFor();
    expect(await page.locator('[data-testid=channels-page]').count()).toBe(0);
    await screenshot(page, 'channels-8-agent-top-bar');
    expect(pageErrors).toEqual([]);
  });

  it('offers, for every channel type, example settings its own schema accepts', () => {
    for (const type of Object.keys(CHANNEL_TYPE_LABELS) as (keyof typeof CHANNEL_TYPE_LABELS)[]) {
      const result = CHANNEL_SCHEMAS[type]!.settings.safeParse(SETTINGS_EXAMPLES[type]);
      expect(result.success ? [] : result.error.issues.map((issue) => `${type}: ${issue.path.join('.')} ${issue.message}`)).toEqual([]);
    }
  });
});
