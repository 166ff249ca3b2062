import type { InboundMessage, StatusReport } from '../channel.ts';
import { normalizeProviderAddress } from '../phone-number.ts';
import type { WwebjsClient, WwebjsMessage } from './wwebjs-library.ts';

/** WhatsApp's own events (security codes, calls, group changes, deletions…): nothing a customer wrote. */
const NOT_CONTENT = new Set([
  'e2e_notification',
  'notification',
  'notification_template',
  'group_notification',
  'gp2',
  'broadcast_notification',
  'call_log',
  'protocol',
  'revoked',
  'ciphertext',
  'debug',
  'reaction',
]);

type Context = {
  channelId: number;
  defaultCountry: string;
  /** Our number (E.164), from the session, else the channel row. */
  to: string | null;
  acceptGroups: boolean;
  client: WwebjsClient;
};

const isGroup = (jid: string) => jid.endsWith('@g.us');

/** Whether a `message` event is a customer's message for the inbox (not ours, not a status, not a group unless wanted). */
export function isCustomerMessage(message: WwebjsMessage, acceptGroups: boolean): boolean {
  if (message.fromMe || message.id.fromMe) return false;
  if (message.isStatus || message.broadcast || message.from === 'status@broadcast' || message.from.endsWith('@broadcast')) return false;
  if (message.from.endsWith('@newsletter')) return false;
  if (isGroup(message.from) && (!acceptGroups || !message.author)) return false;
  return !NOT_CONTENT.has(message.type);
}

/**
 * The sender's phone number as E.164. `<number>@c.us` carries it; a `@lid` (WhatsApp's privacy id)
 * does not, so WhatsApp Web is asked for the number behind it (`getContactLidAndPhone`, then the
 * contact, whose id whatsapp-web.js replaces by the phone id when it knows it: Utils.js
 * `getContactModel`). An id that stays unresolved is kept as it is: replies to it go to that id.
 */
async function senderAddress(message: WwebjsMessage, context: Context): Promise<{ address: string; lid?: string }> {
  const jid = isGroup(message.from) ? message.author! : message.from;
  const phone = (user: string) => normalizeProviderAddress(`+${user}`, context.defaultCountry);
  if (jid.endsWith('@c.us')) return { address: phone(jid.slice(0, -'@c.us'.length)) };
  if (!jid.endsWith('@lid')) return { address: jid };
  const [pair] = await context.client.getContactLidAndPhone([jid]).catch(() => []);
  if (pair?.pn?.endsWith('@c.us')) return { address: phone(pair.pn.slice(0, -'@c.us'.length)), lid: jid };
  const contact = await message.getContact().catch(() => undefined);
  if (contact?.id.server === 'c.us') return { address: phone(contact.id.user), lid: jid };
  return { address: jid, lid: jid };
}

/** What the message says: its text, a location, or a note of the media it carries (not downloaded). */
function contentOf(message: WwebjsMessage): { text: string; metadata: Record<string, unknown> } {
  if (message.type === 'location' && message.location) {
    const { latitude, longitude, name, address, url } = message.location;
    return {
      text: [name, address, `${latitude},${longitude}`].filter(Boolean).join(' · '),
      metadata: { location: { latitude: Number(latitude), longitude: Number(longitude), name, address, url } },
    };
  }
  if (message.hasMedia) {
    // Media stays on WhatsApp's servers, encrypted: downloading needs the browser (downloadMedia) and
    // storage we do not have here; the agent sees that something arrived and of which kind.
    return { text: message.body || `[${message.type}]`, metadata: { hasMedia: true, mediaType: message.type } };
  }
  return { text: message.body, metadata: {} };
}

/** A customer's message as the platform stores it; its id is WhatsApp's, so a redelivery maps to the same row. */
export async function toInboundMessage(message: WwebjsMessage, context: Context): Promise<InboundMessage> {
  const sender = await senderAddress(message, context);
  const content = contentOf(message);
  const profileName = message._data?.notifyName?.trim() || undefined;
  return {
    channelId: context.channelId,
    from: sender.address,
    to: context.to,
    text: content.text,
    media: [],
    providerMessageId: message.id._serialized,
    timestamp: message.timestamp ? new Date(message.timestamp * 1000) : new Date(),
    ...(profileName ? { profileName } : {}),
    metadata: {
      provider: 'wwebjs',
      type: message.type,
      ...(sender.lid ? { lid: sender.lid } : {}),
      ...(isGroup(message.from) ? { group: message.from } : {}),
      ...content.metadata,
    },
  };
}

/**
 * `message_ack` on a message we sent: 2 (reached the phone) is delivered, 3 read, 4 played (a voice
 * note: read as well), -1 an error. 0 pending and 1 server add nothing to the `sent` a send stores.
 */
export function toStatusReport(message: WwebjsMessage, ack: number): StatusReport | null {
  if (!message.id.fromMe) return null;
  const at = new Date();
  const providerMessageId = message.id._serialized;
  if (ack === -1) return { providerMessageId, status: 'failed', errorCode: 'ack_error', errorMessage: 'WhatsApp reported an error for this message', at };
  if (ack === 2) return { providerMessageId, status: 'delivered', at };
  if (ack === 3 || ack === 4) return { providerMessageId, status: 'read', at };
  return null;
}
