import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidPayloadError, type ChannelRow, type StatusReport, type WebhookContent, type WebhookRequest } from '../channel.ts';
import { deliveryReport, inboundMessage, resultReport } from './dinstar-content.ts';
import type { DinstarSettings } from './dinstar-settings.ts';
import { deliverStatusSchema, incomingSmsSchema, pushSchema, smsResultSchema, validItems } from './dinstar-wire.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

function basicPassword(header: string | undefined): string | undefined {
  const match = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * A push comes from our gateway when it carries the channel's push token: as `?token=` in the URL
 * configured on the gateway, or as the password of Basic credentials (a URL such as
 * `https://dinstar:<token>@host/webhooks/7`). The gateway signs nothing, so the token is all there is;
 * without one configured, pushes are refused.
 */
export function verifyPush(pushToken: string | undefined, request: WebhookRequest): boolean {
  if (!pushToken) return false;
  const offered = [request.query.token, basicPassword(request.headers.authorization)];
  return offered.some((value) => value !== undefined && same(value, pushToken));
}

/**
 * What a push carries: received SMS (`sms`) and sending results (`sms_result`) that name our
 * `user_id`. Network status reports (`sms_deliver_status`) name only a ref_id, which a stateless
 * webhook cannot match: the poller matches those. `register`, `ussd`, `cdr`… carry nothing for us.
 */
export function normalizePush(row: ChannelRow, settings: DinstarSettings, request: WebhookRequest): WebhookContent {
  let body = request.body;
  if (body === undefined && request.rawBody.length > 0) {
    try {
      body = JSON.parse(request.rawBody.toString('utf8')); // the gateway may omit the JSON content type
    } catch {
      throw new InvalidPayloadError('expected a Dinstar push: JSON with sms, sms_result or sms_deliver_status');
    }
  }
  const parsed = pushSchema.safeParse(body);
  if (!parsed.success) throw new InvalidPayloadError('expected a Dinstar push: JSON with sms, sms_result or sms_deliver_status', parsed.error.issues);
  const push = parsed.data;
  const invalid: unknown[] = [];
  const keepInvalid = (item: unknown) => void invalid.push(item);
  const at = new Date();
  const messages = validItems(incomingSmsSchema, push.sms ?? [], keepInvalid).map((sms) => inboundMessage(row, settings, push.sn, sms));
  const statuses: StatusReport[] = [];
  for (const result of validItems(smsResultSchema, push.sms_result ?? [], keepInvalid)) {
    const report = resultReport(result, at);
    if (report) statuses.push(report);
  }
  for (const delivery of validItems(deliverStatusSchema, push.sms_deliver_status ?? [], keepInvalid)) {
    const report = delivery.user_id ? deliveryReport(String(delivery.user_id), delivery, at) : null;
    if (report) statuses.push(report);
  }
  if (invalid.length > 0 && messages.length === 0 && statuses.length === 0) throw new InvalidPayloadError('the push holds no readable item', invalid);
  return { messages, statuses };
}
