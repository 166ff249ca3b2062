import type { SendResult } from '../channel.ts';
import { readJsonPath, scalarText } from './json-path.ts';
import type { Condition, Extractor, ResponseSettings, StatusPattern } from './http-generic-settings.ts';

/** What the provider answered: the HTTP status and the body as text (JSON is parsed on demand). */
export type ProviderAnswer = { status: number; text: string };

/** The outcome before secrets are redacted; `providerMessageId` is undefined when the answer held none. */
export type MappedAnswer = (SendResult & { ok: false }) | { ok: true; providerMessageId: string | undefined };

export function statusMatches(patterns: readonly StatusPattern[], status: number): boolean {
  return patterns.some((pattern) => {
    if (typeof pattern === 'number') return pattern === status;
    if (pattern.endsWith('xx')) return Math.floor(status / 100) === Number(pattern[0]);
    const [low, high] = pattern.split('-').map(Number);
    return status >= low! && status <= high!;
  });
}

/** Reads a provider's answer through the channel's response mapping. */
export function createAnswerReader(settings: ResponseSettings) {
  const regexes = new Map<string, RegExp>();
  const regexOf = (source: string, flags = '') => {
    const key = `${flags}/${source}`;
    let regex = regexes.get(key);
    if (!regex) {
      regex = new RegExp(source, flags);
      regexes.set(key, regex);
    }
    return regex;
  };

  return function read(answer: ProviderAnswer): MappedAnswer {
    let parsed: { json: unknown } | undefined;
    const json = () => {
      if (!parsed) {
        try {
          parsed = { json: JSON.parse(answer.text) };
        } catch {
          parsed = { json: undefined };
        }
      }
      return parsed.json;
    };
    const extract = (extractor: Extractor | undefined): string | undefined => {
      if (!extractor) return undefined;
      let value: string | undefined;
      if (extractor.path !== undefined) {
        const found = readJsonPath(json(), extractor.path);
        value = scalarText(found) ?? (found !== undefined && found !== null ? JSON.stringify(found) : undefined);
      } else {
        const match = regexOf(extractor.regex!, extractor.flags).exec(answer.text);
        value = match ? (match[1] ?? match[0]) : undefined;
      }
      return value?.trim() || undefined;
    };
    const holds = (condition: Condition) => {
      if (condition.regex !== undefined) return regexOf(condition.regex, condition.flags).test(answer.text);
      const value = readJsonPath(json(), condition.path!);
      if (condition.equals === undefined) return value !== undefined && value !== null && value !== '';
      return scalarText(value) === String(condition.equals);
    };

    const statusOk = statusMatches(settings.successStatuses, answer.status);
    if (statusOk && (!settings.successWhen || holds(settings.successWhen))) {
      return { ok: true, providerMessageId: extract(settings.messageId) };
    }
    const errorCode = extract(settings.errorCode) ?? (statusOk ? 'refused' : `http_${answer.status}`);
    const snippet = answer.text.replace(/\s+/g, ' ').trim().slice(0, 200);
    const errorMessage = extract(settings.errorMessage) ?? (snippet ? `HTTP ${answer.status}: ${snippet}` : `HTTP ${answer.status}`);
    let retryable: boolean;
    if (settings.retryableErrorCodes.includes(errorCode)) retryable = true;
    else if (settings.permanentErrorCodes.includes(errorCode)) retryable = false;
    else retryable = !statusOk && statusMatches(settings.retryableStatuses, answer.status);
    return { ok: false, errorCode, errorMessage, retryable };
  };
}
