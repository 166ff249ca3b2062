import { z } from 'zod';

/** A Twilio channel's settings (stored in `channels.settings`); the auth token is a write-only secret. */
export const twilioSettingsSchema = z
  .object({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID (AC followed by 32 hex characters)'),
    /** Send from this number (E.164)… */
    fromNumber: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550100')
      .optional(),
    /** …or through a Messaging Service, which picks the sender. */
    messagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG…)')
      .optional(),
  })
  .refine((settings) => settings.fromNumber || settings.messagingServiceSid, {
    message: 'set fromNumber or messagingServiceSid',
    path: ['fromNumber'],
  });

export const twilioSecretsSchema = z.object({
  authToken: z.string({ error: 'required: the Auth Token from the Twilio console' }).min(16, 'the Auth Token from the Twilio console'),
});

export type TwilioSettings = z.infer<typeof twilioSettingsSchema>;
