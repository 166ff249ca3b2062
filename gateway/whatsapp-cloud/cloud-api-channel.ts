import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { MessageMedia } from '../../db/schema/index.ts';
import { normalizeProviderAddress } from '../phone-number.ts';
import {
  InvalidPayloadError,
  type Channel,
  type ChannelFactory,
  type InboundMessage,
  type OutboundMessage,
  type SendResult,
  type StatusReport,
} from '../channel.ts';
import { cloudWebhookSchema, type CloudMessage } from './cloud-api-payload.ts';
import { cloudApiSecretsSchema, cloudApiSettingsSchema } from './cloud-api-settings.ts';

/** Throughput and pair-rate limits, and Meta's transient errors: a retry with backoff can succeed. */
const RETRYABLE_CODES = new Set([4, 80007, 130429, 131056, 131000, 1, 2]);

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;

function textOf(message: CloudMessage): { text: string; media: MessageMedia[]; metadata: Record<string, unknown> } {
  const media: MessageMedia[] = [];
  for (const type of MEDIA_TYPES) {
    const item = message[type];
    // Meta sends a media id; its download URL is fetched with the access token when needed.
    if (item) media.push({ url: `whatsapp-media:${item.id}`, contentType: item.mime_type, caption: item.caption, fileName: item.filename });
  }
  if (message.text) return { text: message.text.body, media, metadata: {} };
  if (message.interactive?.button_reply) {
    return { text: message.interactive.button_reply.title, media, metadata: { replyId: message.interactive.button_reply.id } };
  }
  if (message.interactive?.list_reply) {
    return { text: message.interactive.list_reply.title, media, metadata: { replyId: message.interactive.list_reply.id } };
  }
  if (message.button) return { text: message.button.text, media, metadata: { replyId: message.button.payload } };
  if (message.location) {
    const { latitude, longitude, name, address } = message.location;
    return { text: [name, address, `${latitude},${longitude}`].filter(Boolean).join(' · '), media, metadata: { location: message.location } };
  }
  const caption = media.find((item) => item.caption)?.caption ?? '';
  return { text: caption, media, metadata: media.length ? {} : { unsupportedType: message.type } };
}

/** The Messages API body for one message: text, an approved template, reply buttons or a list. */
export function cloudMessagePayload(message: OutboundMessage): Record<string, unknown> {
  const rich = message.rich;
  if (!rich) return { type: 'text', text: { body: message.text, preview_url: false } };
  const { body, content } = rich;
  const textParameters = (values: string[]) => values.map((value) => ({ type: 'text', text: value }));
  switch (content.type) {
    case 'template': {
      const components = [
        ...(content.headerParameters?.length ? [{ type: 'header', parameters: textParameters(content.headerParameters) }] : []),
        ...(content.bodyParameters.length ? [{ type: 'body', parameters: textParameters(content.bodyParameters) }] : []),
      ];
      return { type: 'template', template: { name: content.name, language: { code: content.language }, ...(components.length ? { components } : {}) } };
    }
    case 'buttons':
    case 'list': {
      const action =
        content.type === 'buttons'
          ? { buttons: content.buttons.map((button) => ({ type: 'reply', reply: { id: button.id, title: button.title } })) }
          : { button: content.button, sections: content.sections };
      return {
        type: 'interactive',
        interactive: {
          type: content.type === 'buttons' ? 'button' : 'list',
          ...(content.header ? { header: { type: 'text', text: content.header } } : {}),
          body: { text: body },
          ...(content.footer ? { footer: { text: content.footer } } : {}),
          action,
        },
      };
    }
  }
}

/** WhatsApp Business Cloud API (Meta, plain HTTPS). */
export const createCloudApiChannel: ChannelFactory = (row): Channel => {
  const settings = cloudApiSettingsSchema.parse(row.settings);
  const secrets = cloudApiSecretsSchema.parse(row.secrets);
  const endpoint = `${settings.graphApiBaseUrl.replace(/\/$/, '')}/${settings.graphApiVersion}/${settings.phoneNumberId}/messages`;

  const request = (body: object) =>
    fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });

  async function post(payload: object): Promise<SendResult> {
    let response: Response;
    try {
      response = await request({ messaging_product: 'whatsapp', recipient_type: 'individual', ...payload });
    } catch (error) {
      return { ok: false, errorCode: 'network', errorMessage: error instanceof Error ? error.message : String(error), retryable: true };
    }
    const body = (await response.json().catch(() => ({}))) as {
      messages?: { id: string }[];
      error?: { code?: number; message?: string; error_data?: { details?: string } };
    };
    const id = body.messages?.[0]?.id;
    if (response.ok && id) return { ok: true, providerMessageId: id };
    const code = body.error?.code;
    const detail = body.error?.error_data?.details;
    return {
      ok: false,
      errorCode: String(code ?? response.status),
      errorMessage: [body.error?.message ?? `HTTP ${response.status}`, detail].filter(Boolean).join(': '),
      retryable: response.status === 429 || response.status >= 500 || RETRYABLE_CODES.has(code ?? 0),
    };
  }

  return {
    type: 'whatsapp_cloud',
    handshake(request) {
      // Meta's subscription check: echo the challenge only for our verify token.
      if (request.query['hub.mode'] !== 'subscribe') return null;
      const given = Buffer.from(request.query['hub.verify_token'] ?? '');
      const expected = Buffer.from(secrets.verifyToken);
      const ok = given.length === expected.length && timingSafeEqual(given, expected);
      return ok ? { status: 200, body: request.query['hub.challenge'] ?? '' } : { status: 403, body: 'verify token mismatch' };
    },
    verify(request) {
      const header = request.headers['x-hub-signature-256'];
      if (!header?.startsWith('sha256=')) return false;
      const expected = Buffer.from(createHmac('sha256', secrets.appSecret).update(request.rawBody).digest('hex'));
      const given = Buffer.from(header.slice('sha256='.length));
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
    normalize(request) {
      const parsed = cloudWebhookSchema.safeParse(request.body);
      if (!parsed.success) throw new InvalidPayloadError('not a WhatsApp Cloud API webhook', z.treeifyError(parsed.error));
      const messages: InboundMessage[] = [];
      const statuses: StatusReport[] = [];
      for (const change of parsed.data.entry.flatMap((entry) => entry.changes)) {
        if (change.field !== 'messages') continue;
        const { value } = change;
        const names = new Map((value.contacts ?? []).map((contact) => [contact.wa_id, contact.profile?.name]));
        for (const message of value.messages ?? []) {
          const content = textOf(message);
          messages.push({
            channelId: row.id,
            from: normalizeProviderAddress(`+${message.from}`, row.defaultCountry),
            to: value.metadata ? normalizeProviderAddress(`+${value.metadata.display_phone_number.replace(/\D/g, '')}`, row.defaultCountry) : row.address,
            text: content.text,
            media: content.media,
            providerMessageId: message.id,
            timestamp: new Date(Number(message.timestamp) * 1000),
            profileName: names.get(message.from),
            metadata: { provider: 'whatsapp_cloud', type: message.type, ...content.metadata },
          });
        }
        for (const status of value.statuses ?? []) {
          if (!['sent', 'delivered', 'read', 'failed'].includes(status.status)) continue;
          const error = status.errors?.[0];
          statuses.push({
            providerMessageId: status.id,
            status: status.status as StatusReport['status'],
            errorCode: error ? String(error.code) : undefined,
            errorMessage: error ? [error.title ?? error.message, error.error_data?.details].filter(Boolean).join(': ') : undefined,
            at: new Date(Number(status.timestamp) * 1000),
          });
        }
      }
      return { messages, statuses };
    },
    send: (message) => post({ to: message.to.replace(/^\+/, ''), ...cloudMessagePayload(message) }),
    /**
     * Meta's typing indicator: it marks the customer's message read and shows "typing…" until our
     * reply or 25 s. It answers a received message, so without one there is nothing to show.
     */
    async typing(_to, { replyToProviderMessageId }) {
      if (!replyToProviderMessageId) return;
      const response = await request({
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: replyToProviderMessageId,
        typing_indicator: { type: 'text' },
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { error?: { code?: number; message?: string } };
        throw new Error(`typing indicator refused: ${body.error?.code ?? response.status} ${body.error?.message ?? ''}`.trim());
      }
    },
  };
};
