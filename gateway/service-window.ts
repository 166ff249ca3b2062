import type { ChannelType } from '../db/schema/index.ts';
import { CHANNEL_SCHEMAS } from './channel-schemas.ts';
import { SERVICE_WINDOW_MS } from './whatsapp-cloud/cloud-api-settings.ts';
import { DomainError } from '../kernel/errors.ts';

/** Raised before anything is queued, so a message is never shown as sent when the provider would refuse it. */
export class OutsideServiceWindowError extends DomainError {
  override name = 'OutsideServiceWindowError';
  constructor(message: string) {
    super('conflict', 'outside_service_window', message);
  }
}

/**
 * WhatsApp's customer-service window: free-form messages only within 24 hours of the customer's
 * last message; after that, only an approved template may start the conversation again.
 */
export function assertFreeFormAllowed(channelType: ChannelType, lastContactMessageAt: Date | null, now = new Date()): void {
  if (!CHANNEL_SCHEMAS[channelType]?.customerServiceWindow) return;
  if (lastContactMessageAt && now.getTime() - lastContactMessageAt.getTime() < SERVICE_WINDOW_MS) return;
  throw new OutsideServiceWindowError(
    'The customer last wrote more than 24 hours ago, so WhatsApp only accepts an approved template message now. Send a template to reopen the conversation.',
  );
}
