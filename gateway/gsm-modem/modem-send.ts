import type { AtDriver } from './at-driver.ts';
import { AtError, describeAtError, isRetryable } from './at-errors.ts';
import { gsmBytes } from './gsm-alphabet.ts';
import { segmentText } from './sms-segments.ts';
import { submitPdus } from './sms-pdu.ts';

export type ModemSendResult = { ok: true; references: number[] } | { ok: false; errorCode: string; errorMessage: string; retryable: boolean };

const CTRL_Z = 0x1a;
const ESC = 0x1b;

/** The network can take a while to accept an SMS (27.005 allows minutes; modems answer within ~40 s). */
const SEND_TIMEOUT_MS = 60_000;

/** Answers to `AT+CEER` that say nothing about a refused SMS. */
const NOTHING_TO_REPORT = /^(no (cause information|report) available|normal( call clearing| release)?|0)?$/i;

/**
 * The modem's extended error report (`AT+CEER`, 3GPP TS 27.007 §6.10): many modems give there the
 * network's own words for a refusal that `+CMS ERROR: <n>` only numbers. Best effort.
 */
async function extendedErrorReport(driver: AtDriver): Promise<string | null> {
  try {
    const lines = await driver.run('AT+CEER', { timeoutMs: 3000 });
    const report =
      /^\+CEER:\s*(.*)$/
        .exec(lines.find((line) => line.startsWith('+CEER:')) ?? '')?.[1]
        ?.replaceAll('"', '')
        .trim() ?? '';
    return NOTHING_TO_REPORT.test(report) ? null : report;
  } catch {
    return null;
  }
}

async function failure(driver: AtDriver, error: unknown, sentParts: number, totalParts: number): Promise<ModemSendResult> {
  if (!(error instanceof AtError)) throw error;
  const report = error.kind === 'cms' || error.kind === 'error' ? await extendedErrorReport(driver) : null;
  const described = describeAtError(error);
  const what = error.kind === 'cms' ? `+CMS ERROR: ${error.code}` : error.kind === 'cme' ? `+CME ERROR: ${error.code}` : error.message;
  const partial = sentParts > 0 ? ` (after ${sentParts} of ${totalParts} parts were sent)` : '';
  return {
    ok: false,
    errorCode: error.code ?? (error.kind === 'error' ? 'ERROR' : error.kind),
    errorMessage: `${described ? `${described} (${what})` : `The modem refused the message (${what})`}${report ? `: ${report}` : ''}${partial}`,
    retryable: isRetryable(error),
  };
}

/**
 * Sends one text through one modem and returns the message reference of each part. PDU mode: each
 * part is `AT+CMGS=<TPDU length>`, the `> ` prompt, the PDU in hex and Ctrl-Z, then `+CMGS: <mr>`;
 * a long text goes as concatenated parts, in order, asking for delivery reports. Text mode sends
 * one GSM-7 SMS (`AT+CMGS="<number>"`, the text in the GSM character set).
 */
export async function sendThroughModem(driver: AtDriver, mode: 'pdu' | 'text', to: string, text: string, reference: number): Promise<ModemSendResult> {
  const reference8bit = reference & 0xff;
  const parts =
    mode === 'pdu'
      ? submitPdus(to, segmentText(text), { reference: reference8bit, statusReport: true }).map((pdu) => ({
          command: `AT+CMGS=${pdu.tpduLength}`,
          payload: Buffer.from(pdu.hex, 'latin1'),
        }))
      : null;
  if (!parts) {
    const bytes = gsmBytes(text);
    // In text mode Ctrl-Z (0x1A, which is 'Ξ' in GSM) ends the text and ESC (0x1B, the escape of € [ ] { } …) cancels it.
    if (!bytes || bytes.length > 160 || bytes.includes(CTRL_Z) || bytes.includes(ESC)) {
      return {
        ok: false,
        errorCode: 'text_mode_limit',
        errorMessage:
          'This modem is in text mode, which sends one SMS of up to 160 GSM-7 characters without € [ ] { } | ~ ^ \\ Ξ: set its mode to pdu for this text',
        retryable: false,
      };
    }
    try {
      return { ok: true, references: [referenceOf(await driver.runWithPrompt(`AT+CMGS="${to}"`, bytes, { timeoutMs: SEND_TIMEOUT_MS }))] };
    } catch (error) {
      return failure(driver, error, 0, 1);
    }
  }
  const references: number[] = [];
  for (const part of parts) {
    try {
      references.push(referenceOf(await driver.runWithPrompt(part.command, part.payload, { timeoutMs: SEND_TIMEOUT_MS })));
    } catch (error) {
      return failure(driver, error, references.length, parts.length);
    }
  }
  return { ok: true, references };
}

function referenceOf(lines: readonly string[]): number {
  const match = lines.map((line) => /^\+CMGS:\s*(\d+)/.exec(line)).find(Boolean);
  if (!match) throw new AtError('error', `no +CMGS reference in the answer (${lines.join(' | ')})`);
  return Number(match[1]);
}
