import twilio from 'twilio';
import { normalizeProviderAddress } from '../phone-number.ts';
import type { MessageMedia } from '../../db/schema/index.ts';
import { InvalidPayloadError, type Channel, type ChannelFactory, type InboundMessage, type SendResult, type StatusReport } from '../channel.ts';
import { twilioSecretsSchema, twilioSettingsSchema } from './twilio-settings.ts';

/** Twilio statuses that end or advance delivery; the others (queued, accepted, sending…) report nothing new. */
const STATUS: Record<string, StatusReport['status'] | undefined> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * Twilio error codes that a retry can cure (queue overflow, rate limits); every other refusal
 * (invalid or unsubscribed number, outside the WhatsApp window…) is permanent.
 */
const RETRYABLE_CODES = new Set([20429, 30001, 20003]);

/** Twilio SMS and Twilio WhatsApp: one adapter, the WhatsApp type adds the `whatsapp:` address prefix. */
export const createTwilioChannel: ChannelFactory = (row, deps): Channel => {
  const settings = twilioSettingsSchema.parse(row.settings);
  const { authToken } = twilioSecretsSchema.parse(row.secrets);
  const whatsapp = row.type === 'twilio_whatsapp';
  const prefix = whatsapp ? 'whatsapp:' : '';
  const client = twilio(settings.accountSid, authToken, { autoRetry: false });
  const address = (value: string) => normalizeProviderAddress(value.replace(/^whatsapp:/, ''), row.defaultCountry);
  const params = (body: unknown): Record<string, string> => {
    if (!body || typeof body !== 'object') throw new InvalidPayloadError('expected a form-encoded Twilio webhook');
    return body as Record<string, string>;
  };

  return {
    type: row.type,
    verify(request) {
      const signature = request.headers['x-twilio-signature'];
      // Twilio's messaging webhooks are forms, signed over their parameters; a JSON body carrying
      // the same parameters is not something Twilio sends, whatever its signature says.
      if (!signature || !isForm(request.headers['content-type']) || !request.body || typeof request.body !== 'object') return false;
      // Twilio signs the URL it called plus every POST parameter, including ones it adds later.
      return twilio.validateRequest(authToken, signature, request.url, request.body as Record<string, string>);
    },
    normalize(request) {
      const p = params(request.body);
      if (!p.MessageSid) throw new InvalidPayloadError('MessageSid is missing');
      const status = p.MessageStatus ?? p.SmsStatus;
      if (status && status !== 'received') {
        const mapped = STATUS[status];
        const reports: StatusReport[] = mapped
          ? [
              {
                providerMessageId: p.MessageSid,
                status: mapped,
                errorCode: p.ErrorCode || undefined,
                errorMessage: p.ErrorMessage || (p.ErrorCode ? `Twilio error ${p.ErrorCode}` : undefined),
                at: new Date(),
              },
            ]
          : [];
        return { messages: [], statuses: reports };
      }
      const media: MessageMedia[] = [];
      for (let i = 0; i < Number(p.NumMedia ?? 0); i++) {
        const url = p[`MediaUrl${i}`];
        if (url) media.push({ url, contentType: p[`MediaContentType${i}`] });
      }
      const message: InboundMessage = {
        channelId: row.id,
        from: address(p.From ?? ''),
        to: p.To ? address(p.To) : row.address,
        text: p.Body ?? '',
        media,
        providerMessageId: p.MessageSid,
        timestamp: new Date(),
        profileName: p.ProfileName,
        metadata: { provider: 'twilio', ...(p.WaId ? { waId: p.WaId } : {}), ...(p.ButtonPayload ? { buttonPayload: p.ButtonPayload } : {}) },
      };
      return { messages: [message], statuses: [] };
    },
    async send(message): Promise<SendResult> {
      const statusCallback = deps.webhookUrl(row.id);
      try {
        const sent = await client.messages.create({
          to: `${prefix}${message.to}`,
          ...(settings.messagingServiceSid ? { messagingServiceSid: settings.messagingServiceSid } : { from: `${prefix}${settings.fromNumber}` }),
          // A template is a Twilio Content SID (HX…) with numbered variables; otherwise plain text.
          ...(message.rich?.content.type === 'template' && message.rich.content.name.startsWith('HX')
            ? {
                contentSid: message.rich.content.name,
                contentVariables: JSON.stringify(Object.fromEntries(message.rich.content.bodyParameters.map((value, index) => [String(index + 1), value]))),
              }
            : { body: message.text }),
          ...(message.media.length ? { mediaUrl: message.media.map((item) => item.url) } : {}),
          ...(statusCallback ? { statusCallback } : {}),
        });
        return { ok: true, providerMessageId: sent.sid };
      } catch (error) {
        const rest = error as { status?: number; code?: number; message?: string };
        if (typeof rest.status !== 'number') {
          return { ok: false, errorCode: 'network', errorMessage: rest.message ?? String(error), retryable: true };
        }
        const retryable = rest.status === 429 || rest.status >= 500 || RETRYABLE_CODES.has(rest.code ?? 0);
        return { ok: false, errorCode: String(rest.code ?? rest.status), errorMessage: rest.message ?? `HTTP ${rest.status}`, retryable };
      }
    },
  };
};

const isForm = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
