/**
 * The two reference servers of the `ack` bench, each alone in its process like the platform it is
 * compared with: `node bench/ack-servers-child.ts floor <databaseUrl> <poolSize>` or `… hello`.
 *
 * - `floor`: a bare express app answering the simulator's webhook route with one insert transaction
 *   per request (one autocommitted `INSERT … ON CONFLICT DO NOTHING`, the cheapest way to store a
 *   message once) into `bench_floor_messages`, shaped like `messages` (`LIKE messages INCLUDING ALL`:
 *   its columns, defaults, checks and indexes, the unique (channel_id, provider_message_id) among them)
 *   over postgres.js with the platform's pool size. The body is parsed (express.json), the phone
 *   token is read for the number but not verified.
 * - `hello`: express answering `{ "ok": true }`, the body unread: what the machine, express and the
 *   load generator allow at all.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import postgres from 'postgres';
import { serveParent } from './bench-child.ts';

const [mode, databaseUrl, poolSize] = process.argv.slice(2);
const app = express();
app.disable('x-powered-by');
let sql: postgres.Sql | null = null;
if (mode === 'floor') {
  const db = postgres(databaseUrl!, { max: Number(poolSize ?? 20), onnotice: () => {}, connection: { application_name: 'omnichat-bench-floor' } });
  sql = db;
  app.post('/webhooks/:channelId', express.json(), async (request, response) => {
    try {
      const body = request.body as { id?: string; text?: string };
      const token = request.get('x-simulator-token') ?? '';
      const address = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString();
      const rows = await db`
        insert into bench_floor_messages (channel_id, direction, author_type, address, body, provider_message_id, status)
        values (${Number(request.params.channelId)}, 'inbound', 'contact', ${address}, ${body.text ?? ''}, ${body.id ?? null}, 'received')
        on conflict (channel_id, provider_message_id) do nothing returning id`;
      response.json({ ok: true, stored: rows.length });
    } catch (error) {
      response.status(503).json({ error: String(error) });
    }
  });
} else if (mode === 'hello') {
  app.post('/webhooks/:channelId', (_request, response) => {
    response.json({ ok: true });
  });
} else {
  throw new Error(`unknown mode ${mode}: floor or hello`);
}
const server = app.listen(0, '127.0.0.1');
await new Promise<void>((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
});
const { port } = server.address() as AddressInfo;
serveParent({}, { url: `http://127.0.0.1:${port}` }, async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await sql?.end({ timeout: 5 });
});
