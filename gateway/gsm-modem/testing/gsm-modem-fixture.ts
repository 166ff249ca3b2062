import { buildChannel } from '../../../test/harness/factories.ts';
import { createHash, randomBytes } from 'node:crypto';
import type { ChannelContractFixture } from '../../../test/harness/channel-contract.ts';
import { createFakeModem, type FakeModem } from './fake-modem.ts';
import { contractSerialPorts } from './fake-serial-ports.ts';

/** When the fake network says an SMS was sent: derived from the contract's message id, so a redelivery is the same SMS. */
const sentAt = (id: string) => new Date(Date.UTC(2025, 0, 1) + (parseInt(createHash('sha256').update(id).digest('hex').slice(0, 8), 16) % 86_400) * 1000);

/**
 * The contract fixture for a gsm_modem channel of one modem, `dongle0`: a fake modem plugged into
 * the fake serial ports that the contract test hands the registry-built channel (see
 * gsm-modem.contract.test.ts). Everything travels as AT commands and PDUs over that port.
 */
export function gsmModemFixture(): ChannelContractFixture {
  const customer = { providerAddress: '+14155552671', e164: '+14155552671' };
  let modem: FakeModem;
  return {
    name: 'gsm_modem',
    env: { SESSION_POLL_MS: '200' },
    customer,
    cannotForge:
      'inbound SMS and delivery reports arrive over the serial line from a modem this node holds open (+CMTI, AT+CMGR, +CDS); nothing arrives over HTTP, so verify() refuses every request to the webhook URL',
    async createChannel(db) {
      modem = createFakeModem({ firstReference: 1 });
      const path = `/dev/serial/by-id/usb-Fake_Modem_${randomBytes(3).toString('hex')}-if00-port0`;
      contractSerialPorts.plug(path, modem); // before the session can look for it
      return buildChannel(db, { type: 'gsm_modem', defaultCountry: 'US', settings: { modems: [{ name: 'dongle0', path }] }, secrets: {} });
    },
    async openProvider() {
      return {
        async nextSend() {
          const sms = await modem.nextSend();
          // The adapter names a message after its modem and the reference of its last part.
          return { to: sms.to, text: sms.text, providerMessageId: `dongle0:${sms.references.at(-1)}` };
        },
        // A modem only numbers a refusal (`+CMS ERROR: <n>`); the network's words come from AT+CEER.
        failNextSend: ({ code, message }) => modem.failNextSend(code, message),
        async deliverInbound({ id, text }) {
          modem.receiveSms({ from: customer.providerAddress, text, at: sentAt(id) });
        },
        async deliverStatus({ providerMessageId }) {
          const reference = /^dongle0:(\d+)$/.exec(providerMessageId)?.[1];
          if (reference === undefined) throw new Error(`not a message of dongle0: ${providerMessageId}`);
          modem.reportStatus(Number(reference), customer.providerAddress, 0);
        },
        close: async () => {},
      };
    },
  };
}
