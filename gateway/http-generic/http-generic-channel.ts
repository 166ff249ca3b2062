import { InvalidPayloadError, type Channel, type ChannelFactory, type SendResult } from '../channel.ts';
import { httpGenericSecretsSchema, httpGenericSettingsSchema, sendSecretsMissing } from './http-generic-settings.ts';
import { ESCAPES, renderTemplate, TemplateValueError, templateView } from './http-template.ts';
import { secretRedactor } from './redact-secrets.ts';
import { buildProviderRequest, messageView, type ProviderRequest } from './send-request.ts';
import { createAnswerReader } from './send-response.ts';
import { createWebhookReader } from './webhook-normalize.ts';
import { verifyWebhook } from './webhook-verify.ts';

/** The error text of a failed fetch: undici hides the reason (refused, DNS…) in `cause`. */
function networkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return [error.message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
}

/**
 * A generic HTTP SMS provider, described as data in the channel's settings: the request is built
 * from templates, the answer read through a mapping, webhooks verified by token or HMAC and read
 * through a field mapping. Secrets are redacted from every error message and log line.
 */
export const createHttpGenericChannel: ChannelFactory = (row, deps): Channel => {
  const settings = httpGenericSettingsSchema.parse(row.settings);
  const secrets = httpGenericSecretsSchema.parse(row.secrets);
  const from = row.address ?? '';
  const log = deps.logger.child({ channelId: row.id, channelType: 'http_generic' });
  const missingSecrets = sendSecretsMissing(settings, secrets);
  const basic = settings.send.basicAuth;
  const emptyView = templateView({ to: '', toDigits: '', toNational: '', from, text: '', messageId: '' }, secrets);
  const redact = secretRedactor(
    secrets,
    basic ? [`${renderTemplate(basic.username, emptyView, ESCAPES.raw)}:${renderTemplate(basic.password, emptyView, ESCAPES.raw)}`] : [],
  );
  const readAnswer = createAnswerReader(settings.response);
  const readWebhook = settings.inbound ? createWebhookReader(row, settings.inbound) : undefined;

  const refuse = (errorCode: string, errorMessage: string, retryable: boolean, httpStatus?: number): SendResult => {
    const result = { ok: false as const, errorCode: redact(errorCode), errorMessage: redact(errorMessage), retryable };
    log.warn({ httpStatus, errorCode: result.errorCode, errorMessage: result.errorMessage, retryable }, 'http_generic send failed');
    return result;
  };

  return {
    type: 'http_generic',
    acceptsGetWebhooks: settings.inbound?.acceptGet ?? false,
    ...(settings.inbound?.answer ? { webhookAnswer: settings.inbound.answer } : {}),
    verify: (request) => (settings.inbound ? verifyWebhook(settings.inbound.verification, secrets, request) : false),
    normalize(request) {
      if (!readWebhook) throw new InvalidPayloadError('this channel has no inbound mapping');
      return readWebhook(request);
    },
    async send(message): Promise<SendResult> {
      if (missingSecrets.length) return refuse('config', `secrets not set: ${missingSecrets.join(', ')}`, false);
      let request: ProviderRequest;
      try {
        request = buildProviderRequest(settings.send, messageView(message, from, secrets));
      } catch (error) {
        if (error instanceof TemplateValueError) return refuse('template', error.message, false);
        throw error;
      }
      let status: number;
      let text: string;
      try {
        // One deadline for the answer and its body: a provider that stalls mid-body is a timeout too.
        const response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(settings.send.timeoutMs),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        if (error instanceof Error && error.name === 'TimeoutError') {
          return refuse('timeout', `no answer within ${settings.send.timeoutMs} ms`, true);
        }
        return refuse('network', networkError(error), true);
      }
      const answer = readAnswer({ status, text });
      if (!answer.ok) return refuse(answer.errorCode, answer.errorMessage, answer.retryable, status);
      if (answer.providerMessageId) return { ok: true, providerMessageId: answer.providerMessageId };
      if (!settings.response.messageId) {
        // No id in the answer by design: delivery reports quote the reference we sent ({{messageId}}).
        return { ok: true, providerMessageId: String(message.messageId) };
      }
      log.warn({ httpStatus: status }, 'http_generic: the provider accepted the message but its answer held no message id');
      return { ok: true, providerMessageId: `local:${message.messageId}` };
    },
  };
};
