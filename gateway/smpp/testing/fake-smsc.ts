import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';

/** One submit_sm as the fake SMSC read it (the `smpp` package's own decoding, independent of the adapter's encoder). */
export type SubmittedPart = {
  to: string;
  destTon: number;
  destNpi: number;
  from: string;
  sourceTon: number;
  sourceNpi: number;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  udh: Buffer[];
  /** The user data after the UDH as the `smpp` package decodes it by data_coding (latin1 for a binary one). */
  text: string;
  sar?: { reference: number; total: number; sequence: number };
  payload: boolean;
  messageId?: string;
};

/** A whole message the SMSC took (its parts joined), with the id of its last part. */
export type SubmittedMessage = { to: string; text: string; messageId: string; parts: SubmittedPart[] };

/** data_coding and octets a handset would use for a text. */
export function encodeForHandset(text: string): { data_coding: number; short_message: Buffer } {
  return smpp.encodings.ASCII.match(text)
    ? { data_coding: 0x00, short_message: smpp.gsmCoder.encode(text, 0x00) }
    : { data_coding: 0x08, short_message: Buffer.from(text, 'utf16le').swap16() };
}

type Peer = { session: Session; bound?: string };

export type FakeSmsc = Awaited<ReturnType<typeof startFakeSmsc>>;

/**
 * An in-process SMSC speaking real SMPP over TCP or TLS (the `smpp` package's server): checks bind
 * credentials, answers submit_sm with ids, and on request refuses, throttles, holds answers,
 * ignores enquire_link, delivers messages and receipts, or drops every connection.
 */
export async function startFakeSmsc(credentials: { systemId: string; password: string }, options: { tls?: { key: string; cert: string } } = {}) {
  const peers = new Set<Peer>();
  const binds: { command: string; systemId: string; interfaceVersion: number; accepted: boolean }[] = [];
  const submitted: SubmittedPart[] = [];
  const refusals: { status: number; text?: string }[] = [];
  const held: (() => void)[] = [];
  const completed: SubmittedMessage[] = [];
  const waiters: ((message: SubmittedMessage) => void)[] = [];
  const partials = new Map<string, SubmittedPart[]>();
  let nextId = 0x3e8a0;
  const state = { unbinds: 0, outstanding: 0, maxOutstanding: 0, holding: false, ignoreEnquireLinks: false, deliverAnswers: 0 };

  const complete = (message: SubmittedMessage) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else completed.push(message);
  };

  /** Joins parts per destination and reference, like a handset would. */
  function collect(part: SubmittedPart) {
    const concat = part.udh.find((element) => element[0] === 0x00);
    const position = concat ? { reference: concat[2]!, total: concat[3]!, sequence: concat[4]! } : part.sar;
    if (!position) return complete({ to: `+${part.to}`, text: part.text, messageId: part.messageId!, parts: [part] });
    const key = `${part.to}:${position.reference}`;
    const parts = [...(partials.get(key) ?? []), part];
    partials.set(key, parts);
    if (parts.length < position.total) return;
    partials.delete(key);
    const sequence = (p: SubmittedPart) => p.sar?.sequence ?? p.udh.find((element) => element[0] === 0x00)![4]!;
    parts.sort((a, b) => sequence(a) - sequence(b));
    complete({ to: `+${part.to}`, text: parts.map((p) => p.text).join(''), messageId: parts.at(-1)!.messageId!, parts });
  }

  function read(pdu: PDU): SubmittedPart {
    const payload = pdu.message_payload !== undefined && pdu.message_payload !== null;
    const body = (payload ? pdu.message_payload : pdu.short_message) as { udh?: Buffer[]; message: string | Buffer };
    const udh = body.udh ?? [];
    return {
      to: pdu.destination_addr,
      destTon: pdu.dest_addr_ton,
      destNpi: pdu.dest_addr_npi,
      from: pdu.source_addr,
      sourceTon: pdu.source_addr_ton,
      sourceNpi: pdu.source_addr_npi,
      esmClass: pdu.esm_class,
      dataCoding: pdu.data_coding,
      registeredDelivery: pdu.registered_delivery,
      udh,
      text: typeof body.message === 'string' ? body.message : body.message.toString('latin1'),
      sar:
        typeof pdu.sar_total_segments === 'number'
          ? { reference: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, sequence: pdu.sar_segment_seqnum }
          : undefined,
      payload,
    };
  }

  /**
   * A refusal with a text: SMPP 3.4 sends an error response without a body, SMPP 5.0 SMSCs add the
   * additional_status_info_text TLV. The `smpp` package writes no body for a non-zero status, so
   * the status is patched into the header of a response built with status 0.
   */
  function refuse(session: Session, pdu: PDU, refusal: { status: number; text?: string }) {
    if (!refusal.text) return session.send(pdu.response({ command_status: refusal.status }));
    const bytes = new smpp.PDU('submit_sm_resp', {
      sequence_number: pdu.sequence_number,
      message_id: '',
      additional_status_info_text: refusal.text,
    }).toBuffer();
    bytes.writeUInt32BE(refusal.status, 8);
    session.socket.write(bytes);
  }

  function onSession(session: Session) {
    const peer: Peer = { session };
    peers.add(peer);
    session.on('error', () => {}); // a client that vanishes mid-write
    session.on('close', () => peers.delete(peer));
    for (const command of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
      session.on(command, (pdu: PDU) => {
        const accepted = pdu.system_id === credentials.systemId && pdu.password === credentials.password;
        binds.push({ command, systemId: pdu.system_id, interfaceVersion: pdu.interface_version, accepted });
        if (!accepted) {
          const status = pdu.system_id === credentials.systemId ? smpp.errors.ESME_RINVPASWD : smpp.errors.ESME_RINVSYSID;
          return session.send(pdu.response({ command_status: status }));
        }
        peer.bound = command;
        session.send(pdu.response({ system_id: 'FAKESMSC' }));
      });
    }
    session.on('enquire_link', (pdu: PDU) => {
      if (!state.ignoreEnquireLinks) session.send(pdu.response());
    });
    session.on('unbind', (pdu: PDU) => {
      state.unbinds++;
      peer.bound = undefined;
      session.send(pdu.response());
    });
    session.on('submit_sm', (pdu: PDU) => {
      const part = read(pdu);
      submitted.push(part);
      const refusal = refusals.shift();
      state.outstanding++;
      state.maxOutstanding = Math.max(state.maxOutstanding, state.outstanding);
      const answer = () => {
        state.outstanding--;
        if (refusal && refusal.status !== 0) return refuse(session, pdu, refusal);
        part.messageId = (nextId++).toString(16);
        session.send(pdu.response({ message_id: part.messageId }));
        collect(part);
      };
      if (state.holding) held.push(answer);
      else answer();
    });
  }

  const server = smpp.createServer(options.tls ?? {}, onSession);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  /** The bound session that may carry deliver_sm (a transceiver or a receiver), waiting for one. */
  async function receiverSession(): Promise<Session> {
    for (let waited = 0; waited < 20_000; waited += 20) {
      const peer = [...peers].find((p) => p.bound === 'bind_transceiver' || p.bound === 'bind_receiver');
      if (peer) return peer.session;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('no bound receiver on the fake SMSC');
  }

  /** A request and its answer; `extraTlvs` appends TLVs the `smpp` package has no name for (vendor tags). */
  function request(session: Session, command: string, options: Record<string, unknown>, extraTlvs: { tag: number; value: Buffer }[] = []): Promise<PDU> {
    const pdu = new smpp.PDU(command, options);
    if (extraTlvs.length > 0) {
      const encode = pdu.toBuffer.bind(pdu);
      pdu.toBuffer = () => {
        const tlvs = extraTlvs.map(({ tag, value }) => Buffer.concat([Buffer.from([tag >> 8, tag & 0xff, value.length >> 8, value.length & 0xff]), value]));
        const bytes = Buffer.concat([encode(), ...tlvs]);
        bytes.writeUInt32BE(bytes.length, 0);
        return bytes;
      };
    }
    return new Promise((resolve, reject) => {
      if (!session.send(pdu, resolve)) reject(new Error('the fake SMSC could not write'));
    });
  }

  return {
    port,
    binds,
    submitted,
    state,
    get boundCount() {
      return [...peers].filter((peer) => peer.bound).length;
    },
    get connectionCount() {
      return peers.size;
    },
    get held() {
      return held.length;
    },
    /** Answers the next submit_sm with this command_status (and text, as a TLV); status 0 queues an acceptance. */
    refuseNext(refusal: { status: number; text?: string }, times = 1) {
      for (let i = 0; i < times; i++) refusals.push(refusal);
    },
    /** Holds every submit_sm answer until `releaseHeld`. */
    hold() {
      state.holding = true;
    },
    releaseHeld(options: { stopHolding?: boolean } = {}) {
      if (options.stopHolding) state.holding = false;
      for (const answer of held.splice(0)) answer();
    },
    ignoreEnquireLinks(ignore = true) {
      state.ignoreEnquireLinks = ignore;
    },
    /** The next message the SMSC took, whole. */
    nextMessage(): Promise<SubmittedMessage> {
      const ready = completed.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiters.push(resolve));
    },
    /** Sends a deliver_sm to the bound client and resolves with the command_status of its answer. */
    async deliver(options: Record<string, unknown>, extraTlvs: { tag: number; value: Buffer }[] = []): Promise<number> {
      const session = await receiverSession();
      const response = await request(
        session,
        'deliver_sm',
        { source_addr_ton: 1, source_addr_npi: 1, dest_addr_ton: 1, dest_addr_npi: 1, ...options },
        extraTlvs,
      );
      state.deliverAnswers++;
      return response.command_status;
    },
    /** A customer's text as an SMSC delivers it: GSM 03.38 unpacked (data_coding 0) when it fits, else UCS-2. */
    deliverText(from: string, text: string, options: Record<string, unknown> = {}) {
      return this.deliver({ source_addr: from, destination_addr: '59899000111', ...encodeForHandset(text), ...options });
    },
    /** A delivery receipt for a message id, with the standard TLVs and/or the Appendix B text. */
    deliverReceipt(messageId: string, report: { stat: string; err?: string; messageState?: number; text?: boolean; tlvs?: boolean; to?: string }) {
      const text = `id:${messageId} sub:001 dlvrd:${report.stat === 'DELIVRD' ? '001' : '000'} submit date:2511241200 done date:2511241201 stat:${report.stat} err:${report.err ?? '000'} text:`;
      return this.deliver({
        source_addr: report.to ?? '59899246810',
        destination_addr: '59899000111',
        esm_class: 0x04,
        data_coding: 0,
        short_message: report.text === false ? Buffer.alloc(0) : Buffer.from(text, 'ascii'),
        ...(report.tlvs === false
          ? {}
          : { receipted_message_id: messageId, ...(report.messageState === undefined ? {} : { message_state: report.messageState }) }),
      });
    },
    /** The SMSC's own enquire_link; resolves with the client's answer status. */
    async enquireLink(): Promise<number> {
      const session = await receiverSession();
      return (await request(session, 'enquire_link', {})).command_status;
    },
    /** The SMSC ends the bind (maintenance): resolves with the client's unbind_resp status. */
    async unbindClient(): Promise<number> {
      const session = await receiverSession();
      const status = (await request(session, 'unbind', {})).command_status;
      for (const peer of peers) if (peer.session === session) peer.bound = undefined;
      return status;
    },
    /** Cuts every connection, as a network failure or an SMSC restart would. */
    dropConnections() {
      for (const peer of peers) peer.session.destroy();
    },
    async close() {
      for (const peer of peers) peer.session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
