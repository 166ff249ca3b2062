import type { ChannelSessionState, ChannelType } from '../../../../../../contract/channels.ts';

/**
 * What the console knows about each channel type: its name as people say it, the secrets it takes
 * and an example of its settings. The server validates with each type's own schema
 * (gateway/<provider>/…-settings.ts); keep these in step with those files.
 */

/** In the order the create form offers them. */
export const CHANNEL_TYPE_LABELS: Record<ChannelType, string> = {
  twilio_sms: 'Twilio SMS',
  twilio_whatsapp: 'Twilio WhatsApp',
  whatsapp_cloud: 'WhatsApp Cloud API',
  dinstar: 'Dinstar',
  gsm_modem: 'GSM modem',
  smpp: 'SMPP',
  baileys: 'WhatsApp Web (Baileys)',
  wwebjs: 'WhatsApp Web (whatsapp-web.js)',
  http_generic: 'HTTP provider',
  simulator: 'Simulator',
};

export const CHANNEL_TYPES = Object.keys(CHANNEL_TYPE_LABELS) as ChannelType[];

export function channelTypeLabel(type: string): string {
  return CHANNEL_TYPE_LABELS[type as ChannelType] ?? type;
}

/** A write-only secret a type takes, with what to paste into it. */
export type SecretSpec = { name: string; hint: string; optional?: true };

const twilioSecrets: SecretSpec[] = [{ name: 'authToken', hint: 'The Auth Token from the Twilio console' }];

/** The secrets each type's schema names (the generic HTTP provider takes any names its templates use). */
export const CHANNEL_SECRETS: Record<ChannelType, SecretSpec[]> = {
  twilio_sms: twilioSecrets,
  twilio_whatsapp: twilioSecrets,
  whatsapp_cloud: [
    { name: 'accessToken', hint: 'A system user access token with whatsapp_business_messaging' },
    { name: 'appSecret', hint: 'The App Secret, which signs webhooks' },
    { name: 'verifyToken', hint: 'The Verify Token you type in the webhook settings' },
  ],
  dinstar: [
    { name: 'password', hint: 'The password of the gateway web user' },
    { name: 'pushToken', hint: 'Push mode only: at least 16 characters the gateway sends back', optional: true },
  ],
  gsm_modem: [{ name: 'pin_dongle0', hint: 'The SIM PIN of modem dongle0, if it asks for one (pin_<modem name>)', optional: true }],
  smpp: [{ name: 'password', hint: 'The bind password from the SMSC' }],
  baileys: [],
  wwebjs: [],
  http_generic: [
    { name: 'apiKey', hint: 'Used as {{secrets.apiKey}} in the example templates', optional: true },
    { name: 'webhookSecret', hint: 'Checks the provider’s webhooks (inbound.verification)', optional: true },
  ],
  simulator: [],
};

/** Secrets the platform makes itself when the channel is created: shown, never typed. */
export const GENERATED_SECRETS: Partial<Record<ChannelType, string[]>> = { simulator: ['signingKey'] };

/** Types whose secrets have names of the admin's choosing (template secrets, one PIN per modem), added from the form. */
export const OPEN_SECRET_NAMES: Partial<Record<ChannelType, { label: string; placeholder: string }>> = {
  http_generic: { label: 'Another secret, used as {{secrets.<name>}} in the templates', placeholder: 'name, e.g. apiKey' },
  gsm_modem: { label: 'Another SIM PIN, named pin_<modem name>', placeholder: 'e.g. pin_dongle1' },
};

const twilioExample = { accountSid: 'AC00000000000000000000000000000000', fromNumber: '+14155550100' };

/** A starting point for the settings of a new channel: valid in shape, with values to replace. */
export const SETTINGS_EXAMPLES: Record<ChannelType, Record<string, unknown>> = {
  twilio_sms: twilioExample,
  twilio_whatsapp: { accountSid: twilioExample.accountSid, fromNumber: '+14155238886' },
  whatsapp_cloud: { phoneNumberId: '106540352242922', graphApiVersion: 'v23.0' },
  dinstar: {
    baseUrl: 'https://192.168.1.50',
    allowSelfSigned: true,
    username: 'admin',
    dialString: '0-3',
    gatewayTimeZone: 'America/Montevideo',
  },
  gsm_modem: {
    modems: [{ name: 'dongle0', path: '/dev/serial/by-id/usb-HUAWEI_Mobile-if00-port0', simNumber: '+59899123456' }],
  },
  smpp: { host: 'smsc.example.com', port: 2775, systemId: 'omnichat', sourceAddress: 'Omnichat' },
  baileys: { deviceName: 'Omnichat', receiveGroups: false },
  wwebjs: { deviceName: 'Omnichat', acceptGroups: false },
  http_generic: {
    send: {
      url: 'https://api.example.com/v1/sms',
      method: 'POST',
      headers: { Authorization: 'Bearer {{secrets.apiKey}}' },
      bodyType: 'json',
      body: { to: '{{to}}', from: '{{from}}', text: '{{text}}', reference: '{{messageId}}' },
    },
    response: { messageId: { path: 'id' }, errorCode: { path: 'error.code' }, errorMessage: { path: 'error.message' } },
    inbound: {
      verification: { type: 'token', in: 'header', name: 'X-Webhook-Token', secret: 'webhookSecret' },
      messages: { from: 'from', to: 'to', text: 'text', id: 'id' },
    },
  },
  simulator: {},
};

/** Settings as the textarea shows them. */
export function formatSettings(settings: Record<string, unknown>): string {
  return JSON.stringify(settings, null, 2);
}

export const SESSION_STATE_LABELS: Record<ChannelSessionState, string> = {
  stopped: 'Stopped',
  connecting: 'Connecting',
  qr: 'QR to scan',
  open: 'Connected',
  error: 'Error',
  logged_out: 'Logged out',
};

/** Countries offered first in the default-country field (any ISO 3166 code is accepted). */
export const COMMON_COUNTRIES = ['UY', 'AR', 'BR', 'CL', 'CO', 'MX', 'PE', 'PY', 'ES', 'US'];
