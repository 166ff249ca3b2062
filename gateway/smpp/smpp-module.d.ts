/**
 * Types for the parts of `smpp` 0.5.1 (farhadi/node-smpp, CommonJS, no bundled types) this adapter
 * uses, written from its lib/smpp.js, lib/pdu.js and lib/defs.js.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  /** A decoded PDU: header fields plus each body field and TLV by name (unknown TLV tags by number). */
  export class PDU {
    constructor(command: string, options?: Record<string, unknown>);
    constructor(buffer: Buffer);
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: any;
    isResponse(): boolean;
    /** The response PDU for this request (generic_nack for an unknown command). */
    response(options?: Record<string, unknown>): PDU;
    toBuffer(): Buffer;
  }

  export class Session extends EventEmitter {
    constructor(options: Record<string, unknown>);
    socket: Socket;
    /** False (and nothing sent) when the socket is not writable; a request's callback gets its response. */
    send(pdu: PDU, responseCallback?: (response: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  export function connect(options: Record<string, unknown>, listener?: () => void): Session;
  export function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;

  type KnownStatus =
    | 'ESME_ROK'
    | 'ESME_RINVCMDID'
    | 'ESME_RINVBNDSTS'
    | 'ESME_RSYSERR'
    | 'ESME_RINVDSTADR'
    | 'ESME_RBINDFAIL'
    | 'ESME_RINVPASWD'
    | 'ESME_RINVSYSID'
    | 'ESME_RMSGQFUL'
    | 'ESME_RINVSYSTYP'
    | 'ESME_RTHROTTLED'
    | 'ESME_RX_T_APPN';
  /** command_status values by name (ESME_ROK, ESME_RINVDSTADR…), SMPP 3.4 §5.1.3 plus 5.0 additions. */
  export const errors: Readonly<Record<string, number | undefined> & Record<KnownStatus, number>>;
  export const gsmCoder: {
    encode(text: string, table: number): Buffer;
    decode(bytes: Buffer, table: number): string;
  };
  /** TLV definitions by tag; a PDU holds a known TLV under its name, an unknown one under its tag number. */
  export const tlvsById: Record<number, { tag: string } | undefined>;
  export const encodings: Record<'ASCII' | 'LATIN1' | 'UCS2', { match(text: string): boolean; encode(text: string): Buffer; decode(bytes: Buffer): string }>;

  const smpp: {
    PDU: typeof PDU;
    Session: typeof Session;
    Server: typeof Server;
    connect: typeof connect;
    createServer: typeof createServer;
    errors: typeof errors;
    gsmCoder: typeof gsmCoder;
    encodings: typeof encodings;
    tlvsById: typeof tlvsById;
  };
  export default smpp;
}
