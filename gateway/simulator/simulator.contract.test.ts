import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { channels } from '../../db/schema/index.ts';
import { connectClient, nextEvent } from '../../test/harness/test-platform.ts';
import { runChannelContract } from '../../test/harness/channel-contract.ts';
import { signPhoneToken } from './phone-token.ts';
import { SIMULATOR_TOKEN_HEADER } from './simulator-channel.ts';

const customer = { providerAddress: '+59899246810', e164: '+59899246810' };
const token = (channel: { id: number; secrets: Record<string, string> }) => signPhoneToken(channel.secrets.signingKey!, channel.id, customer.e164);
const json = (headers: Record<string, string>, body: unknown) => ({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

runChannelContract({
  name: 'simulator',
  customer,
  cannotRefuse: 'the simulated phone accepts every message pushed to it',
  async createChannel(db) {
    const [row] = await db
      .insert(channels)
      .values({ type: 'simulator', name: `sim-contract-${randomBytes(3).toString('hex')}`, secrets: { signingKey: randomBytes(16).toString('hex') } })
      .returning();
    return row!;
  },
  webhookUrl: (platform, channel) => `${platform.url}/webhooks/${channel.id}`,
  inbound: (channel, _url, message) => json({ [SIMULATOR_TOKEN_HEADER]: token(channel) }, { type: 'message', id: message.id, text: message.text }),
  forged: (channel, _url, message) =>
    json({ [SIMULATOR_TOKEN_HEADER]: `${token(channel).slice(0, -4)}AAAA` }, { type: 'message', id: message.id, text: message.text }),
  status: (channel, _url, report) => json({ [SIMULATOR_TOKEN_HEADER]: token(channel) }, { type: 'status', ...report }),
  async openProvider(platform, channel) {
    // The provider's side is the phone page: a socket on the simulator namespace.
    const phone: Socket = await connectClient(platform.url, { namespace: '/simulator', auth: { token: token(channel) } });
    return {
      async nextSend() {
        const pushed = await nextEvent<{ id: string; text: string }>(phone, 'message');
        return { to: customer.e164, text: pushed.text, providerMessageId: pushed.id };
      },
      close: async () => void phone.close(),
    };
  },
});
