import { z } from 'zod';
import type { ChannelSchemas } from '../channel-schemas.ts';
import { parseDialString } from './dial-string.ts';

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * A Dinstar gateway (UC2000 / DWG, "New Version" HTTP API) reached over HTTP(S). The password and the
 * push token are write-only secrets.
 */
export const dinstarSettingsSchema = z
  .object({
    /** Where the gateway's web server answers, e.g. `https://192.168.1.50` (no path). */
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'the gateway address, such as https://192.168.1.50' })
      .refine((value) => !new URL(value).username && !new URL(value).password, 'no credentials in the address: use username and the password secret'),
    /** Gateways ship with self-signed certificates: accept them only when the admin says so. */
    allowSelfSigned: z.boolean().default(false),
    username: z.string({ error: 'required: the gateway web user (API enabled)' }).min(1, 'the gateway web user'),
    /** The gateway asks for Digest by default; Basic only where it is configured so. */
    authScheme: z.enum(['digest', 'basic']).default('digest'),
    /** Ports to rotate over (`0-3`, `2`, `0,2,5`); absent, the gateway picks a free port itself. */
    dialString: z
      .string()
      .refine((value) => parseDialString(value) !== null, 'ports 0-31 such as 0-3, 2 or 0,2,5')
      .optional(),
    /** `auto` picks GSM-7 when every character fits, else unicode (UCS-2). */
    encoding: z.enum(['auto', 'gsm-7bit', 'unicode']).default('auto'),
    requestStatusReport: z.boolean().default(true),
    /** How often the session asks for incoming SMS and sending results. */
    pollIntervalSeconds: z.number().min(0.1).max(3600).default(10),
    pollIncoming: z.boolean().default(true),
    pollResults: z.boolean().default(true),
    /** Results of messages sent this long ago are still asked for (delivery reports can lag). */
    resultLookbackMinutes: z.number().int().min(5).max(2880).default(180),
    /** The gateway's clock zone: `time_after` filters and SMS timestamps are in its local time. */
    gatewayTimeZone: z.string().refine(isTimeZone, 'an IANA time zone such as UTC or America/Montevideo').default('UTC'),
    /** Our number (or any label) per port, reported as the `to` of inbound SMS; else `port <n>`. */
    portNumbers: z.record(z.string().regex(/^([0-9]|[12][0-9]|3[01])$/, 'a port 0-31'), z.string().min(1)).default({}),
    requestTimeoutSeconds: z.number().min(1).max(120).default(15),
  })
  .strict();

export const dinstarSecretsSchema = z.object({
  password: z.string({ error: 'required: the password of the gateway web user' }).min(1, 'the password of the gateway web user'),
  /** Push mode only: the gateway proves its pushes with it (`?token=` or Basic credentials). */
  pushToken: z.string().min(16, 'at least 16 characters, e.g. from `openssl rand -hex 16`').optional(),
});

export type DinstarSettings = z.infer<typeof dinstarSettingsSchema>;
export type DinstarSecrets = z.infer<typeof dinstarSecretsSchema>;

/** No default pace: the gateway queues sends itself (`sms_in_queue`) and spreads them over its ports. */
export const dinstarChannelSchemas: ChannelSchemas = {
  settings: dinstarSettingsSchema,
  secrets: dinstarSecretsSchema,
};
