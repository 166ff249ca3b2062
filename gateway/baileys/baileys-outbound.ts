import type { AnyMessageContent } from '@whiskeysockets/baileys';
import type { MessageMedia } from '../../db/schema/index.ts';
import type { OutboundMessage, SendResult } from '../channel.ts';

const EXTENSION_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  pdf: 'application/pdf',
};

function mimeTypeOf(item: MessageMedia): string {
  if (item.contentType) return item.contentType;
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(item.url)?.[1]?.toLowerCase();
  return (extension && EXTENSION_TYPES[extension]) || 'application/octet-stream';
}

function fileNameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() || '') || 'file';
  } catch {
    return 'file';
  }
}

/** One media item as Baileys content; Baileys downloads the URL itself and uploads it encrypted. */
function mediaContent(item: MessageMedia, caption: string | undefined): AnyMessageContent {
  const mimetype = mimeTypeOf(item);
  const media = { url: item.url };
  if (mimetype.startsWith('image/')) return { image: media, caption, mimetype };
  if (mimetype.startsWith('video/')) return { video: media, caption, mimetype };
  if (mimetype.startsWith('audio/')) return { audio: media, mimetype };
  const fileName = item.fileName ?? fileNameOf(item.url);
  return { document: media, mimetype, fileName, caption };
}

/**
 * The WhatsApp messages one outbound message becomes: its text, or its media with the text as the
 * first caption (audio takes no caption: the text then follows on its own).
 */
export function messageContents(message: OutboundMessage): AnyMessageContent[] {
  if (message.media.length === 0) return [{ text: message.text }];
  const contents: AnyMessageContent[] = [];
  let text = message.text || undefined;
  for (const item of message.media) {
    const content = mediaContent(item, text);
    if (!('audio' in content)) text = undefined;
    contents.push(content);
  }
  if (text) contents.push({ text });
  return contents;
}

/** Server error codes worth another try: timeouts, throttling, WhatsApp's own trouble. */
const retryableServerCode = (code: number) => code === 408 || code === 429 || (code >= 500 && code <= 599);
/** Baileys' own failures that no retry fixes: bad content, a media URL that does not exist, too large. */
const PERMANENT_STATUS = new Set([400, 404, 410, 413, 415]);

/**
 * A rejected `sendMessage` as a send result. Baileys rejects with Boom errors: an error node from
 * WhatsApp's servers carries the server's code as `data` (a number, see `assertNodeErrorFree`), which
 * is WhatsApp's verdict on this message and so permanent unless it means throttling or server
 * trouble; otherwise `output.statusCode` tells a closed connection or timeout (retryable) from bad
 * content (permanent).
 */
export function sendFailure(error: unknown): Extract<SendResult, { ok: false }> {
  const boom = error as { message?: unknown; data?: unknown; output?: { statusCode?: unknown } } | null;
  const errorMessage = typeof boom?.message === 'string' && boom.message ? boom.message : String(error);
  if (typeof boom?.data === 'number' && Number.isInteger(boom.data)) {
    return { ok: false, errorCode: String(boom.data), errorMessage, retryable: retryableServerCode(boom.data) };
  }
  const status = boom?.output?.statusCode;
  if (typeof status === 'number') return { ok: false, errorCode: String(status), errorMessage, retryable: !PERMANENT_STATUS.has(status) };
  return { ok: false, errorCode: 'send_error', errorMessage, retryable: true };
}
