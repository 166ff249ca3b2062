import { createHash } from 'node:crypto';
import type { InboundMessage } from '../channel.ts';
import { normalizeProviderAddress } from '../phone-number.ts';
import type { PartSet } from './part-assembly.ts';

/** Where an SMS came in: the channel, the modem, and the number reported as its `to`. */
export type InboundContext = { channelId: number; defaultCountry: string; modem: string; to: string };

/** A received SMS of one part, as read from the modem. */
export type ReceivedSms = { sender: string; alphanumericSender: boolean; text: string; sentAt: Date };

/**
 * Provider ids come from the SMS itself (sender, the SMSC's timestamp, the concatenation reference,
 * the text): a message read again after a crash (stored here, not yet deleted from the SIM) or
 * delivered twice by the network gets the same id, so it is stored once.
 */
const smsId = (fields: unknown[]) => `sms:${createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 32)}`;

function senderAddress(sender: string, alphanumeric: boolean, defaultCountry: string) {
  if (alphanumeric) return sender; // "MyBank": a name, not a number
  try {
    return normalizeProviderAddress(sender, defaultCountry);
  } catch {
    return sender;
  }
}

export function singleSmsMessage(sms: ReceivedSms, context: InboundContext): InboundMessage {
  return {
    channelId: context.channelId,
    from: senderAddress(sms.sender, sms.alphanumericSender, context.defaultCountry),
    to: context.to,
    text: sms.text,
    media: [],
    providerMessageId: smsId([sms.sender, sms.sentAt.getTime(), sms.text]),
    timestamp: sms.sentAt,
    metadata: { provider: 'gsm_modem', modem: context.modem },
  };
}

/**
 * A concatenated SMS as one message. A set that never completed is stored as what arrived, with
 * `[…]` where parts are missing and a note saying which.
 */
export function partSetMessage(set: PartSet, context: InboundContext): InboundMessage {
  const parts = [...set.parts.values()].sort((a, b) => a.sequence - b.sequence);
  const missing: number[] = [];
  let text = '';
  for (let sequence = 1; sequence <= set.total; sequence++) {
    const part = set.parts.get(sequence);
    if (part) text += part.text;
    else {
      missing.push(sequence);
      text += '[…]';
    }
  }
  const first = parts[0]!;
  return {
    channelId: context.channelId,
    from: senderAddress(set.sender, set.alphanumericSender, context.defaultCountry),
    to: context.to,
    text,
    media: [],
    providerMessageId: smsId([set.sender, set.reference, set.total, parts.map((part) => [part.sequence, part.sentAt.getTime(), part.text])]),
    timestamp: first.sentAt,
    metadata: {
      provider: 'gsm_modem',
      modem: context.modem,
      parts: set.total,
      ...(missing.length
        ? { missingParts: missing, note: `Part${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${set.total} never arrived; stored as received` }
        : {}),
    },
  };
}
