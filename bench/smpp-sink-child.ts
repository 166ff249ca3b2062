/**
 * The SMSC both sides of the `smpp` benchmark send to, alone in its own process so it never shares
 * an event loop with what is measured: `node bench/smpp-sink-child.ts` (forked with an IPC channel).
 * It accepts every bind, answers every submit_sm at once with a submit_sm_resp carrying a fresh
 * message id (the answers of one read go out in one write), answers enquire_link and unbind, and
 * keeps each message's destination and text to tell N distinct messages from losses and duplicates.
 *
 * IPC: it sends `{ type: 'ready', port }` once listening; each `{ id, op }` request is answered with
 * `{ id, ... }`: `reset` (forget everything), `counts`, `watch` (`{ distinct }`: answered once that
 * many distinct messages arrived, with the time of the one that made the count, as
 * `performance.timeOrigin + performance.now()`).
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import smpp, { type PDU, type Session } from 'smpp';

type Request = { id: number; op: 'reset' | 'counts' | 'watch'; distinct?: number };

const now = () => performance.timeOrigin + performance.now();

let keys = new Set<string>();
let submits = 0;
let firstAt: number | null = null;
let lastAt: number | null = null;
let binds = 0;
let enquireLinks = 0;
let nextId = 1;
let watch: { id: number; distinct: number } | null = null;
const sessions = new Set<Session>();

function counts() {
  const cpu = process.cpuUsage();
  return {
    submits,
    distinct: keys.size,
    duplicates: submits - keys.size,
    binds,
    enquireLinks,
    connections: sessions.size,
    firstAt,
    lastAt,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

function checkWatch() {
  if (watch && keys.size >= watch.distinct) {
    process.send!({ id: watch.id, at: lastAt, ...counts() });
    watch = null;
  }
}

/** The text of a submit_sm as the `smpp` package decoded it (short_message, or message_payload). */
function textOf(pdu: PDU): string {
  const body = (pdu.message_payload ?? pdu.short_message) as { message?: string | Buffer } | Buffer | string | undefined;
  const message = body && typeof body === 'object' && !Buffer.isBuffer(body) ? body.message : body;
  return message === undefined ? '' : typeof message === 'string' ? message : message.toString('latin1');
}

function onSession(session: Session) {
  sessions.add(session);
  session.on('error', () => {}); // a client that goes away mid-write
  session.on('close', () => sessions.delete(session));
  // Answers of one read leave in one write: far fewer syscalls at a window of 100.
  let pending: Buffer[] = [];
  const flush = () => {
    const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    if (session.socket.writable) session.socket.write(out);
  };
  const answer = (pdu: PDU) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(pdu.toBuffer());
  };
  for (const command of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
    session.on(command, (pdu: PDU) => {
      binds++;
      answer(pdu.response({ system_id: 'BENCHSINK' }));
    });
  }
  session.on('enquire_link', (pdu: PDU) => {
    enquireLinks++;
    answer(pdu.response());
  });
  session.on('unbind', (pdu: PDU) => answer(pdu.response()));
  session.on('submit_sm', (pdu: PDU) => {
    submits++;
    lastAt = now();
    firstAt ??= lastAt;
    keys.add(`${pdu.destination_addr}\u0000${textOf(pdu)}`);
    answer(pdu.response({ message_id: (nextId++).toString(16) }));
    if (watch) checkWatch();
  });
}

const server = smpp.createServer({}, onSession);
server.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'ready', port: (server.address() as AddressInfo).port });
});

process.on('message', (request: Request) => {
  if (request.op === 'reset') {
    keys = new Set();
    submits = 0;
    firstAt = null;
    lastAt = null;
    binds = 0;
    enquireLinks = 0;
    watch = null;
    process.send!({ id: request.id });
  } else if (request.op === 'counts') {
    process.send!({ id: request.id, ...counts() });
  } else if (request.op === 'watch') {
    watch = { id: request.id, distinct: request.distinct! };
    checkWatch();
  }
});
// The parent went away (or closed the channel): nothing more to serve.
process.on('disconnect', () => {
  for (const session of sessions) session.destroy();
  server.close();
  process.exit(0);
});
