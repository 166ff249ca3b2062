import { measureSms } from '../../messages/sms-encoding.ts';
import type { ChannelRow, OutboundMessage, SendResult } from '../channel.ts';
import { nextPort, parseDialString } from './dial-string.ts';
import { GatewayUnreachableError, UNAUTHORIZED_DETAIL, type DinstarClient, type GatewayReply } from './dinstar-http.ts';
import type { DinstarSettings } from './dinstar-settings.ts';
import { sendReplySchema } from './dinstar-wire.ts';

/** The gateway's own limits for one SMS task: 670 characters (10 UCS-2 parts) and 1500 bytes of text. */
export const MAX_CHARACTERS = 670;
export const MAX_BYTES = 1500;

/** What `send_sms` error codes mean; 500 and 550 can pass (a port frees up), the rest will not. */
const REFUSALS: Record<number, { text: string; retryable: boolean }> = {
  400: { text: 'the gateway found the request malformed', retryable: false },
  413: { text: 'too many numbers, or the text is over 1500 bytes', retryable: false },
  500: { text: 'the gateway failed to take the message', retryable: true },
  550: { text: 'no port is available to send (SIMs busy, unregistered or blocked)', retryable: true },
};

/**
 * Hands one SMS to the gateway: one number, the next port of the dial string, `user_id` = our
 * message id so results and pushes name it. The provider id is that same id (`String(messageId)`):
 * results carry `user_id` but not the task id, so nothing else would let them be matched.
 */
export async function sendSms(client: DinstarClient, row: ChannelRow, settings: DinstarSettings, message: OutboundMessage): Promise<SendResult> {
  const text = [message.text, ...message.media.map((item) => item.url)].filter(Boolean).join('\n');
  const measure = measureSms(text);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (measure.characters > MAX_CHARACTERS || bytes > MAX_BYTES) {
    return {
      ok: false,
      errorCode: 'too_long',
      errorMessage: `the text has ${measure.characters} characters (${bytes} bytes); a Dinstar sends at most ${MAX_CHARACTERS} characters and ${MAX_BYTES} bytes`,
      retryable: false,
    };
  }
  const dialString = message.dialString?.trim() || settings.dialString;
  let port: number | undefined;
  if (dialString) {
    const ports = parseDialString(dialString);
    if (!ports)
      return {
        ok: false,
        errorCode: 'bad_dial_string',
        errorMessage: `"${dialString}" is not a Dinstar port list (such as 0-3, 2 or 0,2,5)`,
        retryable: false,
      };
    port = nextPort(row.id, dialString, ports);
  }
  const encoding = settings.encoding === 'auto' ? (measure.encoding === 'GSM-7' ? 'gsm-7bit' : 'unicode') : settings.encoding;
  const body = {
    text,
    param: [{ number: message.to, user_id: message.messageId }],
    ...(port === undefined ? {} : { port: [port] }),
    encoding,
    request_status_report: settings.requestStatusReport,
  };

  let reply: GatewayReply;
  try {
    reply = await client.post('/api/send_sms', body);
  } catch (error) {
    if (error instanceof GatewayUnreachableError) return { ok: false, errorCode: 'unreachable', errorMessage: error.message, retryable: true };
    throw error;
  }
  if (reply.status === 401) return { ok: false, errorCode: 'unauthorized', errorMessage: UNAUTHORIZED_DETAIL, retryable: false };
  const parsed = sendReplySchema.safeParse(reply.body);
  if (!parsed.success) {
    const retryable = reply.status >= 500 || reply.status === 429;
    return {
      ok: false,
      errorCode: `http_${reply.status}`,
      errorMessage: `unexpected answer from the gateway (HTTP ${reply.status}): ${reply.text.slice(0, 200)}`,
      retryable,
    };
  }
  const { error_code: code, reason } = parsed.data;
  if (code === 202) return { ok: true, providerMessageId: String(message.messageId) };
  const refusal = REFUSALS[code];
  const explanation = [refusal?.text, reason].filter(Boolean).join(': ') || 'refused by the gateway';
  const onPort = port === undefined ? '' : ` (port ${port})`;
  return { ok: false, errorCode: String(code), errorMessage: `${explanation}${onPort}`, retryable: refusal?.retryable ?? false };
}
