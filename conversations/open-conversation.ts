import { and, eq, ne } from 'drizzle-orm';
import { contactAddresses, contacts, conversations, type campaigns } from '../db/schema/index.ts';

type Campaign = typeof campaigns.$inferSelect;
import type { Tx } from '../db/connection.ts';

export type ConversationRow = typeof conversations.$inferSelect;

/** The contact behind an address on a channel, created on first contact (race-safe on the unique address). */
export async function findOrCreateContactAddress(
  tx: Tx,
  input: { channelId: number; address: string; profileName?: string | null },
): Promise<typeof contactAddresses.$inferSelect> {
  const existing = await tx.query.contactAddresses.findFirst({
    where: and(eq(contactAddresses.channelId, input.channelId), eq(contactAddresses.address, input.address)),
  });
  if (existing) return existing;
  const [contact] = await tx
    .insert(contacts)
    .values({ name: input.profileName ?? null })
    .returning({ id: contacts.id });
  const [created] = await tx
    .insert(contactAddresses)
    .values({ contactId: contact!.id, channelId: input.channelId, address: input.address, profileName: input.profileName ?? null })
    .onConflictDoNothing({ target: [contactAddresses.channelId, contactAddresses.address] })
    .returning();
  if (created) return created;
  // Another transaction created the address between our read and insert: use theirs.
  await tx.delete(contacts).where(eq(contacts.id, contact!.id));
  const winner = await tx.query.contactAddresses.findFirst({
    where: and(eq(contactAddresses.channelId, input.channelId), eq(contactAddresses.address, input.address)),
  });
  if (!winner) throw new Error('contact address vanished while resolving a concurrent insert');
  return winner;
}

/**
 * The contact's open conversation on the channel, or a new one with the bot. The partial unique index
 * `conversations_one_open_per_contact_channel` makes "one open conversation" hold under concurrency.
 */
export async function findOrOpenConversation(
  tx: Tx,
  input: { channelId: number; contactId: number; contactAddressId: number },
  /** The campaign of a new conversation; asked only when one has to be opened. */
  campaignFor: () => Promise<Campaign | null>,
): Promise<{ conversation: ConversationRow; opened: boolean; campaign?: Campaign | null }> {
  // FOR UPDATE: if an agent is closing this conversation right now, the read waits and, in READ
  // COMMITTED, re-checks `status <> 'closed'`, so the message opens a new conversation instead of
  // landing in the one just closed.
  const open = async () =>
    (
      await tx
        .select()
        .from(conversations)
        .where(and(eq(conversations.channelId, input.channelId), eq(conversations.contactId, input.contactId), ne(conversations.status, 'closed')))
        .for('update')
    )[0];
  const existing = await open();
  if (existing) return { conversation: existing, opened: false };
  const campaign = await campaignFor();
  const [created] = await tx
    .insert(conversations)
    .values({ ...input, campaignId: campaign?.id ?? null, status: 'bot' })
    .onConflictDoNothing()
    .returning();
  if (created) return { conversation: created, opened: true, campaign };
  const winner = await open();
  if (!winner) throw new Error('open conversation vanished while resolving a concurrent insert');
  return { conversation: winner, opened: false };
}
