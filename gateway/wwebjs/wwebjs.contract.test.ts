import { vi } from 'vitest';
import { runChannelContract } from '../../test/harness/channel-contract.ts';
import { contractWhatsApp, wwebjsFixture } from './testing/wwebjs-fixture.ts';

// The platform builds this channel through its registry, which passes no runtime: the loader of
// whatsapp-web.js is swapped for the fake library here (the same fake the unit tests inject).
vi.mock('./wwebjs-library.ts', async (importOriginal) => {
  const { contractWhatsApp: whatsapp } = await import('./testing/wwebjs-fixture.ts');
  return { ...(await importOriginal<typeof import('./wwebjs-library.ts')>()), loadWwebjs: async () => whatsapp.library() };
});

runChannelContract(wwebjsFixture(contractWhatsApp));
