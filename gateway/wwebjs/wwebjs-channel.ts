import { access, constants } from 'node:fs/promises';
import type { Channel, ChannelDeps, ChannelRow, OutboundMessage, SendResult } from '../channel.ts';
import { loadWwebjs, type WwebjsChat, type WwebjsClient } from './wwebjs-library.ts';
import { createWwebjsSession, type WwebjsRuntime } from './wwebjs-session.ts';
import { wwebjsSettingsSchema } from './wwebjs-settings.ts';

/** The real library, loaded on the first start, and the system Chromium; reconnects wait 2 s, 4 s, 8 s… up to 5 minutes. */
export const defaultWwebjsRuntime: WwebjsRuntime = {
  load: loadWwebjs,
  async checkBrowser(executablePath) {
    await access(executablePath, constants.X_OK).catch(() => {
      throw new Error(`Chromium not found at ${executablePath}: install it (Debian: apt install chromium) or set CHROMIUM_PATH`);
    });
  },
  reconnectDelayMs: (attempt) => Math.min(300_000, 2_000 * 2 ** Math.min(attempt, 8)),
};

/**
 * Errors that mean the browser or its page went away (puppeteer's TargetCloseError, ProtocolError,
 * ConnectionClosedError, TimeoutError, or a page navigating mid-call): the send is tried again.
 */
const BROWSER_GONE_NAMES = new Set(['TargetCloseError', 'ProtocolError', 'ConnectionClosedError', 'TimeoutError']);
const BROWSER_GONE_TEXT = /Target closed|Session closed|Connection closed|detached Frame|Execution context was destroyed|Protocol error/i;

/**
 * A rejected send. whatsapp-web.js gives no error codes: what WhatsApp Web throws arrives as an Error
 * with its text. A `code` property (string or number) on the error is kept when present (the fake
 * provider sets one); otherwise the code is `send_failed`. Such a refusal is permanent; a browser
 * that went away is retryable.
 */
export function sendFailure(error: unknown): SendResult {
  const name = error instanceof Error ? error.name : '';
  const text = error instanceof Error ? error.message : String(error);
  if (BROWSER_GONE_NAMES.has(name) || BROWSER_GONE_TEXT.test(text)) {
    return { ok: false, errorCode: 'browser_unavailable', errorMessage: text, retryable: true };
  }
  const code = (error as { code?: unknown } | null)?.code;
  const errorCode = typeof code === 'string' || typeof code === 'number' ? String(code) : 'send_failed';
  return { ok: false, errorCode, errorMessage: text || 'WhatsApp Web refused the message', retryable: false };
}

/**
 * The chat to write to: a sender WhatsApp only knew by privacy id (`…@lid`) is answered at that id;
 * a number at WhatsApp's own id for it (which may differ from the digits, e.g. Brazil's ninth
 * digit). Null when the number has no WhatsApp account.
 */
async function chatIdFor(client: WwebjsClient, to: string): Promise<string | null> {
  if (to.endsWith('@lid')) return to;
  const registered = await client.getNumberId(to.replace(/\D/g, ''));
  return registered?._serialized ?? null;
}

/** Text plus the URLs of any media: this adapter sends text only, so a file is never silently dropped. */
const textOf = (message: OutboundMessage) => [message.text, ...message.media.map((item) => item.url)].filter(Boolean).join('\n');

/**
 * WhatsApp Web through whatsapp-web.js (a headless Chromium per channel). Everything arrives over
 * the session, so there is no webhook to verify. `runtime` is the one seam for tests (a fake
 * library); the platform's registry calls this with two arguments and gets the real library.
 */
export function createWwebjsChannel(row: ChannelRow, deps: ChannelDeps, runtime: WwebjsRuntime = defaultWwebjsRuntime): Channel {
  const settings = wwebjsSettingsSchema.parse(row.settings);
  const session = createWwebjsSession(row, deps, settings, runtime);
  /** Chats shown "typing…" whose reply has not gone yet. */
  const typingChats = new Map<string, WwebjsChat>();
  return {
    type: 'wwebjs',
    verify: () => false,
    normalize: () => ({ messages: [], statuses: [] }),
    session,
    async send(message) {
      const client = session.readyClient();
      if (!client) {
        return {
          ok: false,
          errorCode: 'not_connected',
          errorMessage: 'WhatsApp Web is not connected (pair it by QR, or wait for it to reconnect)',
          retryable: true,
        };
      }
      let chatId: string | null = null;
      try {
        chatId = await chatIdFor(client, message.to);
        if (!chatId) return { ok: false, errorCode: 'not_on_whatsapp', errorMessage: `${message.to} has no WhatsApp account`, retryable: false };
        // sendSeen off: the agent's reply is not a read receipt, and WhatsApp Web's sendSeen has broken sends before.
        const sent = await client.sendMessage(chatId, textOf(message), { sendSeen: false });
        if (!sent) return { ok: false, errorCode: 'send_failed', errorMessage: 'WhatsApp Web did not create the message (unknown chat)', retryable: false };
        return { ok: true, providerMessageId: sent.id._serialized };
      } catch (error) {
        return sendFailure(error);
      } finally {
        // The typing state lasts 25 s otherwise: clear it once the reply is out (or failed).
        const chat = chatId === null ? undefined : typingChats.get(chatId);
        if (chat) {
          typingChats.delete(chatId!);
          await chat.clearState().catch((error: unknown) => deps.logger.debug({ err: error, channelId: row.id }, 'typing state not cleared'));
        }
      }
    },
    async typing(to) {
      const client = session.readyClient();
      if (!client) throw new Error('WhatsApp Web is not connected');
      const chatId = await chatIdFor(client, to);
      const chat = chatId ? await client.getChatById(chatId) : undefined;
      if (!chatId || !chat) return; // no account, or no chat yet: nothing to show it in
      await chat.sendStateTyping();
      typingChats.set(chatId, chat);
    },
  };
}
