import { vi } from 'vitest';
import { runChannelContract } from '../../test/harness/channel-contract.ts';
import { baileysFixture } from './testing/baileys-fixture.ts';

// The platform builds the adapter from the channel row, so the fake WhatsApp goes in at the socket maker.
vi.mock('./baileys-socket.ts', async () => ({ makeBaileysSocket: (await import('./testing/baileys-fixture.ts')).whatsapp.makeSocket }));

runChannelContract(baileysFixture);
