/** The longest file name an upload may have (the seed: "no very long names"; DISCTEST29042014.csv is 20). */
export const MAX_FILE_NAME_LENGTH = 64;

const ALLOWED = /^[A-Za-z0-9._-]*$/;

/**
 * What is wrong with an uploaded file's name, one message per broken rule (none: it is fine). The
 * seed's rule: no spaces, no odd characters, not too long, a .csv file; so only letters, digits,
 * `.`, `_` and `-`, ending in `.csv` (any case), at most 64 characters.
 */
export function fileNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (!name) return ['The file has no name; give one such as DISCTEST29042014.csv'];
  if (/\s/.test(name)) problems.push(`The file name "${name}" has spaces; use letters, digits, '.', '_' or '-' only (e.g. DISCTEST29042014.csv)`);
  const odd = [...new Set([...name].filter((char) => !/\s/.test(char) && !ALLOWED.test(char)))];
  if (odd.length) problems.push(`The file name "${name}" has characters other than letters, digits, '.', '_' and '-': ${odd.join(' ')}`);
  if (name.length > MAX_FILE_NAME_LENGTH) problems.push(`The file name is ${name.length} characters long; at most ${MAX_FILE_NAME_LENGTH} are allowed`);
  if (!/\.csv$/i.test(name)) problems.push(`The file name "${name}" must end in .csv`);
  return problems;
}
