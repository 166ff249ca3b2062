import { toNumber, WAMessageStatus, type BaileysEventMap } from '@whiskeysockets/baileys';
import type { StatusReport } from '../channel.ts';

const at = (seconds: unknown) => {
  const value = toNumber(seconds as number);
  return value > 0 ? new Date(value * 1000) : new Date();
};

/**
 * Delivery reports about messages we sent, from the two events Baileys raises for receipts:
 * `messages.update` (one-to-one chats: status 3 DELIVERY_ACK, 4 READ, 5 PLAYED, 0 ERROR with the
 * server's error code in `messageStubParameters`) and `message-receipt.update` (groups: one receipt
 * per member). Only keys marked `fromMe`: receipts of messages the customer sent us are not reports.
 */
export function statusReports(events: Partial<BaileysEventMap>): StatusReport[] {
  const reports: StatusReport[] = [];
  for (const { key, update } of events['messages.update'] ?? []) {
    if (!key.fromMe || !key.id || typeof update.status !== 'number') continue;
    const when = at(update.messageTimestamp);
    if (update.status === WAMessageStatus.DELIVERY_ACK) reports.push({ providerMessageId: key.id, status: 'delivered', at: when });
    else if (update.status === WAMessageStatus.READ || update.status === WAMessageStatus.PLAYED)
      reports.push({ providerMessageId: key.id, status: 'read', at: when });
    else if (update.status === WAMessageStatus.ERROR) {
      const code = String(update.messageStubParameters?.[0] ?? 'error');
      reports.push({
        providerMessageId: key.id,
        status: 'failed',
        errorCode: code,
        errorMessage: `WhatsApp did not deliver the message (error ${code})`,
        at: new Date(),
      });
    }
  }
  for (const { key, receipt } of events['message-receipt.update'] ?? []) {
    if (!key.fromMe || !key.id) continue;
    const read = receipt.readTimestamp ?? receipt.playedTimestamp;
    if (read) reports.push({ providerMessageId: key.id, status: 'read', at: at(read) });
    else if (receipt.receiptTimestamp) reports.push({ providerMessageId: key.id, status: 'delivered', at: at(receipt.receiptTimestamp) });
  }
  return reports;
}
