import { bigserial, customType, pgTable, timestamp } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/**
 * Live events too large for a PostgreSQL NOTIFY (under 8000 bytes) on their way between nodes:
 * socket.io's PostgreSQL adapter and emitter (`kernel/realtime.ts`) store the event here and notify
 * its id; every HTTP node deletes rows older than the adapter's cleanup interval (30 s). The
 * libraries own the row format (`id`, `created_at`, a msgpack `payload`).
 */
export const liveEventAttachments = pgTable('live_event_attachments', {
  id: bigserial({ mode: 'number' }).primaryKey(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  payload: bytea().notNull(),
});
