import { buildChannel } from '../../../test/harness/factories.ts';
import type { ChannelContractFixture } from '../../../test/harness/channel-contract.ts';
import { FakeWhatsApp } from './fake-wwebjs.ts';

/** The WhatsApp the contract suite's channel talks to; `wwebjs.contract.test.ts` makes the library load it. */
export const contractWhatsApp = new FakeWhatsApp({ ourNumber: '59899000111', scanOnQr: true });

const customer = { providerAddress: '59899246810@c.us', e164: '+59899246810' };

/** The contract fixture: the customer writes and reads over the fake WhatsApp Web session. */
export function wwebjsFixture(whatsapp: FakeWhatsApp): ChannelContractFixture {
  return {
    name: 'wwebjs',
    customer,
    cannotForge:
      'nothing arrives over HTTP: messages come only through the WhatsApp Web session this node opened in its own browser, and the webhook route refuses every request for this channel (verify is false)',
    async createChannel(db) {
      return buildChannel(db, { type: 'wwebjs', address: `+${whatsapp.ourNumber}`, defaultCountry: 'UY', settings: {} });
    },
    async openProvider() {
      return {
        async nextSend() {
          const sent = await whatsapp.nextSend();
          return { to: `+${sent.chatId.replace(/@c\.us$/, '')}`, text: sent.text, providerMessageId: sent.providerMessageId };
        },
        failNextSend: (failure) => whatsapp.failNextSend(failure),
        deliverInbound: async (message) =>
          whatsapp.deliver({ id: message.id, from: customer.providerAddress, body: message.text, _data: { notifyName: 'Ana' } }),
        deliverStatus: async (report) => whatsapp.ack(report.providerMessageId, 2),
        close: async () => {},
      };
    },
  };
}
