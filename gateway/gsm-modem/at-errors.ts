/** Why an AT command did not succeed: the modem's final result, no answer in time, or the line went away. */
export type AtErrorKind = 'cms' | 'cme' | 'error' | 'timeout' | 'closed';

export class AtError extends Error {
  override name = 'AtError';
  readonly kind: AtErrorKind;
  /** The number of `+CMS ERROR: <n>` / `+CME ERROR: <n>` (or the modem's words when it answers verbosely). */
  readonly code: string | null;
  constructor(kind: AtErrorKind, message: string, code: string | null = null) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

/**
 * `+CMS ERROR` values (3GPP TS 27.005 §3.2.5: 0–127 are the network's RP causes of 24.011 E-2,
 * 128–255 the SMSC's TP-FCS of 23.040, 300+ the modem's own). `true` marks what another try can
 * cure: the network or SMSC busy or out of order, the SIM busy or not ready, no service. The rest
 * (unassigned or barred number, invalid destination, a PDU the network refuses) fails for good.
 */
const CMS: Record<number, [text: string, retryable: boolean]> = {
  1: ['Unassigned (unallocated) number', false],
  8: ['Operator determined barring', false],
  10: ['Call barred', false],
  21: ['Short message transfer rejected', false],
  27: ['Destination out of service', true],
  28: ['Unidentified subscriber', false],
  29: ['Facility rejected', false],
  30: ['Unknown subscriber', false],
  38: ['Network out of order', true],
  41: ['Temporary failure', true],
  42: ['Congestion', true],
  47: ['Resources unavailable', true],
  50: ['Requested facility not subscribed', false],
  69: ['Requested facility not implemented', false],
  81: ['Invalid short message transfer reference value', false],
  95: ['Invalid message', false],
  96: ['Invalid mandatory information', false],
  97: ['Message type non-existent or not implemented', false],
  98: ['Message not compatible with short message protocol state', false],
  99: ['Information element non-existent or not implemented', false],
  111: ['Protocol error', false],
  127: ['Interworking error', false],
  128: ['Telematic interworking not supported', false],
  144: ['Data coding scheme (alphabet) not supported', false],
  176: ['TPDU not supported', false],
  192: ['SMSC busy', true],
  193: ['No SMSC subscription', false],
  194: ['SMSC system failure', true],
  195: ['Invalid destination address', false],
  196: ['Destination barred', false],
  197: ['Rejected: duplicate SMS', false],
  208: ['SIM SMS storage full', true],
  212: ['SIM application toolkit busy', true],
  255: ['Unspecified error', false],
  300: ['Modem failure', true],
  301: ['SMS service of the modem reserved', true],
  302: ['Operation not allowed', false],
  303: ['Operation not supported', false],
  304: ['Invalid PDU mode parameter', false],
  305: ['Invalid text mode parameter', false],
  310: ['SIM not inserted', true],
  311: ['SIM PIN required', true],
  312: ['PH-SIM PIN required', true],
  313: ['SIM failure', true],
  314: ['SIM busy', true],
  315: ['SIM wrong', true],
  316: ['SIM PUK required', true],
  320: ['Memory failure', true],
  321: ['Invalid memory index', false],
  322: ['Memory full', true],
  330: ['SMSC address unknown', true],
  331: ['No network service', true],
  332: ['Network timeout', true],
  500: ['Unknown modem error', true],
};

/** `+CME ERROR` values (3GPP TS 27.007 §9.2) met while starting a modem (PIN, SIM). */
const CME: Record<number, string> = {
  0: 'Phone failure',
  3: 'Operation not allowed',
  4: 'Operation not supported',
  10: 'SIM not inserted',
  11: 'SIM PIN required',
  12: 'SIM PUK required',
  13: 'SIM failure',
  14: 'SIM busy',
  15: 'SIM wrong',
  16: 'Incorrect PIN',
  30: 'No network service',
  31: 'Network timeout',
  100: 'Unknown error',
};

/** The modem's words for an error number, when the standard names it. */
export function describeAtError(error: AtError): string | undefined {
  const code = Number(error.code);
  if (!Number.isInteger(code)) return undefined;
  if (error.kind === 'cms') return CMS[code]?.[0];
  if (error.kind === 'cme') return CME[code];
  return undefined;
}

/**
 * Whether a failed send may be tried again. A modem that did not answer, a closed line or a bare
 * `ERROR` (no code) are the device's trouble, not the message's: retryable. A `+CMS ERROR` the table
 * does not list (vendor numbers, anything the network invents) is permanent, so a refused message is
 * not sent over and over.
 */
export function isRetryable(error: AtError): boolean {
  if (error.kind === 'cms') return CMS[Number(error.code)]?.[1] ?? false;
  return true;
}

/** `+CMS ERROR: 42` → an AtError; a verbose answer (`AT+CMEE=2` left on) keeps its words as the code. */
export function parseErrorResult(line: string): AtError | null {
  const match = /^\+(CMS|CME) ERROR:\s*(.*)$/.exec(line);
  if (match) {
    const kind = match[1] === 'CMS' ? 'cms' : 'cme';
    return new AtError(kind, line, match[2]!.trim());
  }
  if (line === 'ERROR' || line === 'COMMAND NOT SUPPORT' || line === 'TOO MANY PARAMETERS') return new AtError('error', line);
  return null;
}
