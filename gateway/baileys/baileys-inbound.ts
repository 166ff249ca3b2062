import { getContentType, jidDecode, jidNormalizedUser, normalizeMessageContent, toNumber, type proto, type WAMessage } from '@whiskeysockets/baileys';
import type { MessageMedia } from '../../db/schema/index.ts';
import { normalizeProviderAddress } from '../phone-number.ts';
import type { InboundMessage } from '../channel.ts';

export type InboundContext = {
  channelId: number;
  defaultCountry: string;
  /** Our own number (the linked account), the `to` of every inbound message. */
  ourAddress: string | null;
  receiveGroups: boolean;
  /** The phone JID WhatsApp told this session for a LID (Baileys' `signalRepository.lidMapping`). */
  phoneForLid(lid: string): Promise<string | null>;
};

/** Servers of JIDs that carry a phone number, and of LIDs (WhatsApp's privacy ids, v7's default). */
const PHONE_SERVERS = new Set(['s.whatsapp.net', 'c.us', 'hosted']);
const LID_SERVERS = new Set(['lid', 'hosted.lid']);

/** Protocol traffic, reactions, poll votes and the like: nothing a person wrote to us. */
const IGNORED_TYPES = new Set([
  'protocolMessage',
  'reactionMessage',
  'encReactionMessage',
  'senderKeyDistributionMessage',
  'pollUpdateMessage',
  'keepInChatMessage',
  'pinInChatMessage',
  'messageHistoryNotice',
  'messageHistoryBundle',
]);

const MEDIA_TYPES = ['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage'] as const;

/**
 * A person's address from a JID: E.164 for a phone JID; for a LID, the phone when WhatsApp gave it
 * (the key's `remoteJidAlt`/`participantAlt`, else the session's LID→phone mapping), otherwise the LID
 * JID itself (`<digits>@lid`), which WhatsApp accepts as a destination for replies.
 */
async function personAddress(jid: string, alt: string | null | undefined, context: InboundContext): Promise<{ address: string; lid?: string } | null> {
  const decoded = jidDecode(jid);
  if (!decoded?.user) return null;
  const phone = (user: string) => normalizeProviderAddress(`+${user}`, context.defaultCountry);
  if (PHONE_SERVERS.has(decoded.server)) return { address: phone(decoded.user) };
  if (!LID_SERVERS.has(decoded.server)) return null;
  const lid = jidNormalizedUser(jid);
  const altDecoded = alt ? jidDecode(alt) : undefined;
  const phoneJid = altDecoded && PHONE_SERVERS.has(altDecoded.server) ? alt! : await context.phoneForLid(jid);
  const phoneUser = phoneJid ? jidDecode(phoneJid)?.user : undefined;
  return { address: phoneUser ? phone(phoneUser) : lid, lid };
}

function contentOf(message: proto.IMessage, id: string): { text: string; media: MessageMedia[]; metadata: Record<string, unknown> } {
  const media: MessageMedia[] = [];
  const metadata: Record<string, unknown> = {};
  for (const type of MEDIA_TYPES) {
    const item = message[type];
    if (!item) continue;
    // Not downloaded here: the reference, and what a later download needs (Baileys'
    // downloadContentFromMessage, no socket required while WhatsApp's CDN keeps the file).
    const caption = 'caption' in item ? (item.caption ?? undefined) : undefined;
    const fileName = 'fileName' in item ? (item.fileName ?? undefined) : undefined;
    media.push({ url: `whatsapp-web-media:${id}`, contentType: item.mimetype ?? undefined, caption: caption || undefined, fileName: fileName || undefined });
    metadata.mediaDownload = {
      type: type.replace('Message', ''),
      directPath: item.directPath ?? undefined,
      mediaKey: item.mediaKey ? Buffer.from(item.mediaKey).toString('base64') : undefined,
    };
  }
  const location = message.locationMessage ?? message.liveLocationMessage;
  if (message.conversation) return { text: message.conversation, media, metadata };
  if (message.extendedTextMessage?.text) return { text: message.extendedTextMessage.text, media, metadata };
  if (location) {
    const { degreesLatitude: latitude, degreesLongitude: longitude } = location;
    const name = 'name' in location ? location.name : undefined;
    const address = 'address' in location ? location.address : undefined;
    metadata.location = { latitude, longitude, name: name ?? undefined, address: address ?? undefined };
    return { text: [name, address, `${latitude},${longitude}`].filter(Boolean).join(' · '), media, metadata };
  }
  if (message.contactMessage) return { text: message.contactMessage.displayName ?? '', media, metadata: { ...metadata, vcard: message.contactMessage.vcard } };
  if (message.buttonsResponseMessage) {
    return {
      text: message.buttonsResponseMessage.selectedDisplayText ?? '',
      media,
      metadata: { ...metadata, replyId: message.buttonsResponseMessage.selectedButtonId },
    };
  }
  if (message.listResponseMessage) {
    return {
      text: message.listResponseMessage.title ?? '',
      media,
      metadata: { ...metadata, replyId: message.listResponseMessage.singleSelectReply?.selectedRowId },
    };
  }
  if (message.templateButtonReplyMessage) {
    return {
      text: message.templateButtonReplyMessage.selectedDisplayText ?? '',
      media,
      metadata: { ...metadata, replyId: message.templateButtonReplyMessage.selectedId },
    };
  }
  return { text: media.find((item) => item.caption)?.caption ?? '', media, metadata };
}

/**
 * One `messages.upsert` message as the platform's inbound message, or null for what a contact
 * center must not store: our own messages (sent from the phone or echoed), status updates,
 * newsletters and broadcast lists, groups unless enabled, and protocol traffic such as reactions.
 * `providerMessageId` is WhatsApp's message id, so a replay after reconnect is stored once.
 */
export async function inboundMessage(message: WAMessage, context: InboundContext): Promise<InboundMessage | null> {
  const { key } = message;
  if (key.fromMe || !key.id || !key.remoteJid || !message.message) return null;
  const chat = jidDecode(key.remoteJid);
  if (!chat || chat.server === 'broadcast' || chat.server === 'newsletter') return null; // status@broadcast, lists, channels
  const isGroup = chat.server === 'g.us';
  if (isGroup && !context.receiveGroups) return null;
  const content = normalizeMessageContent(message.message);
  const type = getContentType(content);
  if (!content || !type || IGNORED_TYPES.has(type)) return null;

  const sender = isGroup
    ? await personAddress(key.participant ?? '', key.participantAlt, context)
    : await personAddress(key.remoteJid, key.remoteJidAlt, context);
  if (!sender) return null;
  const { text, media, metadata } = contentOf(content, key.id);
  const seconds = toNumber(message.messageTimestamp);
  return {
    channelId: context.channelId,
    // A group is the conversation (replies go to the group); the person who wrote is kept aside.
    from: isGroup ? jidNormalizedUser(key.remoteJid) : sender.address,
    to: context.ourAddress,
    text,
    media,
    providerMessageId: key.id,
    timestamp: seconds > 0 ? new Date(seconds * 1000) : new Date(),
    profileName: message.pushName ?? undefined,
    metadata: {
      provider: 'baileys',
      type,
      jid: jidNormalizedUser(key.remoteJid),
      ...(sender.lid ? { lid: sender.lid } : {}),
      ...(isGroup ? { participant: sender.address } : {}),
      ...metadata,
    },
  };
}
