import { normalizeProviderAddress } from '../phone-number.ts';
import type { ChannelRow, InboundMessage, StatusReport } from '../channel.ts';
import type { DinstarSettings } from './dinstar-settings.ts';
import type { DeliverStatus, IncomingSms, SmsResult } from './dinstar-wire.ts';
import { parseGatewayTime } from './gateway-time.ts';

/**
 * The id of a received SMS: the gateway's serial, its `incoming_sms_id` and its timestamp. Polled
 * and pushed copies of one SMS agree on all three (one row of the gateway's inbox), so either path
 * stores it once; the timestamp keeps ids apart if the gateway's numbering restarts after its inbox
 * is cleared.
 */
export function incomingProviderId(sn: string | undefined, sms: IncomingSms): string {
  const stamp = (sms.timestamp ?? '').replace(/\D/g, '');
  return `${sn || 'dinstar'}:${sms.incoming_sms_id}${stamp ? `:${stamp}` : ''}`;
}

/** An SMS the gateway received on one of its ports; `to` is that port's number when configured. */
export function inboundMessage(row: ChannelRow, settings: DinstarSettings, sn: string | undefined, sms: IncomingSms): InboundMessage {
  let from: string;
  try {
    from = normalizeProviderAddress(sms.number, row.defaultCountry);
  } catch {
    from = sms.number.trim(); // an alphanumeric sender (a bank, the operator): kept as the network gave it
  }
  return {
    channelId: row.id,
    from,
    to: settings.portNumbers[String(sms.port)] ?? `port ${sms.port}`,
    text: sms.text,
    media: [],
    providerMessageId: incomingProviderId(sn, sms),
    timestamp: parseGatewayTime(sms.timestamp, settings.gatewayTimeZone) ?? new Date(),
    metadata: { provider: 'dinstar', port: sms.port, ...(sn ? { gateway: sn } : {}), ...(sms.smsc ? { smsc: sms.smsc } : {}) },
  };
}

/** A sending result about one of our messages (its `user_id` is our message id), or null. */
export function resultReport(result: SmsResult, at: Date): StatusReport | null {
  if (!result.user_id) return null; // sent by someone else (the gateway's web page, another app)
  const providerMessageId = String(result.user_id);
  switch (result.status.toUpperCase()) {
    case 'SENT_OK':
      return { providerMessageId, status: 'sent', at };
    case 'DELIVERED':
      return { providerMessageId, status: 'delivered', at };
    case 'FAILED': {
      const parts = result.count ? ` (${result.succ_count ?? 0} of ${result.count} parts sent)` : '';
      const port = result.port === undefined ? '' : ` on port ${result.port}`;
      return { providerMessageId, status: 'failed', errorCode: 'send_failed', errorMessage: `the gateway could not send it${port}${parts}`, at };
    }
    default:
      return null; // SENDING: nothing new
  }
}

/** Common permanent TP-Status values (3GPP TS 23.040 §9.2.3.15). */
const TP_STATUS: Record<number, string> = {
  64: 'remote procedure error',
  65: 'incompatible destination',
  66: 'connection rejected by the phone',
  67: 'not obtainable',
  68: 'quality of service not available',
  69: 'no interworking available',
  70: 'validity period expired',
  71: 'deleted by the sender',
  72: 'deleted by the SMS centre',
  73: 'message does not exist',
  96: 'congestion',
  97: 'phone busy',
  98: 'no response from the phone',
  99: 'service rejected',
};

/** A network status report: 0 delivered, 64-255 given up (32-63: still trying, nothing to say). */
export function deliveryReport(providerMessageId: string, delivery: DeliverStatus, at: Date): StatusReport | null {
  const code = delivery.status_code;
  if (code === 0) return { providerMessageId, status: 'delivered', at };
  if (code < 64) return null;
  const why = TP_STATUS[code] ?? (code < 96 ? 'permanent error' : 'temporary error, no more attempts');
  return {
    providerMessageId,
    status: 'failed',
    errorCode: `tp_status_${code}`,
    errorMessage: `the network did not deliver it: ${why} (TP-Status ${code})`,
    at,
  };
}

const RANK = { sent: 1, delivered: 2, read: 3, failed: 4 } as const;
const key = (port: number | undefined, refId: number | undefined, number: string | undefined) => `${port}:${refId}:${(number ?? '').replace(/\D/g, '')}`;

/**
 * The news about our messages in one poll: each result, upgraded by the network's status report
 * matched through (port, ref_id, number) — ref_id alone wraps at 256 per port — keeping the
 * furthest status per message.
 */
export function collectReports(results: readonly SmsResult[], deliveries: readonly DeliverStatus[], at: Date): StatusReport[] {
  const best = new Map<string, StatusReport>();
  const keep = (report: StatusReport | null) => {
    if (!report) return;
    const current = best.get(report.providerMessageId);
    if (!current || RANK[report.status] > RANK[current.status]) best.set(report.providerMessageId, report);
  };
  const byReference = new Map<string, string>();
  for (const result of results) {
    keep(resultReport(result, at));
    if (result.user_id && result.ref_id !== undefined) byReference.set(key(result.port, result.ref_id, result.number), String(result.user_id));
  }
  for (const delivery of deliveries) {
    const id = delivery.user_id ? String(delivery.user_id) : byReference.get(key(delivery.port, delivery.ref_id, delivery.number));
    if (id) keep(deliveryReport(id, delivery, at));
  }
  return [...best.values()];
}
