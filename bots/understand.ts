import { distance } from 'fastest-levenshtein';

/**
 * Understanding replies without a paid service: text is compared lower-cased, without accents or
 * punctuation, word by word, and a word may carry a typo or two (the longer the word, the more).
 */

/** Lower case, accents and punctuation removed, spaces collapsed: "¡Agénte, POR favor!" → "agente por favor". */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const words = (text: string) => (text ? text.split(' ') : []);

/** Typos forgiven in a word of this length: none up to 3 letters, one up to 6, then two. */
export function typosAllowed(length: number): number {
  return length <= 3 ? 0 : length <= 6 ? 1 : 2;
}

/** The typos between two words, or null when they are further apart than forgiven. */
function wordTypos(said: string, expected: string): number | null {
  if (said === expected) return 0;
  if (/^\d+$/.test(said) || /^\d+$/.test(expected)) return null; // numbers are never "close"
  const typos = distance(said, expected);
  return typos <= typosAllowed(expected.length) ? typos : null;
}

/**
 * How well a reply says a keyword or phrase: the total typos of the best place the phrase occurs in
 * the reply (`whole`: the reply must be the phrase and nothing else), or null when it does not.
 */
export function phraseTypos(normalizedReply: string, phrase: string, whole = false): number | null {
  const said = words(normalizedReply);
  const expected = words(normalizeText(phrase));
  if (!expected.length || said.length < expected.length || (whole && said.length !== expected.length)) return null;
  let best: number | null = null;
  for (let start = 0; start + expected.length <= said.length; start++) {
    let total: number | null = 0;
    for (let index = 0; index < expected.length && total !== null; index++) {
      const typos = wordTypos(said[start + index]!, expected[index]!);
      total = typos === null ? null : total + typos;
    }
    if (total !== null && (best === null || total < best)) best = total;
  }
  return best;
}

/** Whether any pattern matches the reply lower-cased without accents. */
export function matchesPattern(normalizedReply: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => new RegExp(pattern, 'iu').test(normalizedReply));
}

export type Candidate<T> = { value: T; keywords: readonly string[]; patterns?: readonly string[] };

/**
 * The candidate the reply names: an exact keyword wins, then a pattern, then the fewest typos. Two
 * candidates tied on typos is no answer (the bot asks again rather than guess).
 */
export function bestMatch<T>(normalizedReply: string, candidates: readonly Candidate<T>[], whole = false): T | null {
  let best: { value: T; typos: number } | null = null;
  let tied = false;
  for (const candidate of candidates) {
    let typos: number | null = null;
    for (const keyword of candidate.keywords) {
      const found = phraseTypos(normalizedReply, keyword, whole);
      if (found !== null && (typos === null || found < typos)) typos = found;
    }
    if (typos === null && candidate.patterns?.length && matchesPattern(normalizedReply, candidate.patterns)) typos = 0;
    if (typos === null) continue;
    if (!best || typos < best.typos) {
      best = { value: candidate.value, typos };
      tied = false;
    } else if (typos === best.typos && best.value !== candidate.value) {
      tied = true;
    }
  }
  return best && !tied ? best.value : null;
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  uno: 1,
  una: 1,
  dos: 2,
  tres: 3,
  cuatro: 4,
  cinco: 5,
  seis: 6,
  siete: 7,
  ocho: 8,
  nueve: 9,
  diez: 10,
  um: 1,
  duas: 2,
  tre: 3,
  quatro: 4,
  sete: 7,
  oito: 8,
  nove: 9,
  dez: 10,
};
const OPTION_PREFIXES = new Set(['option', 'opcion', 'opcao', 'opc', 'op', 'numero', 'number', 'nro', 'no', 'n']);

/** The option number a reply gives ("2", "2.", "option 2", "opción dos"), or null. */
export function optionNumber(normalizedReply: string): number | null {
  const said = words(normalizedReply);
  const rest = said.length === 2 && OPTION_PREFIXES.has(said[0]!) ? said.slice(1) : said;
  if (rest.length !== 1) return null;
  const [word] = rest as [string];
  if (/^\d{1,2}$/.test(word)) return Number(word);
  return NUMBER_WORDS[word] ?? null;
}
