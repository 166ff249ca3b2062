import { randomBytes } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

export type GraphSend = { phoneNumberId: string; version: string; authorization: string | null; payload: Record<string, any> };
/** A `status: read` call (mark as read, with or without a typing indicator), which sends nothing. */
export type GraphRead = GraphSend & { at: number };

/** Meta's Graph API `POST /{version}/{phone-number-id}/messages`, faked at the network edge with msw. */
export function fakeGraphApi() {
  const sends: GraphSend[] = [];
  const reads: GraphRead[] = [];
  const waiting: ((send: GraphSend & { wamid: string }) => void)[] = [];
  const failures: { status: number; code: number; message: string; details?: string }[] = [];
  const server = setupServer(
    http.post('https://graph.facebook.com/:version/:phoneNumberId/messages', async ({ request, params }) => {
      const send: GraphSend = {
        phoneNumberId: String(params.phoneNumberId),
        version: String(params.version),
        authorization: request.headers.get('authorization'),
        payload: (await request.json()) as Record<string, any>,
      };
      if (send.payload.status === 'read') {
        reads.push({ ...send, at: Date.now() });
        return HttpResponse.json({ success: true });
      }
      sends.push(send);
      const failure = failures.shift();
      if (failure) {
        return HttpResponse.json(
          {
            error: {
              message: failure.message,
              type: 'OAuthException',
              code: failure.code,
              error_data: { messaging_product: 'whatsapp', details: failure.details },
              fbtrace_id: 'Atrace',
            },
          },
          { status: failure.status },
        );
      }
      const wamid = `wamid.${randomBytes(20).toString('base64url')}`;
      waiting.shift()?.({ ...send, wamid });
      return HttpResponse.json({ messaging_product: 'whatsapp', contacts: [{ input: send.payload.to, wa_id: send.payload.to }], messages: [{ id: wamid }] });
    }),
  );
  server.listen({ onUnhandledFrame: 'bypass' }); // our own localhost HTTP and sockets pass through
  return {
    sends,
    reads,
    nextSend: () => new Promise<GraphSend & { wamid: string }>((resolve) => waiting.push(resolve)),
    failNext: (failure: { status: number; code: number; message: string; details?: string }) => void failures.push(failure),
    close: () => server.close(),
  };
}
