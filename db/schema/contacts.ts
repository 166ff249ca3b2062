import { bigint, index, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { channels } from './channels.ts';

/** A person; one contact can write from several channels (addresses). */
export const contacts = pgTable('contacts', {
  id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  name: text(),
  attributes: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** A contact's address on one channel (E.164 number, WhatsApp id…), unique per channel. */
export const contactAddresses = pgTable(
  'contact_addresses',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    contactId: bigint({ mode: 'number' })
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    channelId: integer()
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    address: text().notNull(),
    profileName: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('contact_addresses_channel_address_key').on(t.channelId, t.address),
    index('contact_addresses_contact_idx').on(t.contactId),
    index('contact_addresses_address_idx').on(t.address),
  ],
);
