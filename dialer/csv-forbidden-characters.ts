/**
 * Printable characters refused in the variable fields of a spool upload (message, device, idm, data):
 * the seed's "´ ‘ “ @ etc" made precise. Typographic quotes and spacing accents have no GSM-7 code
 * (one of them turns a whole SMS into UCS-2, 70 characters a part instead of 160) and old gateways
 * mangle them; `@` is GSM-7's code 0, which gateways that speak C strings read as the end of the text.
 * Control characters are refused too (see isForbiddenCharacter): tab, CR, DEL, C1, line separators.
 */
export const FORBIDDEN_CHARACTERS = '`´¨‘’‚‛“”„‟@';

const PRINTABLE = new Set([...FORBIDDEN_CHARACTERS].map((char) => char.codePointAt(0)!));

/** A C0 or C1 control character, DEL, or the line and paragraph separators U+2028/U+2029. */
export function isControlCharacter(codePoint: number): boolean {
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f) || codePoint === 0x2028 || codePoint === 0x2029;
}

/** Whether a code point is refused in a variable field: one of FORBIDDEN_CHARACTERS or a control character. */
export function isForbiddenCharacter(codePoint: number): boolean {
  return isControlCharacter(codePoint) || PRINTABLE.has(codePoint);
}

/** A character as an issue shows it: itself when printable, else its code (a tab is invisible in a message). */
export function showCharacter(codePoint: number): string {
  if (PRINTABLE.has(codePoint)) return codePoint === 0x60 ? '` (backtick)' : String.fromCodePoint(codePoint);
  const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return codePoint === 0x09 ? `tab (${code})` : `control character ${code}`;
}

/** The characters of a text that `refused` matches, each once, in order of appearance. */
export function charactersIn(text: string, refused: (codePoint: number) => boolean = isForbiddenCharacter): number[] {
  const found = new Set<number>();
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (refused(codePoint)) found.add(codePoint);
  }
  return [...found];
}

/**
 * Bytes of UTF-8 text that may begin a refused character: C0 controls, `@`, backtick, DEL, and the
 * lead bytes 0xC2 (U+0080–U+00BF: C1 controls, ´ ¨) and 0xE2 (U+2000–U+2FFF: quotes, separators).
 * A byte scan flags a field by these and decodes only the flagged field.
 */
export const MAY_BE_FORBIDDEN: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let byte = 0; byte < 0x20; byte++) table[byte] = 1;
  for (const byte of [0x40, 0x60, 0x7f, 0xc2, 0xe2]) table[byte] = 1;
  return table;
})();
