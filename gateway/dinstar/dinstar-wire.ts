import { z } from 'zod';

/**
 * The JSON the gateway sends (HTTP API "New Version", firmware >= 1102): replies to our queries and
 * the bodies it pushes. Numbers sometimes come as strings, so ids are coerced.
 */
const integer = z.coerce.number().int();
const text = z.union([z.string(), z.number()]).transform(String);

/** One received SMS: in `query_incoming_sms` replies and in `{ sms: [...] }` pushes. */
export const incomingSmsSchema = z.object({
  incoming_sms_id: integer.nonnegative(),
  port: integer.min(0),
  number: text,
  smsc: text.optional(),
  timestamp: z.string().optional(),
  text: z.string().default(''),
  imsi: text.optional(),
});

/** One sending result: `query_sms_result` and `{ sms_result: [...] }` pushes. */
export const smsResultSchema = z.object({
  port: integer.optional(),
  user_id: integer.optional(),
  number: text.optional(),
  time: z.string().optional(),
  status: z.string(),
  count: integer.optional(),
  succ_count: integer.optional(),
  ref_id: integer.optional(),
  imsi: text.optional(),
});

/** One status report of the network (3GPP TP-Status): 0 received, 32-63 temporary, 64-255 permanent. */
export const deliverStatusSchema = z.object({
  port: integer.optional(),
  user_id: integer.optional(),
  number: text.optional(),
  time: z.string().optional(),
  ref_id: integer.optional(),
  status_code: integer,
  imsi: text.optional(),
});

export type IncomingSms = z.infer<typeof incomingSmsSchema>;
export type SmsResult = z.infer<typeof smsResultSchema>;
export type DeliverStatus = z.infer<typeof deliverStatusSchema>;

/** Every reply carries `error_code` (202 accepted, 200 done, 4xx/5xx refused) and the gateway's serial. */
export const replySchema = z.object({
  error_code: integer,
  sn: z.string().optional(),
  /** Not documented: some firmware explains a refusal; kept when present. */
  reason: z.string().optional(),
});

export const sendReplySchema = replySchema.extend({ sms_in_queue: integer.optional(), task_id: integer.optional() });
export const incomingReplySchema = replySchema.extend({ sms: z.array(z.unknown()).default([]), read: integer.optional(), unread: integer.optional() });
export const resultReplySchema = replySchema.extend({ result: z.array(z.unknown()).default([]) });

/** A push: one of these keys per request (also `ussd`, `register`, `cdr`, `device`, which we ignore). */
export const pushSchema = z.object({
  sn: z.string().optional(),
  sms: z.array(z.unknown()).optional(),
  sms_result: z.array(z.unknown()).optional(),
  sms_deliver_status: z.array(z.unknown()).optional(),
});

/** The valid items of a list; one malformed item must not hide the others. */
export function validItems<T>(schema: z.ZodType<T>, items: readonly unknown[], onInvalid: (item: unknown, error: z.ZodError) => void): T[] {
  const valid: T[] = [];
  for (const item of items) {
    const parsed = schema.safeParse(item);
    if (parsed.success) valid.push(parsed.data);
    else onInvalid(item, parsed.error);
  }
  return valid;
}
