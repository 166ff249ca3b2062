import { randomBytes } from 'node:crypto';
import { channels } from '../../../db/schema/index.ts';
import type { Db } from '../../../db/connection.ts';
import type { ChannelContractFixture } from '../../../test/harness/channel-contract.ts';
import { startFakeSmsc, type FakeSmsc } from './fake-smsc.ts';

export const SMPP_CREDENTIALS = { systemId: 'omnichat', password: 'secret12' };
export const OUR_NUMBER = '+59899000111';
export const CUSTOMER = { providerAddress: '59899246810', e164: '+59899246810' };

/** An SMPP channel row bound to a fake SMSC on this machine. */
export async function createSmppChannelRow(db: Db, port: number, settings: Record<string, unknown> = {}, secrets: Record<string, string> = {}) {
  const [row] = await db
    .insert(channels)
    .values({
      type: 'smpp',
      name: `smpp-${randomBytes(3).toString('hex')}`,
      address: OUR_NUMBER,
      defaultCountry: 'UY',
      settings: { host: '127.0.0.1', port, systemId: SMPP_CREDENTIALS.systemId, ...settings },
      secrets: { password: SMPP_CREDENTIALS.password, ...secrets },
    })
    .returning();
  return row!;
}

/**
 * The contract fixture: the platform's session binds to a fake SMSC. A refusal is a submit_sm_resp
 * whose command_status is the contract's code (21610) with the text in additional_status_info_text;
 * a redelivery is what makes an SMSC resend: the bind dropped before it saw our deliver_sm_resp.
 */
export function smppFixture(): ChannelContractFixture {
  let smsc: FakeSmsc | undefined;
  const delivered = new Set<string>();
  const fake = () => {
    if (!smsc) throw new Error('createChannel starts the fake SMSC');
    return smsc;
  };
  return {
    name: 'smpp',
    customer: CUSTOMER,
    cannotForge:
      'inbound messages arrive only over the bind we opened to the SMSC and authenticated with our system_id and password; no HTTP endpoint accepts them',
    async createChannel(db) {
      smsc = await startFakeSmsc(SMPP_CREDENTIALS);
      return createSmppChannelRow(db, smsc.port);
    },
    async openProvider() {
      const smsc = fake();
      return {
        async nextSend() {
          const message = await smsc.nextMessage();
          return { to: message.to, text: message.text, providerMessageId: message.messageId };
        },
        failNextSend: ({ code, message }) => smsc.refuseNext({ status: Number(code), text: message }),
        async deliverInbound(message) {
          if (delivered.has(message.id)) {
            // Our answer to the first copy "was lost": the SMSC resends on the next bind.
            const binds = smsc.binds.length;
            smsc.dropConnections();
            while (smsc.binds.length === binds) await new Promise((resolve) => setTimeout(resolve, 20));
          }
          delivered.add(message.id);
          const status = await smsc.deliverText(CUSTOMER.providerAddress, message.text);
          if (status !== 0) throw new Error(`the adapter answered deliver_sm with status ${status}`);
        },
        async deliverStatus(report) {
          const status = await smsc.deliverReceipt(report.providerMessageId, { stat: 'DELIVRD', messageState: 2 });
          if (status !== 0) throw new Error(`the adapter answered the receipt with status ${status}`);
        },
        close: () => smsc.close(),
      };
    },
  };
}
