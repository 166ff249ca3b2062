import type { BindingPortInterface, OpenOptions } from '@serialport/bindings-cpp';
import { gsmBytes, textOfGsmBytes } from '../gsm-alphabet.ts';
import { deliverPdu, readSubmit, statusReportPdu } from './fake-modem-pdu.ts';
import { createFakePort, type FakePort } from './fake-modem-port.ts';

/** An SMS the fake modem sent for the host (all parts of a concatenated one put together). */
export type FakeSentSms = { to: string; text: string; references: number[]; statusReport: boolean; mode: 'pdu' | 'text' };

type Slot = { pdu: string; tpduLength: number; read: boolean; from: string; text: string; at: Date };

export type FakeModemOptions = {
  /** The SIM asks for this PIN after every power-up. */
  pin?: string;
  /** The first message reference `+CMGS` answers (then +1, wrapping at 255). */
  firstReference?: number;
  /** `AT+CNMI` settings this modem refuses (some refuse ds=1, for example). */
  refuseCnmi?: string[];
};

const ESC = 0x1b;
const CTRL_Z = 0x1a;
const CAPACITY = 30;

/**
 * An in-process GSM modem speaking AT over a serial port (3GPP TS 27.005, the parts the adapter
 * uses): echo per ATE, OK / ERROR / +CMS ERROR, the `> ` prompt of AT+CMGS in PDU and text mode,
 * received SMS in numbered storage slots announced by +CMTI, CMGR / CMGL / CMGD, `+CMGS: <mr>`,
 * +CDS / +CDSI status reports, a SIM PIN, and being unplugged and plugged in again.
 */
export function createFakeModem(options: FakeModemOptions = {}) {
  const slots = new Map<number, Slot>();
  const commands: string[] = [];
  const sent: FakeSentSms[] = [];
  const waiting: ((sms: FakeSentSms) => void)[] = [];
  const partial = new Map<number, { to: string; total: number; statusReport: boolean; parts: Map<number, { text: string; reference: number }> }>();
  let consumed = 0;
  let nextReference = options.firstReference ?? 1;
  let refusal: { code: string; report: string } | null = null;
  let lastError: string | null = null;
  let present = true;
  let port: FakePort | null = null;
  // Modem state, reset at power-up (plugging in).
  let echo = true;
  let numericErrors = false;
  let pduMode = true;
  let simLocked = options.pin !== undefined;
  let pinTries = 3;
  let newMessages = 0; // CNMI <mt>
  let reports = 0; // CNMI <ds>
  let input = Buffer.alloc(0);
  let prompt: { kind: 'pdu'; length: number } | { kind: 'text'; to: string } | null = null;

  function powerUp() {
    echo = true;
    numericErrors = false;
    pduMode = true;
    simLocked = options.pin !== undefined;
    newMessages = 0;
    reports = 0;
    input = Buffer.alloc(0);
    prompt = null;
  }

  function emit(text: string | Buffer) {
    // Nobody listening: what the modem says is lost (what it stored is not).
    port?.push(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  }
  const respond = (...lines: string[]) => emit(`${lines.map((line) => `\r\n${line}\r\n`).join('')}\r\nOK\r\n`);
  const fail = (kind: 'CMS' | 'CME', code: number | string) => emit(numericErrors ? `\r\n+${kind} ERROR: ${code}\r\n` : '\r\nERROR\r\n');

  function store(slot: Omit<Slot, 'read'>): number {
    for (let index = 1; index <= CAPACITY; index++) {
      if (!slots.has(index)) {
        slots.set(index, { ...slot, read: false });
        return index;
      }
    }
    return -1; // storage full: the network keeps it for later
  }

  function acceptSubmit(payload: Buffer) {
    if (refusal) {
      const { code, report } = refusal;
      refusal = null;
      lastError = report;
      return fail('CMS', code);
    }
    let sms: { to: string; text: string; statusReport: boolean; concat: { reference: number; total: number; sequence: number } | null };
    if (prompt?.kind === 'text') {
      sms = { to: prompt.to, text: textOfGsmBytes(payload), statusReport: false, concat: null };
    } else {
      const hex = payload.toString('latin1').trim();
      const submit = (() => {
        try {
          return readSubmit(hex);
        } catch {
          return null;
        }
      })();
      if (!submit || submit.tpduLength !== (prompt as { length: number }).length) return fail('CMS', 304);
      sms = submit;
    }
    const reference = nextReference;
    nextReference = (nextReference + 1) & 0xff;
    respond(`+CMGS: ${reference}`);
    const done = (message: FakeSentSms) => {
      sent.push(message);
      if (waiting.length > 0 && consumed < sent.length) waiting.shift()!(sent[consumed++]!);
    };
    if (!sms.concat) return done({ to: sms.to, text: sms.text, references: [reference], statusReport: sms.statusReport, mode: pduMode ? 'pdu' : 'text' });
    const set = partial.get(sms.concat.reference) ?? { to: sms.to, total: sms.concat.total, statusReport: sms.statusReport, parts: new Map() };
    partial.set(sms.concat.reference, set);
    set.parts.set(sms.concat.sequence, { text: sms.text, reference });
    if (set.parts.size < set.total) return;
    partial.delete(sms.concat.reference);
    const parts = [...set.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
    done({
      to: set.to,
      text: parts.map((part) => part.text).join(''),
      references: parts.map((part) => part.reference),
      statusReport: set.statusReport,
      mode: 'pdu',
    });
  }

  function listEntry(index: number, slot: Slot, command: 'CMGR' | 'CMGL') {
    const head = command === 'CMGL' ? `+CMGL: ${index},` : '+CMGR: ';
    if (pduMode) return [`${head}${slot.read ? 1 : 0},,${slot.tpduLength}`, slot.pdu];
    const stamp = slot.at.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d).*$/, '$1/$2/$3,$4+00');
    const body = (gsmBytes(slot.text) ?? Buffer.from('?')).toString('latin1');
    return [`${head}"REC ${slot.read ? 'READ' : 'UNREAD'}","${slot.from}",,"${stamp}"`, body];
  }

  function execute(line: string) {
    const command = line.trim();
    if (command === '') return;
    commands.push(command);
    if (echo) emit(`${command}\r`);
    const upper = command.toUpperCase();
    let match: RegExpExecArray | null;
    if (upper === 'AT') return respond();
    match = /^ATE([01])$/.exec(upper);
    if (match) {
      echo = match[1] === '1';
      return respond();
    }
    match = /^AT\+CMEE=(\d)$/.exec(upper);
    if (match) {
      numericErrors = match[1] !== '0';
      return respond();
    }
    if (upper === 'AT+CPIN?') return respond(`+CPIN: ${simLocked ? (pinTries > 0 ? 'SIM PIN' : 'SIM PUK') : 'READY'}`);
    match = /^AT\+CPIN="?(\d+)"?$/.exec(upper);
    if (match) {
      if (!simLocked) return respond();
      if (pinTries > 0 && match[1] === options.pin) {
        simLocked = false;
        return respond();
      }
      pinTries = Math.max(0, pinTries - 1);
      return fail('CME', 16);
    }
    if (upper === 'AT+CEER') return respond(`+CEER: ${lastError ?? 'No cause information available'}`);
    match = /^AT\+CMGF=([01])$/.exec(upper);
    if (match) {
      pduMode = match[1] === '0';
      return respond();
    }
    if (/^AT\+CSCS=/.test(upper) || /^AT\+CSMP=/.test(upper)) return respond();
    if (simLocked && /^AT\+(CPMS|CNMI|CMGS|CMGR|CMGL|CMGD)/.test(upper)) return fail('CMS', 311);
    if (/^AT\+CPMS=/.test(upper)) return respond(`+CPMS: ${slots.size},${CAPACITY},${slots.size},${CAPACITY},${slots.size},${CAPACITY}`);
    match = /^AT\+CNMI=(.*)$/.exec(upper);
    if (match) {
      if (options.refuseCnmi?.includes(match[1]!)) return fail('CMS', 303);
      const fields = match[1]!.split(',').map(Number);
      newMessages = fields[1] ?? 0;
      reports = fields[3] ?? 0;
      return respond();
    }
    match = /^AT\+CMGS=(\d+)$/.exec(upper);
    if (match && pduMode) {
      prompt = { kind: 'pdu', length: Number(match[1]) };
      return emit('\r\n> ');
    }
    match = /^AT\+CMGS="([^"]+)"/.exec(command);
    if (match && !pduMode) {
      prompt = { kind: 'text', to: match[1]! };
      return emit('\r\n> ');
    }
    match = /^AT\+CMGR=(\d+)$/.exec(upper);
    if (match) {
      const index = Number(match[1]);
      const slot = slots.get(index);
      if (!slot) return fail('CMS', 321);
      const lines = listEntry(index, slot, 'CMGR');
      slot.read = true;
      return respond(...lines);
    }
    if (/^AT\+CMGL(=.*)?$/.test(upper)) {
      const lines = [...slots.entries()].sort(([a], [b]) => a - b).flatMap(([index, slot]) => listEntry(index, slot, 'CMGL'));
      for (const slot of slots.values()) slot.read = true;
      return respond(...lines);
    }
    match = /^AT\+CMGD=(\d+)(?:,(\d))?$/.exec(upper);
    if (match) {
      if (match[2] === '4') slots.clear();
      else slots.delete(Number(match[1]));
      return respond();
    }
    return fail('CME', 4);
  }

  function receive(bytes: Buffer) {
    input = Buffer.concat([input, bytes]);
    for (;;) {
      if (prompt) {
        const end = input.findIndex((byte) => byte === CTRL_Z || byte === ESC);
        if (end < 0) return;
        const payload = input.subarray(0, end);
        const aborted = input[end] === ESC;
        input = input.subarray(end + 1);
        if (aborted) {
          prompt = null;
          setTimeout(respond, 30); // cancelling takes the modem a moment: its OK comes late
        } else {
          acceptSubmit(payload);
          prompt = null;
        }
        continue;
      }
      const end = input.indexOf(0x0d);
      if (end < 0) return;
      // A stray ESC (sent to cancel a prompt that was not open) is ignored, as modems do.
      const line = input.subarray(0, end).toString('latin1').replaceAll('\u001b', '').replaceAll('\n', '');
      input = input.subarray(end + 1);
      execute(line);
    }
  }

  /** Announces a stored slot as CNMI asks (+CMTI), or pushes it (+CMT) when mt=2. */
  function announce(index: number, slot: Omit<Slot, 'read'>) {
    if (newMessages === 1 && index > 0) emit(`\r\n+CMTI: "SM",${index}\r\n`);
    if (newMessages === 2) emit(`\r\n+CMT: ,${slot.tpduLength}\r\n${slot.pdu}\r\n`);
  }

  return {
    commands,
    slots: slots as ReadonlyMap<number, Readonly<Slot>>,
    sent,
    get attached() {
      return port !== null;
    },

    /** The network delivers an SMS: stored in the first free slot, announced when the host listens. */
    receiveSms(sms: { from: string; text: string; at: Date; concat?: { reference: number; total: number; sequence: number } }): number {
      const { pdu, tpduLength } = deliverPdu(sms);
      const slot = { pdu, tpduLength, from: sms.from, text: sms.text, at: sms.at };
      const index = newMessages === 2 ? 0 : store(slot);
      announce(index, slot);
      return index;
    },

    /** The SMSC reports on message reference `reference` (TP-ST 0: delivered), as CNMI's ds asks. */
    reportStatus(reference: number, recipient: string, status = 0) {
      const { pdu, tpduLength } = statusReportPdu({ reference, recipient, status, at: new Date() });
      if (reports === 1) return emit(`\r\n+CDS: ${tpduLength}\r\n${pdu}\r\n`);
      if (reports === 2) {
        const index = store({ pdu, tpduLength, from: recipient, text: '', at: new Date() });
        if (index > 0) emit(`\r\n+CDSI: "SM",${index}\r\n`);
      }
    },

    /** The next AT+CMGS is refused with `+CMS ERROR: <code>`; AT+CEER then gives `report`. */
    failNextSend(code: number | string, report: string) {
      refusal = { code: String(code), report };
    },

    /** Resolves with the next SMS the host sends (in the order they were sent). */
    nextSend(): Promise<FakeSentSms> {
      if (consumed < sent.length) return Promise.resolve(sent[consumed++]!);
      return new Promise((resolve) => waiting.push(resolve));
    },

    /** Left waiting at the `> ` prompt by a host that died mid-send: the next ESC is answered `OK`. */
    strandAtPrompt() {
      prompt = { kind: 'pdu', length: 0 };
    },

    /** Pulled out of the USB port: the open port errors (EIO), and it cannot be opened until plugged in. */
    unplug() {
      present = false;
      port?.wake();
    },
    plugIn() {
      present = true;
      powerUp();
    },

    /** The binding side: the host opened this modem's port. */
    attach(openOptions: OpenOptions): BindingPortInterface {
      if (!present) throw new Error(`Error: No such file or directory, cannot open ${openOptions.path}`);
      if (port) throw new Error(`Error: Resource temporarily unavailable, cannot lock port ${openOptions.path}`);
      const opened = createFakePort(openOptions, {
        present: () => present,
        receive,
        detach: () => {
          if (port === opened) port = null;
        },
      });
      port = opened;
      input = Buffer.alloc(0);
      return opened;
    },
  };
}

export type FakeModem = ReturnType<typeof createFakeModem>;
