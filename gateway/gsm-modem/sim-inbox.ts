import type { Logger } from '../../kernel/logger.ts';
import type { InboundMessage, StatusReport, WebhookContent } from '../channel.ts';
import type { AtDriver } from './at-driver.ts';
import { AtError } from './at-errors.ts';
import { partSetMessage, singleSmsMessage, type InboundContext } from './inbound-sms.ts';
import type { MessageReferences } from './message-references.ts';
import type { PartAssembly, PartSet } from './part-assembly.ts';
import { reportOutcome } from './report-status.ts';
import { decodePdu, type DecodedPdu } from './sms-pdu.ts';
import { parsePduListing, parsePduRead, parseTextListing, parseTextRead, type PduEntry, type TextEntry } from './storage-responses.ts';

export type SimInbox = {
  /** `+CMTI` / `+CDSI`: a message or report was stored in this slot. */
  slotFilled(index: number): void;
  /** Lists everything in storage: at start (what arrived while we were away), then now and then. */
  sweep(): Promise<void>;
  /** `+CMT` / `+CDS`: a PDU pushed to us without being stored. */
  pushed(head: string, pdu: string): void;
  /** Resolves when the work queued so far is done. */
  idle(): Promise<void>;
};

type InboxOptions = InboundContext & {
  mode: 'pdu' | 'text';
  receive(content: WebhookContent): Promise<unknown>;
  references: MessageReferences;
  assembly: PartAssembly;
  /** How long the parts of a concatenated SMS are waited for before it is stored as received. */
  partsTimeoutMs: number;
  logger: Logger;
};

/**
 * A modem's received messages: each is stored through `receive` and deleted from the modem
 * (`AT+CMGD`) only after that resolved, so a crash in between loses nothing (the next listing reads
 * it again and the same provider id makes it a duplicate). The parts of a concatenated SMS stay in
 * storage until the whole message is stored. One piece of work at a time.
 */
export function createSimInbox(driver: AtDriver, options: InboxOptions): SimInbox {
  let chain: Promise<void> = Promise.resolve();
  const unreadable = new Set<number>();

  function queue(work: () => Promise<void>) {
    const next = chain.then(work).catch((error: unknown) => {
      if (error instanceof AtError && error.kind === 'closed') return; // the line went away: the next start lists again
      options.logger.warn({ err: error, modem: options.modem }, 'reading received SMS failed; retried at the next listing');
    });
    chain = next;
    return next;
  }

  async function remove(indices: readonly number[]) {
    for (const index of indices) await driver.run(`AT+CMGD=${index}`);
  }

  async function store(messages: InboundMessage[], statuses: StatusReport[], indices: readonly number[]) {
    if (messages.length || statuses.length) await options.receive({ messages, statuses });
    await remove(indices); // only now: the content is committed
  }

  async function reportFor(decoded: Extract<DecodedPdu, { kind: 'report' }>): Promise<StatusReport | null> {
    const entry = await options.references.lookup(options.modem, decoded.reference);
    const outcome = reportOutcome(decoded.status);
    if (!entry) {
      options.logger.info({ modem: options.modem, reference: decoded.reference }, 'delivery report for a message this channel did not send');
      return null;
    }
    // A part's failure fails the message; only the last part's delivery says the whole of it arrived.
    if (!outcome || (outcome.status === 'delivered' && !entry.last)) return null;
    return { providerMessageId: entry.id, ...outcome, at: decoded.at };
  }

  const slotsOf = (set: PartSet) => [...set.parts.values()].flatMap((part) => part.indices);

  /** Concatenated SMS whose missing parts were waited for long enough: stored as they are. */
  async function storeExpiredSets() {
    for (const set of options.assembly.expired(Date.now(), options.partsTimeoutMs)) {
      options.assembly.remove(set);
      await store([partSetMessage(set, options)], [], slotsOf(set));
    }
  }

  async function ingestPdu(entry: PduEntry | { index: null; pdu: string; length: number }) {
    let decoded: DecodedPdu;
    try {
      decoded = decodePdu(entry.pdu, entry.length);
    } catch (error) {
      if (entry.index === null || !unreadable.has(entry.index))
        options.logger.warn({ err: error, modem: options.modem, index: entry.index }, 'unreadable PDU left in the modem');
      if (entry.index !== null) unreadable.add(entry.index);
      return;
    }
    const indices = entry.index === null ? [] : [entry.index];
    if (decoded.kind === 'report') {
      const report = await reportFor(decoded);
      return store([], report ? [report] : [], indices);
    }
    if (decoded.kind !== 'deliver') return; // a stored outgoing message: not ours to delete
    if (!decoded.concat) return store([singleSmsMessage(decoded, options)], [], indices);
    const set = options.assembly.add({ ...decoded, concat: decoded.concat }, entry.index, Date.now());
    if (!options.assembly.isComplete(set)) return;
    options.assembly.remove(set);
    await store([partSetMessage(set, options)], [], slotsOf(set));
  }

  async function ingestText(entry: TextEntry) {
    await store(
      [singleSmsMessage({ sender: entry.sender, alphanumericSender: !/^\+?\d+$/.test(entry.sender), text: entry.text, sentAt: entry.sentAt }, options)],
      [],
      [entry.index],
    );
  }

  async function readSlot(index: number) {
    let lines: string[];
    try {
      lines = await driver.run(`AT+CMGR=${index}`);
    } catch (error) {
      if (error instanceof AtError && error.kind === 'cms' && error.code === '321') return; // empty slot
      throw error;
    }
    if (options.mode === 'text') {
      const entry = parseTextRead(index, lines);
      if (entry) await ingestText(entry);
      return;
    }
    const entry = parsePduRead(index, lines);
    if (entry) await ingestPdu(entry);
  }

  async function sweep() {
    if (options.mode === 'text') {
      for (const entry of parseTextListing(await driver.run('AT+CMGL="ALL"', { timeoutMs: 30_000 }))) await ingestText(entry);
      return;
    }
    const entries = parsePduListing(await driver.run('AT+CMGL=4', { timeoutMs: 30_000 }));
    options.assembly.keepOnly(new Set(entries.map((entry) => entry.index)));
    for (const entry of entries) {
      // Each entry on its own: one that cannot be stored now must not hold back the others.
      await ingestPdu(entry).catch((error: unknown) => {
        if (error instanceof AtError && error.kind === 'closed') throw error;
        options.logger.warn({ err: error, modem: options.modem, index: entry.index }, 'received SMS not stored yet; kept in the modem');
      });
    }
    await storeExpiredSets();
  }

  return {
    slotFilled: (index) => void queue(() => readSlot(index)),
    sweep: () => queue(sweep),
    pushed(head, pdu) {
      const length = Number(/(\d+)\s*$/.exec(head)?.[1]);
      void queue(() => ingestPdu({ index: null, pdu, length }));
    },
    idle: () => chain,
  };
}
