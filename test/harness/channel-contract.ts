import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connection.ts';
import { channelLeases, conversations, messages } from '../../db/schema/index.ts';
import { queueOutboundMessage } from '../../conversations/queue-outbound-message.ts';
import { inTransaction } from '../../kernel/unit-of-work.ts';
import { eventually, startTestPlatform, type TestPlatform } from './test-platform.ts';
import type { ChannelRow } from '../../gateway/channel.ts';

/** A provider's HTTP request to our webhook, as the provider would send it. */
export type WebhookCall = { headers: Record<string, string>; body: string };

/** The provider's side of sending, as faked for a test (msw for HTTP APIs, a peer for sessions). */
export type FakeProvider = {
  /** Resolves with the next message the provider receives from us. */
  nextSend(): Promise<{ to: string; text: string; providerMessageId: string }>;
  /**
   * Makes the provider refuse the next send with this error (permanent). Absent only for a channel
   * with no provider that can refuse (the simulator's phone), which the fixture must say.
   */
  failNextSend?(failure: { code: string; message: string }): void;
  /**
   * Session channels only (a modem line, an SMPP bind, a WhatsApp Web socket): the provider delivers
   * an inbound message, or a delivery report, the way it really would. Delivering the same `id` twice
   * must produce the same message at the provider (a redelivery), which the platform stores once.
   */
  deliverInbound?(message: { id: string; text: string }): Promise<void>;
  deliverStatus?(report: { providerMessageId: string; status: 'delivered' }): Promise<void>;
  close(): Promise<void>;
};

/** A provider that calls our webhook: how it signs its calls. */
type WebhookFixture = {
  /** The URL the provider calls for a channel (what it signs). */
  webhookUrl(platform: TestPlatform, channel: ChannelRow): string;
  inbound(channel: ChannelRow, url: string, message: { id: string; text: string }): WebhookCall;
  /** The same inbound message with a signature the provider would not produce. */
  forged(channel: ChannelRow, url: string, message: { id: string; text: string }): WebhookCall;
  status(channel: ChannelRow, url: string, report: { providerMessageId: string; status: 'delivered' }): WebhookCall;
};

/** A provider reached over a session (its FakeProvider delivers inbound messages and reports). */
type SessionFixture = {
  /** Why nobody can forge this channel's inbound messages (the forged case is then left out). */
  cannotForge: string;
};

export type ChannelContractFixture = {
  name: string;
  /** Platform environment (PUBLIC_URL when the provider signs the public URL). */
  env?: Record<string, string>;
  createChannel(db: Db): Promise<ChannelRow>;
  /** The customer: how the provider writes the number, and its E.164 form. */
  customer: { providerAddress: string; e164: string };
  /** The provider's side; for a session channel, the peer the session connects to. */
  openProvider(platform: TestPlatform, channel: ChannelRow): Promise<FakeProvider>;
  /** Why this channel's provider can never refuse a send; the refusal case is then left out. */
  cannotRefuse?: string;
} & (WebhookFixture | SessionFixture);

const post = (url: string, call: WebhookCall) => fetch(url, { method: 'POST', headers: call.headers, body: call.body });

/**
 * The behaviour every channel owes the platform, run against the real HTTP server, jobs and
 * database. A provider passes it by supplying a fixture: how it signs requests and how it sends.
 */
export function runChannelContract(fixture: ChannelContractFixture): void {
  describe(`${fixture.name}: channel contract`, () => {
    let platform: TestPlatform;
    let channel: ChannelRow;
    let url: string;
    let provider: FakeProvider;

    beforeAll(async () => {
      platform = await startTestPlatform(fixture.env);
      channel = await fixture.createChannel(platform.services.db);
      url = 'webhookUrl' in fixture ? fixture.webhookUrl(platform, channel) : '';
      provider = await fixture.openProvider(platform, channel);
      if (platform.services.channels.get(channel).session) {
        await platform.services.sessions.refresh();
        await eventually(async () => {
          const lease = await platform.services.db.query.channelLeases.findFirst({ where: eq(channelLeases.channelId, channel.id) });
          expect(lease, 'the session reports itself open').toMatchObject({ state: 'open', nodeId: platform.services.sessions.nodeId });
        });
      }
    });
    afterAll(async () => {
      await provider?.close();
      await platform?.close();
    });

    const inboundRows = () =>
      platform.services.db
        .select()
        .from(messages)
        .where(and(eq(messages.channelId, channel.id), eq(messages.direction, 'inbound')));

    /** The provider delivers an inbound message: through our webhook, or over its session. */
    async function deliverInbound(message: { id: string; text: string }) {
      if (!('inbound' in fixture)) return provider.deliverInbound!(message);
      const response = await post(`${platform.url}/webhooks/${channel.id}`, fixture.inbound(channel, url, message));
      expect(response.status).toBe(200);
    }
    async function deliverStatus(report: { providerMessageId: string; status: 'delivered' }) {
      if (!('status' in fixture)) return provider.deliverStatus!(report);
      const response = await post(`${platform.url}/webhooks/${channel.id}`, fixture.status(channel, url, report));
      expect(response.status).toBe(200);
    }

    it('normalizes an inbound message, stores it once, and a duplicate delivery is ignored', async () => {
      const message = { id: randomUUID(), text: 'Hola, ¿tienen stock? 👍' };
      await deliverInbound(message);
      await deliverInbound(message);
      await eventually(async () => {
        const rows = await inboundRows();
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ address: fixture.customer.e164, body: message.text, status: 'received', authorType: 'contact' });
        expect(rows[0]!.conversationId).not.toBeNull();
      });
    });

    // PostgreSQL cannot store U+0000: a provider's NUL once failed the webhook with a 500 on every retry.
    if ('inbound' in fixture)
      it('stores a message whose text and id carry NUL characters, once, without them', async () => {
        const id = randomUUID();
        const message = { id: `${id.slice(0, 8)}\u0000${id.slice(8)}`, text: 'hello\u0000world \u0000' };
        await deliverInbound(message);
        await deliverInbound(message);
        await eventually(async () => {
          const rows = (await inboundRows()).filter((row) => row.body.startsWith('helloworld'));
          expect(rows).toHaveLength(1);
          expect(rows[0]).toMatchObject({ body: 'helloworld ', status: 'received' });
          expect(rows[0]!.providerMessageId).not.toContain('\u0000');
        });
      });

    // Left out only for a session channel whose fixture states why nothing can forge its input.
    if ('forged' in fixture)
      it('refuses a forged request and stores nothing', async () => {
        const before = (await inboundRows()).length;
        const response = await post(`${platform.url}/webhooks/${channel.id}`, fixture.forged(channel, url, { id: randomUUID(), text: 'forged' }));
        expect(response.status).toBe(403);
        expect(await inboundRows()).toHaveLength(before);
      });

    async function sendToCustomer(body: string) {
      const [conversation] = await platform.services.db.select().from(conversations).where(eq(conversations.channelId, channel.id));
      expect(conversation, 'the inbound test opened a conversation').toBeDefined();
      return inTransaction(platform.services, (uow) => queueOutboundMessage(uow, { conversation: conversation!, authorType: 'bot', body }));
    }

    it('sends an outbound message, stores the provider id, and moves it on with delivery reports', async () => {
      const received = provider.nextSend();
      const queued = await sendToCustomer('Your order ships today');
      const sent = await received;
      expect(sent).toMatchObject({ to: fixture.customer.e164, text: 'Your order ships today' });
      await eventually(async () => {
        const row = await platform.services.db.query.messages.findFirst({ where: eq(messages.id, queued.id) });
        expect(row).toMatchObject({ status: 'sent', providerMessageId: sent.providerMessageId });
      });
      await deliverStatus({ providerMessageId: sent.providerMessageId, status: 'delivered' });
      await eventually(async () => {
        const row = await platform.services.db.query.messages.findFirst({ where: eq(messages.id, queued.id) });
        expect(row).toMatchObject({ status: 'delivered' });
        expect(row!.deliveredAt).not.toBeNull();
      });
    });

    // Left out only for a channel whose fixture states why its provider can never refuse.
    if (fixture.cannotRefuse === undefined)
      it("stores a provider's refusal as a failed message with the provider's code and text", async () => {
        if (!provider.failNextSend) throw new Error(`${fixture.name}'s fake provider cannot refuse a send`);
        // A NUL in the provider's text must not fail the write (PostgreSQL cannot store it).
        provider.failNextSend({ code: '21610', message: 'Attempt to send to unsubscribed recipient\u0000' });
        const queued = await sendToCustomer('This one is refused');
        await eventually(async () => {
          const row = await platform.services.db.query.messages.findFirst({ where: eq(messages.id, queued.id) });
          expect(row).toMatchObject({ status: 'failed', errorCode: '21610', errorMessage: expect.stringContaining('unsubscribed') });
          expect(row!.errorMessage).not.toContain('\u0000');
        });
      });
  });
}
