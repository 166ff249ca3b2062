import { makeWASocket, type UserFacingSocketConfig, type WASocket } from '@whiskeysockets/baileys';

/**
 * The part of a Baileys socket the adapter uses: its event emitter, the linked account, sending,
 * chat states (typing), the WhatsApp-number check, closing, and the LID→phone mapping. Kept narrow so a test can stand in
 * for WhatsApp's servers with a fake that has exactly these members.
 */
export type BaileysSocket = Pick<WASocket, 'ev' | 'user' | 'sendMessage' | 'sendPresenceUpdate' | 'onWhatsApp' | 'end'> & {
  signalRepository: { lidMapping: Pick<WASocket['signalRepository']['lidMapping'], 'getPNForLID'> };
};

/** Opens a socket with the given config (Baileys' `makeWASocket` in production, a fake in tests). */
export type SocketMaker = (config: UserFacingSocketConfig) => BaileysSocket;

/** The real thing: connects to web.whatsapp.com. */
export const makeBaileysSocket: SocketMaker = (config) => makeWASocket(config);
