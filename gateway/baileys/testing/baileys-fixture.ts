import { buildChannel } from '../../../test/harness/factories.ts';
import type { ChannelContractFixture } from '../../../test/harness/channel-contract.ts';
import { boomError, createFakeWhatsApp, textFrom } from './fake-whatsapp.ts';

export const OUR_PHONE = '59899123456';
export const CUSTOMER_JID = '5491123456789@s.whatsapp.net';
export const CUSTOMER = '+5491123456789';
const customer = { providerAddress: CUSTOMER_JID, e164: CUSTOMER };

/**
 * The WhatsApp the platform's session connects to in the contract test: the test file swaps
 * Baileys' `makeWASocket` for `whatsapp.makeSocket` (vi.mock of ./baileys-socket.ts), because the
 * platform builds the adapter itself. Pairs by itself, as if the phone scanned the first QR.
 */
export const whatsapp = createFakeWhatsApp({ phone: OUR_PHONE, registered: ['5491123456789'], autoPair: true });

export const baileysFixture: ChannelContractFixture = {
  name: 'baileys',
  customer,
  cannotForge:
    'Messages arrive over the WhatsApp Web session, decrypted with the Signal session WhatsApp set up end to end with the sender: nobody else can inject one, and there is no webhook to call (verify refuses every request).',
  async createChannel(db) {
    return buildChannel(db, { type: 'baileys', address: `+${OUR_PHONE}`, defaultCountry: 'UY', settings: {}, secrets: {} });
  },
  async openProvider() {
    return {
      async nextSend() {
        const sent = await whatsapp.nextSend();
        const text = 'text' in sent.content ? sent.content.text : '';
        return { to: `+${sent.jid.split('@')[0]}`, text, providerMessageId: sent.message.key.id! };
      },
      // As Baileys rejects when WhatsApp's server answers with an error node: a Boom carrying the code as `data`.
      failNextSend: ({ code, message }) => whatsapp.failNextSend(boomError(message, { data: Number(code) })),
      async deliverInbound({ id, text }) {
        whatsapp.upsert([textFrom(customer.providerAddress, text, { key: { id } })]);
      },
      async deliverStatus({ providerMessageId }) {
        whatsapp.current().emit('messages.update', [
          {
            key: { remoteJid: customer.providerAddress, fromMe: true, id: providerMessageId },
            update: { status: 3, messageTimestamp: Math.floor(Date.now() / 1000) },
          },
        ]);
      },
      async close() {},
    };
  },
};
