import type { StatusReport } from '../channel.ts';

/** TP-ST values of 3GPP TS 23.040 §9.2.3.15 that end a delivery in failure. */
const FAILURES: Record<number, string> = {
  0x40: 'Remote procedure error',
  0x41: 'Incompatible destination',
  0x42: 'Connection rejected by the recipient',
  0x43: 'Not obtainable',
  0x44: 'Quality of service not available',
  0x45: 'No interworking available',
  0x46: 'Validity period expired before delivery',
  0x47: 'Deleted by the sender',
  0x48: 'Deleted by the SMSC administration',
  0x49: 'The message does not exist',
  0x60: 'Congestion (the SMSC gave up)',
  0x61: 'Recipient busy (the SMSC gave up)',
  0x62: 'No response from the recipient (the SMSC gave up)',
  0x63: 'Service rejected (the SMSC gave up)',
  0x64: 'Quality of service not available (the SMSC gave up)',
  0x65: 'Error in the recipient (the SMSC gave up)',
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
