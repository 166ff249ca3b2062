import smpp from 'smpp';

/** command_status names by value, from the `smpp` package's table (SMPP 3.4 §5.1.3 plus 5.0 additions). */
const NAMES = new Map(Object.entries(smpp.errors).map(([name, value]) => [value, name]));

/** What the common refusals mean, for the console (the name alone is cryptic). */
const MEANINGS: Record<string, string> = {
  ESME_RINVMSGLEN: 'message length is invalid',
  ESME_RINVBNDSTS: 'not bound (incorrect bind status)',
  ESME_RALYBND: 'already bound',
  ESME_RSYSERR: 'SMSC system error',
  ESME_RINVSRCADR: 'invalid source address',
  ESME_RINVDSTADR: 'invalid destination address',
  ESME_RBINDFAIL: 'bind failed',
  ESME_RINVPASWD: 'invalid password',
  ESME_RINVSYSID: 'invalid system_id',
  ESME_RMSGQFUL: 'message queue full',
  ESME_RINVSRCTON: 'invalid source address TON',
  ESME_RINVSRCNPI: 'invalid source address NPI',
  ESME_RINVDSTTON: 'invalid destination address TON',
  ESME_RINVDSTNPI: 'invalid destination address NPI',
  ESME_RINVSYSTYP: 'invalid system_type',
  ESME_RTHROTTLED: 'throttled: too many messages per second',
  ESME_RX_T_APPN: 'temporary application error',
  ESME_RX_P_APPN: 'permanent application error',
  ESME_RX_R_APPN: 'application error, rejected',
  ESME_RSUBMITFAIL: 'submit failed',
  ESME_RINVESMCLASS: 'invalid esm_class',
  ESME_RINVDCS: 'invalid data_coding',
  ESME_RPROHIBITED: 'prohibited',
};

/**
 * Refusals a later try can cure: the SMSC is busy, full, throttling or broken for now, or our bind
 * is not (yet) in a state to submit. Everything else (a bad number, a barred sender…) is permanent.
 */
const RETRYABLE = new Set([
  smpp.errors.ESME_RINVBNDSTS,
  smpp.errors.ESME_RSYSERR,
  smpp.errors.ESME_RMSGQFUL,
  smpp.errors.ESME_RTHROTTLED,
  smpp.errors.ESME_RX_T_APPN,
]);

/** Throttling and a full queue: worth a short pause and another try on the same bind. */
export const BACK_OFF_STATUSES = new Set([smpp.errors.ESME_RTHROTTLED, smpp.errors.ESME_RMSGQFUL]);

/** Bind refusals that repeating quickly will not cure (and that may lock the account). */
export const CREDENTIAL_STATUSES = new Set([smpp.errors.ESME_RBINDFAIL, smpp.errors.ESME_RINVPASWD, smpp.errors.ESME_RINVSYSID, smpp.errors.ESME_RINVSYSTYP]);

export const statusName = (status: number): string | undefined => NAMES.get(status);

/** `ESME_RINVDSTADR (0x0000000B) invalid destination address`, or the hex value of a vendor status. */
export function describeStatus(status: number): string {
  const hex = `0x${status.toString(16).toUpperCase().padStart(8, '0')}`;
  const name = NAMES.get(status);
  if (!name) return `SMPP command_status ${status} (${hex})`;
  const meaning = MEANINGS[name];
  return meaning ? `${name} (${hex}) ${meaning}` : `${name} (${hex})`;
}

export function isRetryableStatus(status: number, vendorRetryable: readonly number[]): boolean {
  return RETRYABLE.has(status) || vendorRetryable.includes(status);
}
