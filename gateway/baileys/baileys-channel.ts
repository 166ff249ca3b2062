import { setTimeout as sleep } from 'node:timers/promises';
import type { BaileysEventMap } from '@whiskeysockets/baileys';
import {
  InvalidPayloadError,
  type Channel,
  type ChannelFactory,
  type InboundMessage,
  type OutboundMessage,
  type SendResult,
  type WebhookContent,
} from '../channel.ts';
import { createBaileysConnection } from './baileys-connection.ts';
import { inboundMessage } from './baileys-inbound.ts';
import { messageContents, sendFailure } from './baileys-outbound.ts';
import { baileysSettingsSchema } from './baileys-settings.ts';
import { makeBaileysSocket, type BaileysSocket, type SocketMaker } from './baileys-socket.ts';
import { statusReports } from './baileys-status.ts';

/** Tries to store what arrived a few times (about 15 s) before giving up: WhatsApp will not send it again. */
const RECEIVE_ATTEMPTS = 5;

/**
 * WhatsApp Web through Baileys, with the socket made by `makeSocket`: Baileys' `makeWASocket` in
 * production (`createBaileysChannel`), a fake WhatsApp in tests. That one parameter is the only seam.
 */
export function createBaileysChannelWith(makeSocket: SocketMaker): ChannelFactory {
  return (row, deps): Channel => {
    const settings = baileysSettingsSchema.parse(row.settings);
    const logger = deps.logger.child({ channelId: row.id, channelType: 'baileys' });
    /** Where to send for a number: its WhatsApp JID, learnt from its messages or checked once with onWhatsApp. */
    const jids = new Map<string, string>();
    /** Chats shown "typing…" (composing) whose reply has not gone yet. */
    const composing = new Set<string>();

    async function store(content: WebhookContent, signal: AbortSignal) {
      for (let attempt = 1; ; attempt++) {
        try {
          await deps.receive(row.id, content);
          return;
        } catch (error) {
          if (attempt >= RECEIVE_ATTEMPTS || signal.aborted) {
            const ids = content.messages.map((message) => message.providerMessageId);
            logger.error({ err: error, providerMessageIds: ids, reports: content.statuses.length }, 'WhatsApp Web content could not be stored');
            return;
          }
          await sleep(1000 * 2 ** (attempt - 1), undefined, { signal }).catch(() => {});
        }
      }
    }

    async function onEvents(events: Partial<BaileysEventMap>, socket: BaileysSocket, signal: AbortSignal) {
      const messages: InboundMessage[] = [];
      for (const message of events['messages.upsert']?.messages ?? []) {
        const inbound = await inboundMessage(message, {
          channelId: row.id,
          defaultCountry: row.defaultCountry,
          ourAddress: connection.ourAddress(),
          receiveGroups: settings.receiveGroups,
          phoneForLid: (lid) =>
            socket.signalRepository.lidMapping.getPNForLID(lid).catch((error: unknown) => {
              logger.warn({ err: error }, 'LID lookup failed');
              return null;
            }),
        });
        if (!inbound) continue;
        messages.push(inbound);
        if (typeof inbound.metadata?.jid === 'string') jids.set(inbound.from, inbound.metadata.jid);
      }
      const statuses = statusReports(events);
      if (messages.length > 0 || statuses.length > 0) await store({ messages, statuses }, signal);
    }

    const connection = createBaileysConnection({ row, settings, deps, makeSocket, logger, onEvents });

    /** The JID to send to, or null when the number has no WhatsApp account. LIDs and groups are JIDs already. */
    async function recipientJid(socket: BaileysSocket, to: string): Promise<string | null> {
      if (to.includes('@')) return to;
      const known = jids.get(to);
      if (known) return known;
      const results = await socket.onWhatsApp(`${to.replace(/\D/g, '')}@s.whatsapp.net`);
      if (!results) throw Object.assign(new Error('WhatsApp did not answer the number check'), { output: { statusCode: 408 } });
      const found = results.find((result) => result.exists);
      if (!found) return null;
      jids.set(to, found.jid);
      return found.jid;
    }

    async function send(message: OutboundMessage): Promise<SendResult> {
      const socket = connection.openSocket();
      if (!socket) {
        return { ok: false, errorCode: 'not_connected', errorMessage: `WhatsApp Web is not connected (${connection.state()})`, retryable: true };
      }
      let jid: string | null;
      try {
        jid = await recipientJid(socket, message.to);
      } catch (error) {
        return sendFailure(error);
      }
      if (!jid) return { ok: false, errorCode: 'not_on_whatsapp', errorMessage: `${message.to} has no WhatsApp account`, retryable: false };
      try {
        return await sendContents(socket, jid, message);
      } finally {
        // Back to paused once the reply is out, or failed: no "typing…" is left behind.
        if (composing.delete(jid))
          await socket.sendPresenceUpdate('paused', jid).catch((error: unknown) => logger.debug({ err: error }, 'paused chat state not sent'));
      }
    }

    async function sendContents(socket: BaileysSocket, jid: string, message: OutboundMessage): Promise<SendResult> {
      let providerMessageId: string | undefined;
      for (const content of messageContents(message)) {
        try {
          const sent = await socket.sendMessage(jid, content);
          if (!sent?.key.id) throw new Error('WhatsApp Web returned no message id');
          connection.remember(sent);
          providerMessageId ??= sent.key.id;
        } catch (error) {
          if (providerMessageId === undefined) return sendFailure(error);
          // The first part went out: sending it again on a retry would duplicate it, so report success.
          logger.warn({ err: error, messageId: message.messageId }, 'a later part of a WhatsApp Web message was not sent');
          break;
        }
      }
      return { ok: true, providerMessageId: providerMessageId! };
    }

    /** WhatsApp's chat state "composing" in the customer's chat; it lasts about 10 s, or until our message. */
    async function typing(to: string): Promise<void> {
      const socket = connection.openSocket();
      if (!socket) throw new Error(`WhatsApp Web is not connected (${connection.state()})`);
      const jid = await recipientJid(socket, to);
      if (!jid) return;
      await socket.sendPresenceUpdate('composing', jid);
      composing.add(jid);
    }

    return {
      type: 'baileys',
      // Nothing arrives by webhook: messages come over the session, authenticated end to end by WhatsApp.
      verify: () => false,
      normalize() {
        throw new InvalidPayloadError('WhatsApp Web (Baileys) channels receive over their session, not by webhook');
      },
      send,
      typing,
      session: { start: connection.start, stop: connection.stop, carriesSends: true },
    };
  };
}

/** WhatsApp Web via Baileys (unofficial: pace sends, prefer the Cloud API for broadcasts). */
export const createBaileysChannel: ChannelFactory = createBaileysChannelWith(makeBaileysSocket);
