import { randomBytes } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

export type TwilioSend = {
  accountSid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  statusCallback?: string;
  mediaUrl: string[];
};

/**
 * Twilio's REST API faked at the network edge with msw: `POST …/Messages.json` answers like Twilio
 * (201 with a message resource, or its error JSON), and records what was sent.
 */
export function fakeTwilioApi() {
  const sends: TwilioSend[] = [];
  const waiting: ((send: TwilioSend & { sid: string }) => void)[] = [];
  let nextFailure: { status: number; code: number; message: string } | null = null;
  const server = setupServer(
    http.post('https://api.twilio.com/2010-04-01/Accounts/:accountSid/Messages.json', async ({ request, params }) => {
      const form = new URLSearchParams(await request.text());
      const send: TwilioSend = {
        accountSid: String(params.accountSid),
        to: form.get('To') ?? '',
        from: form.get('From') ?? undefined,
        messagingServiceSid: form.get('MessagingServiceSid') ?? undefined,
        body: form.get('Body') ?? '',
        statusCallback: form.get('StatusCallback') ?? undefined,
        mediaUrl: form.getAll('MediaUrl'),
      };
      sends.push(send);
      if (nextFailure) {
        const failure = nextFailure;
        nextFailure = null;
        return HttpResponse.json(
          { code: failure.code, message: failure.message, more_info: `https://www.twilio.com/docs/errors/${failure.code}`, status: failure.status },
          { status: failure.status },
        );
      }
      const sid = `SM${randomBytes(16).toString('hex')}`;
      waiting.shift()?.({ ...send, sid });
      return HttpResponse.json(
        {
          sid,
          account_sid: send.accountSid,
          to: send.to,
          from: send.from ?? null,
          body: send.body,
          status: 'queued',
          num_segments: '1',
          direction: 'outbound-api',
          date_created: new Date().toUTCString(),
        },
        { status: 201 },
      );
    }),
  );
  server.listen({ onUnhandledFrame: 'bypass' }); // our own localhost HTTP and sockets pass through
  return {
    sends,
    nextSend: () => new Promise<TwilioSend & { sid: string }>((resolve) => waiting.push(resolve)),
    failNext(failure: { status: number; code: number; message: string }) {
      nextFailure = failure;
    },
    close: () => server.close(),
  };
}
