import { z } from 'zod';
import type { ChannelSchemas } from '../channel-schemas.ts';

const tonNpi = z.number().int().min(0).max(255);

/**
 * An SMPP 3.4 bind to a carrier's or aggregator's SMSC (stored in `channels.settings`); the bind
 * password is a write-only secret. Every field is what the SMSC's account sheet lists.
 */
export const smppSettingsSchema = z
  .object({
    host: z.string().min(1, 'the SMSC host name or IP address'),
    port: z.number().int().min(1).max(65535).default(2775),
    /** SMPP over TLS (often port 3550 or 8775); plain TCP otherwise. */
    tls: z.boolean().default(false),
    /** Off only for an SMSC with a self-signed certificate you trust. */
    tlsVerifyCertificate: z.boolean().default(true),
    /** SMPP 3.4 allows 15 characters. */
    systemId: z.string().min(1).max(15),
    systemType: z.string().max(12).default(''),
    /** This adapter speaks SMPP 3.4 (the `smpp` package would otherwise announce 5.0). */
    interfaceVersion: z.literal(0x34).default(0x34),
    /** One transceiver bind, or a transmitter plus a receiver bind for SMSCs that want them apart. */
    bindMode: z.enum(['transceiver', 'transmitter_receiver']).default('transceiver'),
    /** address_range of the bind (rarely needed: the SMSC routes by account). */
    addressRange: z.string().max(40).default(''),
    /** The sender: a number or an alphanumeric sender id (max 11 characters); the channel address when absent. */
    sourceAddress: z.string().min(1).max(20).optional(),
    /** Guessed from the sender when absent: alphanumeric 5/0, international 1/1, short code 0/1. */
    sourceTon: tonNpi.optional(),
    sourceNpi: tonNpi.optional(),
    /** Destinations are sent as international digits without '+' (TON 1, NPI 1 = E.164). */
    destTon: tonNpi.default(1),
    destNpi: tonNpi.default(1),
    /**
     * How texts that fit GSM 03.38 travel: `gsm` = data_coding 0x00 (the SMSC default alphabet,
     * 160 characters); `latin1` = 0x03 for SMSCs whose default alphabet is not GSM. Anything else is
     * sent as UCS-2 (0x08, 70 characters).
     */
    dataCoding: z.enum(['gsm', 'latin1']).default('gsm'),
    /** Long texts: parts with a concatenation UDH, parts with sar_* TLVs, or one message_payload. */
    longMessages: z.enum(['udh', 'sar', 'payload']).default('udh'),
    /** registered_delivery: 1 = a receipt for every final outcome, 2 = on failure only, 0 = none. */
    registeredDelivery: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
    serviceType: z.string().max(5).default(''),
    enquireLinkSeconds: z.number().int().min(5).max(600).default(30),
    /** submit_sm awaiting their response at once (the SMSC's window). */
    windowSize: z.number().int().min(1).max(100).default(10),
    /** How long a request waits for its response before the send is retried. */
    responseTimeoutSeconds: z.number().int().min(2).max(300).default(30),
    /**
     * When the SMSC writes message ids differently in submit_sm_resp and in receipts (hex in one,
     * decimal in the other), both are compared as decimal.
     */
    messageIdFormat: z.enum(['as-is', 'submit-hex-receipt-decimal', 'submit-decimal-receipt-hex']).default('as-is'),
    /** A vendor TLV tag (e.g. 0x1501) that carries the SMSC's own id of inbound messages, if it sends one. */
    inboundIdTag: z.number().int().min(1).max(0xffff).optional(),
    /** Vendor-specific command_status values (0x400–0x4FF…) that mean "try again later". */
    retryableStatuses: z.array(z.number().int().min(0)).default([]),
  })
  .strict()
  .refine((settings) => !settings.sourceAddress || /^\+?\d+$/.test(settings.sourceAddress) || settings.sourceAddress.length <= 11, {
    message: 'an alphanumeric sender id has at most 11 characters',
    path: ['sourceAddress'],
  });

export const smppSecretsSchema = z.object({
  /** SMPP 3.4 allows 8 characters; some SMSCs accept longer ones. */
  password: z.string({ error: 'required: the bind password from the SMSC' }).min(1).max(64),
});

export type SmppSettings = z.infer<typeof smppSettingsSchema>;

/** Validated by the channel admin API; SMSC accounts commonly allow 50 submits per second or more. */
export const smppChannelSchemas: ChannelSchemas = {
  settings: smppSettingsSchema,
  secrets: smppSecretsSchema,
  webhooks: false,
  defaultSendsPerSecond: 50,
};
