import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const file = (name: string) => JSON.stringify(new URL(name, import.meta.url).href);

// In a fresh Node process, so nothing else has loaded the library: building a channel (what the
// platform does for every channel row) must not load whatsapp-web.js or puppeteer; the loader does.
const script = `
import { createRequire } from 'node:module';
import pino from 'pino';
const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).filter((path) => /node_modules\\/(whatsapp-web\\.js|puppeteer)/.test(path)).length;
const { createWwebjsChannel } = await import(${file('./wwebjs-channel.ts')});
const row = { id: 1, type: 'wwebjs', name: 'w', address: null, defaultCountry: 'UY', settings: {}, secrets: {}, enabled: true, sendsPerSecond: null, createdAt: new Date(), updatedAt: new Date() };
const channel = createWwebjsChannel(row, { logger: pino({ level: 'silent' }) });
const before = loaded();
const { loadWwebjs } = await import(${file('./wwebjs-library.ts')});
const library = await loadWwebjs();
console.log(JSON.stringify({ before, after: loaded(), session: typeof channel.session.start, client: typeof library.Client, remoteAuth: typeof library.RemoteAuth }));
`;

it('loads whatsapp-web.js (and puppeteer) only when the loader runs, not when a channel is built', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
  expect(result).toMatchObject({ before: 0, session: 'function', client: 'function', remoteAuth: 'function' });
  expect(result.after).toBeGreaterThan(0);
});
