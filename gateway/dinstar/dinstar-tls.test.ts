import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import { createDinstarChannel } from './dinstar-channel.ts';
import { dinstarRow, GATEWAY_PASSWORD } from './testing/dinstar-fixture.ts';
import { digestServer } from './testing/fake-digest-auth.ts';
import { TEST_TLS_CERT, TEST_TLS_KEY } from './self-signed-test-certificate.ts';

// A real HTTPS server with a self-signed certificate and real Digest, no msw: the transport and
// digest-fetch over actual sockets, as against a gateway fresh from the factory.
let server: https.Server;
let baseUrl: string;
const bodies: unknown[] = [];
beforeAll(async () => {
  const digest = digestServer('Web Server', { username: 'admin', password: GATEWAY_PASSWORD });
  server = https.createServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (request, response) => {
    if (!digest.valid(request.method ?? '', request.url ?? '', request.headers.authorization)) {
      response.writeHead(401, { 'www-authenticate': digest.challenge() }).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 202, sn: 'tls-gw', sms_in_queue: 1, task_id: 1 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('Dinstar over HTTPS', () => {
  const message = { messageId: 42, to: '+59899123456', text: 'Hola', media: [] };

  it('refuses a self-signed certificate unless the channel allows it', async () => {
    const strict = createDinstarChannel(dinstarRow({ baseUrl, allowSelfSigned: false }), recordingChannelDeps());
    const refused = await strict.send(message);
    expect(refused).toMatchObject({ ok: false, errorCode: 'unreachable', retryable: true });
    expect(!refused.ok && refused.errorMessage).toMatch(/CERT|certificate/i);
    expect(bodies).toHaveLength(0);

    const trusting = createDinstarChannel(dinstarRow({ baseUrl, allowSelfSigned: true, dialString: '3' }), recordingChannelDeps());
    expect(await trusting.send(message)).toEqual({ ok: true, providerMessageId: '42' });
    expect(bodies).toEqual([{ text: 'Hola', param: [{ number: '+59899123456', user_id: 42 }], port: [3], encoding: 'gsm-7bit', request_status_report: true }]);
  });
});
