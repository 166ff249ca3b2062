import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { signPhoneToken } from '../gateway/simulator/phone-token.ts';
import { buildCampaign, buildSimulatorChannel } from './harness/factories.ts';
import { api, eventually, startTestPlatform } from './harness/test-platform.ts';

/**
 * How long the stop waits for the jobs in flight: this test is about those jobs finishing, so the
 * wait must outlast them however loaded the machine (the stop returns as soon as they are done).
 */
const SHUTDOWN_TIMEOUT_MS = 180_000;

describe('stopping and restarting', () => {
  it(
    'a graceful stop leaves no job half-done, and a new process finishes every accepted message',
    async () => {
      const first = await startTestPlatform({ SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
      const { db } = first.services;
      const channel = await buildSimulatorChannel(db);
      await buildCampaign(db, { channelIds: [channel.id], greetingMessage: 'Hello after restart' });
      const customers = Array.from({ length: 40 }, (_, i) => `+598991${String(i).padStart(5, '0')}`);
      await Promise.all(
        customers.map(async (number) => {
          const response = await api(first.url, 'POST', `/webhooks/${channel.id}`, {
            headers: { 'x-simulator-token': signPhoneToken(channel.secrets.signingKey!, channel.id, number) },
            body: { type: 'message', id: randomUUID(), text: 'Hi' },
          });
          expect(response.status).toBe(200);
        }),
      );
      // Stop while the burst is being worked on: jobs in flight finish, queued ones stay queued.
      await first.stop();

      const probe = postgres(first.databaseUrl, { max: 1, onnotice: () => {} });
      const [stopped] = await probe`
      select count(*) filter (where state = 'active')::int as active,
             count(*) filter (where state = 'failed')::int as failed,
             count(*) filter (where state = 'completed')::int as completed
        from pgboss.job where name = 'conversation.inbound'`;
      await probe.end();
      expect(stopped).toMatchObject({ active: 0, failed: 0 });

      const second = await startTestPlatform({}, { databaseUrl: first.databaseUrl });
      try {
        await eventually(async () => {
          const [row] = (await second.services.db.execute(sql`
          select count(*) filter (where direction = 'inbound' and conversation_id is not null)::int as attached,
                 count(*) filter (where author_type = 'bot' and status = 'sent')::int as greeted,
                 count(*) filter (where direction = 'inbound')::int as inbound
            from messages where channel_id = ${channel.id}`)) as unknown as [{ attached: number; greeted: number; inbound: number }];
          expect(row).toEqual({ attached: 40, greeted: 40, inbound: 40 });
        }, 120_000);
      } finally {
        await second.stop();
        await first.close().catch(() => {});
      }
    },
    SHUTDOWN_TIMEOUT_MS + 240_000,
  );
});
