import { z } from 'zod';
import type { ChannelSchemas } from '../channel-schemas.ts';

/** Modem names as the seed's web service addresses them (`device=dongle0`) and dial strings pick them. */
const MODEM_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

/** One GSM modem (USB dongle) of the pool, driven by AT commands over its serial port. */
export const modemSchema = z
  .object({
    /** `dongle0`, `dongle1`…: what a dial string or `device=` picks, and what the console shows. */
    name: z.string().regex(MODEM_NAME, 'a name such as dongle0 (letters, digits, - and _)'),
    /** The serial device; prefer the stable `/dev/serial/by-id/usb-…-if00-port0` over `/dev/ttyUSB0`. */
    path: z.string({ error: 'required: the serial device, e.g. /dev/serial/by-id/usb-HUAWEI_…-if00-port0' }).min(1),
    /** USB modems ignore it; real RS-232 modems need their configured rate. */
    baudRate: z.number().int().min(300).max(4_000_000).default(115_200),
    /** The SIM's own number (E.164), reported as the `to` of what it receives; else the modem's name. */
    simNumber: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +59899123456')
      .optional(),
    /** `pdu` (default) sends Unicode, long (concatenated) texts and asks for delivery reports; `text` sends one GSM-7 SMS. */
    mode: z.enum(['pdu', 'text']).default('pdu'),
    /** Where received SMS are kept until stored here: the SIM (`SM`), the modem (`ME`) or both (`MT`). */
    storage: z.enum(['SM', 'ME', 'MT']).default('SM'),
  })
  .strict();

/** A gsm_modem channel: a pool of modems; a send goes to the one its dial string names, else the next ready one. */
export const modemSettingsSchema = z
  .object({
    modems: z.array(modemSchema).min(1, 'at least one modem, e.g. { "name": "dongle0", "path": "/dev/ttyUSB0" }').max(64),
  })
  .strict()
  .superRefine((settings, context) => {
    const seen = new Set<string>();
    settings.modems.forEach((modem, index) => {
      if (seen.has(modem.name)) context.addIssue({ code: 'custom', path: ['modems', index, 'name'], message: `the name ${modem.name} is used twice` });
      seen.add(modem.name);
    });
  });

/** SIM PINs are write-only secrets, one per modem that needs one: `pin_dongle0: "1234"`. */
export const modemSecretsSchema = z.record(
  z.string().regex(/^pin_[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'a SIM PIN is stored as pin_<modem name>, e.g. pin_dongle0'),
  z.string().regex(/^\d{4,8}$/, 'a SIM PIN is 4 to 8 digits'),
);

export type ModemConfig = z.infer<typeof modemSchema>;
export type ModemSettings = z.infer<typeof modemSettingsSchema>;

/** The PIN configured for a modem, if any (never logged). */
export const modemPin = (secrets: Record<string, string>, name: string): string | undefined => secrets[`pin_${name}`];

/** No default pace: each modem sends one SMS at a time and the network's answer paces it. */
export const modemChannelSchemas: ChannelSchemas = {
  settings: modemSettingsSchema,
  secrets: modemSecretsSchema,
  webhooks: false,
};
