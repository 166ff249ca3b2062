import type { StatusReport } from '../channel.ts';

/** TP-ST values of 3GPP TS 23.040 §9.2.3.15 that end a delivery in failure. */
const FAILURES: Record<number, string> = {
  64: 'Remote procedure error',
  65: 'Incompatible destination',
  66: 'Connection rejected by the recipient',
  67: 'Not obtainable',
  68: 'Quality of service not available',
  69: 'No interworking available',
  70: 'Validity period expired before delivery',
  71: 'Deleted by the sender',
  72: 'Deleted by the SMSC administration',
  73: 'The message does not exist',
  96: 'Congestion (the SMSC gave up)',
  97: 'Recipient busy (the SMSC gave up)',
  98: 'No response from the recipient (the SMSC gave up)',
  99: 'Service rejected (the SMSC gave up)',
  100: 'Quality of service not available (the SMSC gave up)',
  101: 'Error in the recipient (the SMSC gave up)',
};

/**
 * What a status report's TP-ST says: 0x00–0x1F the message arrived (delivered, forwarded, replaced),
 * 0x20–0x3F the SMSC is still trying (nothing to record yet), 0x40 and up it failed for good.
 */
export function reportOutcome(status: number): Pick<StatusReport, 'status' | 'errorCode' | 'errorMessage'> | null {
  if (status < 0x20) return { status: 'delivered' };
  if (status < 0x40) return null;
  const code = `0x${status.toString(16).padStart(2, '0')}`;
  return { status: 'failed', errorCode: `status-report-${code}`, errorMessage: FAILURES[status] ?? `Delivery failed (status report ${code})` };
}
