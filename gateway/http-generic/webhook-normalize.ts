import { createHash, randomUUID } from 'node:crypto';
import { normalizeProviderAddress } from '../phone-number.ts';
import { InvalidPayloadError, type ChannelRow, type InboundMessage, type StatusReport, type WebhookContent, type WebhookRequest } from '../channel.ts';
import { readField, scalarText } from './json-path.ts';
import type { InboundSettings } from './http-generic-settings.ts';

/** A provider time: epoch seconds or milliseconds (13+ digits), or a date string (UTC when it names no zone). */
export function parseProviderTime(raw: string | undefined, now = new Date()): Date {
  if (!raw) return now;
  const value = raw.trim();
  if (/^\d+(\.\d+)?$/.test(value)) {
    const number = Number(value);
    return new Date(value.split('.')[0]!.length >= 13 ? number : number * 1000);
  }
  const zoneless = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value);
  const parsed = new Date(zoneless ? `${value.replace(' ', 'T')}Z` : value);
  return Number.isNaN(parsed.getTime()) ? now : parsed;
}

/**
 * Reads a provider's webhook through the channel's field mapping: each item (the body, or each
 * element at `itemsPath`) is a delivery report when it matches `statusReports.when`, else an
 * inbound message. Fields of a single-item call fall back to the query string, for providers that
 * put their parameters in the URL.
 */
export function createWebhookReader(row: Pick<ChannelRow, 'id' | 'address' | 'defaultCountry'>, inbound: InboundSettings) {
  const statusMap = new Map(Object.entries(inbound.statusReports?.map ?? {}).map(([key, value]) => [key.toLowerCase(), value]));

  const address = (value: string) => {
    const trimmed = value.trim();
    const withPlus = inbound.numbersWithoutPlus && /^\d+$/.test(trimmed) ? `+${trimmed}` : trimmed;
    // An alphanumeric sender (a bank, a short name) has no number to normalize: kept as sent.
    return /\d/.test(withPlus) ? normalizeProviderAddress(withPlus, row.defaultCountry) : trimmed;
  };

  return function read(request: WebhookRequest): WebhookContent {
    const body = request.body ?? {};
    let items: { item: unknown; query: boolean }[];
    if (inbound.itemsPath) {
      const list = readField(body, inbound.itemsPath);
      if (!Array.isArray(list)) throw new InvalidPayloadError(`expected a list at ${inbound.itemsPath}`);
      items = list.map((item) => ({ item, query: false }));
    } else {
      items = [{ item: body, query: true }];
    }
    const messages: InboundMessage[] = [];
    const statuses: StatusReport[] = [];
    for (const { item, query } of items) {
      const raw = (path: string) => readField(item, path) ?? (query ? readField(request.query, path) : undefined);
      const field = (path: string | undefined) => (path === undefined ? undefined : scalarText(raw(path)));
      const reports = inbound.statusReports;
      if (reports && matches(reports.when, raw(reports.when.path))) {
        const id = field(reports.id);
        if (!id) throw new InvalidPayloadError(`a delivery report without its message id (${reports.id})`);
        const status = statusMap.get((field(reports.status) ?? '').trim().toLowerCase());
        if (!status) continue; // queued, accepted, buffered…: nothing new to record
        const errorCode = status === 'failed' ? field(reports.errorCode) : undefined;
        const errorMessage = status === 'failed' ? (field(reports.errorMessage) ?? (errorCode ? `Provider error ${errorCode}` : undefined)) : undefined;
        statuses.push({ providerMessageId: id, status, errorCode, errorMessage, at: parseProviderTime(field(reports.timestamp)) });
        continue;
      }
      const fields = inbound.messages;
      if (!fields) continue;
      const fromRaw = field(fields.from);
      if (!fromRaw?.trim()) throw new InvalidPayloadError(`an inbound message without its sender (${fields.from})`);
      const from = address(fromRaw);
      const toRaw = field(fields.to);
      const to = toRaw?.trim() ? address(toRaw) : row.address;
      const text = field(fields.text) ?? '';
      const timestampRaw = field(fields.timestamp);
      const givenId = field(fields.id)?.trim();
      let providerMessageId: string;
      let idSource: 'provider' | 'hash' | 'random' = 'provider';
      if (givenId) providerMessageId = givenId;
      else if (timestampRaw) {
        // A provider redelivering a message repeats its fields: the same hash, stored once. The
        // timestamp tells two identical texts ("yes", "yes") apart.
        idSource = 'hash';
        providerMessageId = `sha256:${createHash('sha256')
          .update(JSON.stringify([from, to, text, timestampRaw]))
          .digest('hex')
          .slice(0, 40)}`;
      } else {
        // Nothing stable to recognise a redelivery by: better stored twice than lost.
        idSource = 'random';
        providerMessageId = `random:${randomUUID()}`;
      }
      messages.push({
        channelId: row.id,
        from,
        to,
        text,
        media: [],
        providerMessageId,
        timestamp: parseProviderTime(timestampRaw),
        metadata: { provider: 'http_generic', ...(idSource === 'provider' ? {} : { idSource }) },
      });
    }
    return { messages, statuses };
  };
}

/** `when` holds: the value equals `equals` (as text), or without it is present (an object counts). */
function matches(when: { equals?: string | number | boolean }, value: unknown): boolean {
  if (when.equals === undefined) return value !== undefined && value !== null && value !== '';
  return scalarText(value) === String(when.equals);
}
