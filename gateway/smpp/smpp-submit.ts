import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelRow, OutboundMessage, SendResult } from '../channel.ts';
import { destinationAddress, sourceAddress } from './smpp-addresses.ts';
import type { SmppLink } from './smpp-link.ts';
import { canonicalMessageId } from './smpp-receipt.ts';
import type { SmppSettings } from './smpp-settings.ts';
import { BACK_OFF_STATUSES, describeStatus, isRetryableStatus } from './smpp-status.ts';
import { concatenationUdh, encodeText, MAX_PAYLOAD_OCTETS } from './smpp-text.ts';
import type { sentParts } from './sent-parts.ts';

export type SubmitTiming = {
  /** First pause after ESME_RTHROTTLED / ESME_RMSGQFUL, doubled per try. */
  throttleRetryMs: number;
  throttleRetries: number;
};

const UDH_INDICATOR = 0x40;

/** Parts a retry of the same message need not send again: the SMSC took them (kept one hour, in memory). */
type Progress = { reference: number; accepted: Map<number, string>; at: number };
const PROGRESS_TTL_MS = 60 * 60_000;
const PROGRESS_MAX = 1000;

type PartOutcome = { ok: true; id: string } | { ok: false; result: Extract<SendResult, { ok: false }> };

/**
 * submit_sm for one outbound message: data_coding by its text, a long text as UDH parts, sar_* parts
 * or one message_payload. Throttling is waited out on the bind a few times before the platform is
 * asked to retry. A retry after a partial failure sends only the parts the SMSC has not taken yet,
 * with the same concatenation reference, so the handset still joins them.
 */
export function createSubmitter(row: ChannelRow, settings: SmppSettings, link: () => SmppLink, parts: ReturnType<typeof sentParts>, timing: SubmitTiming) {
  let nextReference = randomInt(256);
  const progress = new Map<number, Progress>();
  const source = sourceAddress(settings, row.address);

  async function submitPart(options: Record<string, unknown>): Promise<PartOutcome> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await link().submit(options);
      if (!outcome.ok) {
        const result = {
          not_bound: { errorCode: 'not_bound', errorMessage: 'The SMPP bind is not open (reconnecting)' },
          timeout: {
            errorCode: 'timeout',
            errorMessage: `No submit_sm_resp within ${settings.responseTimeoutSeconds} s (the SMSC may have taken it: a retry can duplicate it)`,
          },
          disconnected: { errorCode: 'disconnected', errorMessage: 'The bind dropped before the SMSC answered the submit_sm' },
        }[outcome.reason];
        return { ok: false, result: { ok: false, ...result, retryable: true } };
      }
      const response = outcome.response;
      // A generic_nack with status 0 is malformed; count it as an unknown error.
      const status = response.command_status || (response.command === 'generic_nack' ? 0xff : 0);
      if (status === 0) return { ok: true, id: canonicalMessageId(String(response.message_id ?? ''), 'submit', settings.messageIdFormat) };
      if (BACK_OFF_STATUSES.has(status) && attempt < timing.throttleRetries) {
        await sleep(timing.throttleRetryMs * 2 ** attempt);
        continue;
      }
      const detail =
        typeof response.additional_status_info_text === 'string' && response.additional_status_info_text ? response.additional_status_info_text : '';
      const errorMessage = detail ? `${detail} (${describeStatus(status)})` : describeStatus(status);
      return { ok: false, result: { ok: false, errorCode: String(status), errorMessage, retryable: isRetryableStatus(status, settings.retryableStatuses) } };
    }
  }

  function progressOf(messageId: number): Progress {
    const now = Date.now();
    for (const [key, value] of progress) if (now - value.at > PROGRESS_TTL_MS || progress.size > PROGRESS_MAX) progress.delete(key);
    const known = progress.get(messageId);
    if (known) return known;
    const fresh: Progress = { reference: nextReference, accepted: new Map(), at: now };
    nextReference = (nextReference + 1) % 256;
    return fresh;
  }

  return async function send(message: OutboundMessage): Promise<SendResult> {
    // SMS carries no media: links to it travel in the text.
    const text = [message.text, ...message.media.map((item) => item.url)].filter(Boolean).join('\n');
    const encoded = encodeText(text, settings.dataCoding);
    const destination = destinationAddress(settings, message.to);
    const base = {
      service_type: settings.serviceType,
      source_addr: source.addr,
      source_addr_ton: source.ton,
      source_addr_npi: source.npi,
      destination_addr: destination.addr,
      dest_addr_ton: destination.ton,
      dest_addr_npi: destination.npi,
      registered_delivery: settings.registeredDelivery,
      data_coding: encoded.dataCoding,
      esm_class: 0,
    };
    const single = encoded.parts.length === 1;
    if (!single && settings.longMessages === 'payload' && encoded.bytes.length > MAX_PAYLOAD_OCTETS) {
      return {
        ok: false,
        errorCode: 'too_long',
        errorMessage: `The text needs ${encoded.bytes.length} octets; message_payload holds ${MAX_PAYLOAD_OCTETS}`,
        retryable: false,
      };
    }
    if (!single && encoded.parts.length > 255) {
      return { ok: false, errorCode: 'too_long', errorMessage: `The text needs ${encoded.parts.length} parts; SMS allows 255`, retryable: false };
    }
    const requests: Record<string, unknown>[] = [];
    const state = progressOf(message.messageId);
    if (single) requests.push({ ...base, short_message: encoded.bytes });
    else if (settings.longMessages === 'payload') requests.push({ ...base, short_message: Buffer.alloc(0), message_payload: encoded.bytes });
    else
      encoded.parts.forEach((part, i) => {
        requests.push(
          settings.longMessages === 'sar'
            ? { ...base, short_message: part, sar_msg_ref_num: state.reference, sar_total_segments: encoded.parts.length, sar_segment_seqnum: i + 1 }
            : { ...base, esm_class: UDH_INDICATOR, short_message: Buffer.concat([concatenationUdh(state.reference, encoded.parts.length, i + 1), part]) },
        );
      });

    const outcomes = await Promise.all(
      requests.map(async (options, i): Promise<PartOutcome> => {
        const taken = state.accepted.get(i);
        if (taken !== undefined) return { ok: true, id: taken };
        const outcome = await submitPart(options);
        if (outcome.ok) state.accepted.set(i, outcome.id);
        return outcome;
      }),
    );
    const failures = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.result]));
    if (failures.length === 0) {
      progress.delete(message.messageId);
      const ids = outcomes.map((outcome) => (outcome.ok ? outcome.id : ''));
      const last = ids.at(-1)!;
      await parts.remember(last, ids.slice(0, -1));
      return { ok: true, providerMessageId: last };
    }
    const failure = failures.find((result) => !result.retryable) ?? failures[0]!;
    if (failure.retryable && requests.length > 1) progress.set(message.messageId, state);
    else progress.delete(message.messageId);
    return failure;
  };
}
