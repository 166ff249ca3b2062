import { API_KEY, JSON_API_URL, LEGACY_API_URL, LEGACY_PASSWORD, LEGACY_USER } from './fake-aggregator.ts';

/**
 * The two providers of CONNECTING.md as channel settings, pointed at the fake aggregator: a modern
 * JSON API with Bearer auth and HMAC-signed JSON webhooks, and a legacy GET API answering
 * `OK:<id>` / `ERR:<code>:<text>` with form webhooks authenticated by a token.
 */
export const WEBHOOK_SECRET = 'whsec_0b1c2d3e4f5a6b7c8d9e';

export const jsonAggregatorSettings = {
  send: {
    url: JSON_API_URL,
    method: 'POST',
    headers: { Authorization: 'Bearer {{secrets.apiKey}}' },
    bodyType: 'json',
    body: { messages: [{ from: '{{from}}', destinations: [{ to: '{{toDigits}}' }], text: '{{text}}', reference: '{{messageId}}' }] },
    timeoutMs: 10_000,
  },
  response: {
    successStatuses: ['2xx'],
    successWhen: { path: 'status', equals: 'OK' },
    messageId: { path: 'messages[0].messageId' },
    errorCode: { path: 'error.code' },
    errorMessage: { path: 'error.message' },
    retryableErrorCodes: ['THROTTLED'],
  },
  inbound: {
    verification: { type: 'hmac_sha256', header: 'X-Quality-Signature', encoding: 'hex', prefix: 'sha256=' },
    itemsPath: 'results',
    numbersWithoutPlus: true,
    messages: { from: 'from', to: 'to', text: 'text', id: 'messageId', timestamp: 'receivedAt' },
    statusReports: {
      when: { path: 'status' },
      id: 'messageId',
      status: 'status.groupName',
      map: { DELIVERED: 'delivered', UNDELIVERABLE: 'failed', EXPIRED: 'failed', REJECTED: 'failed' },
      errorCode: 'error.id',
      errorMessage: 'error.description',
      timestamp: 'doneAt',
    },
  },
};
export const jsonAggregatorSecrets = { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET };

export const legacyGetSettings = {
  send: {
    url: `${LEGACY_API_URL}?user={{secrets.username}}&pass={{secrets.password}}&to={{toDigits}}&from={{from}}&text={{text}}&ref={{messageId}}`,
    method: 'GET',
    bodyType: 'none',
    timeoutMs: 10_000,
  },
  response: {
    successStatuses: [200],
    successWhen: { regex: '^OK:' },
    messageId: { regex: '^OK:(\\w+)' },
    errorCode: { regex: '^ERR:(\\w+)' },
    errorMessage: { regex: '^ERR:\\w+:(.*)$', flags: 's' },
    retryableErrorCodes: ['BUSY'],
  },
  inbound: {
    verification: { type: 'token', in: 'query', name: 'token' },
    numbersWithoutPlus: true,
    messages: { from: 'from', to: 'to', text: 'msg', id: 'smsid', timestamp: 'time' },
    statusReports: {
      when: { path: 'type', equals: 'dlr' },
      id: 'smsid',
      status: 'status',
      map: { DELIVRD: 'delivered', UNDELIV: 'failed', REJECTD: 'failed', EXPIRED: 'failed' },
      errorCode: 'err',
    },
  },
};
export const legacyGetSecrets = { username: LEGACY_USER, password: LEGACY_PASSWORD, webhookSecret: WEBHOOK_SECRET };
