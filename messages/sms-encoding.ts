import segments from 'sms-segments-calculator';

export type SmsMeasure = { encoding: 'GSM-7' | 'UCS-2'; segments: number; characters: number; nonGsmCharacters: string[] };

/**
 * How a text travels as SMS: GSM-7 (extension characters such as `€ [ ] { }` count double) or UCS-2
 * when any character is outside GSM 03.38, and in how many segments (160/153 GSM-7, 70/67 UCS-2).
 * Twilio's own calculator does the counting.
 */
export function measureSms(text: string): SmsMeasure {
  const message = new segments.SegmentedMessage(text, 'auto');
  return {
    encoding: message.encodingName === 'UCS-2' ? 'UCS-2' : 'GSM-7',
    segments: message.segmentsCount,
    characters: message.numberOfCharacters,
    nonGsmCharacters: [...new Set(message.getNonGsmCharacters() as string[])],
  };
}

/** Encoding and segment count stored with each message (what an SMS costs). */
export function smsMeasure(body: string) {
  const { encoding, segments } = measureSms(body);
  return { encoding, segments };
}
