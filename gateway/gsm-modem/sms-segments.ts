import { gsmSeptets } from './gsm-alphabet.ts';

/** One SMS of a text: its characters, and for GSM-7 its septets. */
export type SmsSegment = { text: string; septets: number[] | null };
export type SegmentedText = { encoding: 'gsm7' | 'ucs2'; segments: SmsSegment[] };

/** One SMS carries 160 GSM-7 septets or 70 UCS-2 units; a part of a long one 153 or 67 (the UDH takes the rest). */
const SINGLE = { gsm7: 160, ucs2: 70 } as const;
const PART = { gsm7: 153, ucs2: 67 } as const;

/**
 * Splits a text into the SMS that carry it: GSM-7 when every character fits the default alphabet,
 * else UCS-2. A part never ends between an escape and its extension character, nor between the two
 * halves of a surrogate pair (an emoji), so every part decodes on its own.
 */
export function segmentText(text: string): SegmentedText {
  const septets = gsmSeptets(text);
  if (septets) {
    if (septets.length <= SINGLE.gsm7) return { encoding: 'gsm7', segments: [{ text, septets }] };
    const segments: SmsSegment[] = [];
    let current: { text: string; septets: number[] } = { text: '', septets: [] };
    for (const char of text) {
      const own = gsmSeptets(char)!;
      if (current.septets.length + own.length > PART.gsm7) {
        segments.push(current);
        current = { text: '', septets: [] };
      }
      current.text += char;
      current.septets.push(...own);
    }
    segments.push(current);
    return { encoding: 'gsm7', segments };
  }
  if (text.length <= SINGLE.ucs2) return { encoding: 'ucs2', segments: [{ text, septets: null }] };
  const segments: SmsSegment[] = [];
  let current = '';
  for (const char of text) {
    // `char` is a whole code point: 1 UTF-16 unit, or 2 for an emoji (a surrogate pair).
    if (current.length + char.length > PART.ucs2) {
      segments.push({ text: current, septets: null });
      current = '';
    }
    current += char;
  }
  segments.push({ text: current, septets: null });
  return { encoding: 'ucs2', segments };
}
