import { z } from 'zod';
import type { OutboundContent } from '../db/schema/index.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const optionId = z.string().trim().min(1).max(200);

/**
 * Rich content as the console and the web service may send it, with WhatsApp's limits (reply buttons:
 * at most 3, titles of 20 characters; lists: a 20-character button, at most 10 rows, row titles of 24
 * and descriptions of 72 characters; headers and footers of 60), so a refusal happens here, named,
 * rather than at the provider after the message looked sent.
 */
export const outboundContentSchema: z.ZodType<OutboundContent> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('template'),
    name: z
      .string()
      .trim()
      .regex(/^[a-z0-9_]{1,512}$|^HX[0-9a-f]{32}$/, 'an approved template name (lowercase, digits, _) or a Twilio Content SID (HX…)'),
    language: z
      .string()
      .trim()
      .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a template language code such as es or en_US'),
    bodyParameters: z.array(z.string().max(1024)).max(20).default([]),
    headerParameters: z.array(z.string().max(60)).max(1).optional(),
  }),
  z.object({
    type: z.literal('buttons'),
    buttons: z
      .array(z.object({ id: optionId, title: text(20) }))
      .min(1)
      .max(3, 'WhatsApp shows at most 3 reply buttons')
      .refine((buttons) => new Set(buttons.map((button) => button.id)).size === buttons.length, 'button ids must be unique'),
    header: text(60).optional(),
    footer: text(60).optional(),
  }),
  z.object({
    type: z.literal('list'),
    button: text(20),
    sections: z
      .array(z.object({ title: text(24).optional(), rows: z.array(z.object({ id: optionId, title: text(24), description: text(72).optional() })).min(1) }))
      .min(1)
      .max(10)
      .refine((sections) => sections.flatMap((section) => section.rows).length <= 10, 'WhatsApp lists hold at most 10 rows in all')
      .refine((sections) => {
        const ids = sections.flatMap((section) => section.rows.map((row) => row.id));
        return new Set(ids).size === ids.length;
      }, 'row ids must be unique'),
    header: text(60).optional(),
    footer: text(60).optional(),
  }),
]);

/** The options a customer can answer with, in order: what a numbered reply ("2") refers to. */
export function contentOptions(content: OutboundContent | null | undefined): { id: string; title: string }[] {
  if (content?.type === 'buttons') return content.buttons;
  if (content?.type === 'list') return content.sections.flatMap((section) => section.rows);
  return [];
}

/**
 * The message as plain text, for channels that cannot show buttons or lists (SMS, WhatsApp Web):
 * the options are numbered so the customer can answer with a number.
 */
export function plainText(body: string, content: OutboundContent | null | undefined): string {
  if (!content || content.type === 'template') return body;
  const options = contentOptions(content).map((option, index) => `${index + 1}. ${option.title}`);
  return [content.header, body, options.join('\n'), content.footer].filter(Boolean).join('\n\n');
}
