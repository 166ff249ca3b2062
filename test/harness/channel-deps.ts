import pino from 'pino';
import type { AuthStateStore, ChannelDeps, SessionState, WebhookContent } from '../../gateway/channel.ts';

/** ChannelDeps for an adapter under test without a platform: records what it received and reported. */
export type RecordingDeps = ChannelDeps & {
  received: WebhookContent[];
  states: SessionState[];
  /** The in-memory auth state, by `kind\0key`. */
  authValues: Map<string, unknown>;
};

export function recordingChannelDeps(overrides: Partial<ChannelDeps> = {}): RecordingDeps {
  const received: WebhookContent[] = [];
  const states: SessionState[] = [];
  const authValues = new Map<string, unknown>();
  const store: AuthStateStore = {
    async get(kind, keys) {
      return new Map(keys.filter((key) => authValues.has(`${kind}\0${key}`)).map((key) => [key, structuredClone(authValues.get(`${kind}\0${key}`))]));
    },
    async set(entries) {
      for (const { kind, key, value } of entries) {
        if (value === null || value === undefined) authValues.delete(`${kind}\0${key}`);
        else authValues.set(`${kind}\0${key}`, structuredClone(value));
      }
    },
    async clear() {
      authValues.clear();
    },
  };
  return {
    received,
    states,
    authValues,
    publish: () => {},
    webhookUrl: (id) => `https://example.test/webhooks/${id}`,
    async receive(_channelId, content) {
      received.push(content);
      return { stored: content.messages.length, duplicates: 0 };
    },
    async reportState(_channelId, state) {
      states.push(state);
    },
    authState: () => store,
    logger: pino({ level: 'silent' }),
    chromiumPath: '/usr/bin/chromium',
    ...overrides,
  };
}
