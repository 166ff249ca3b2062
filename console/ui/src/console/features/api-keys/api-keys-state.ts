import type { ApiKeyInput, ApiKeyView } from '../../../../../../contract/dialer.ts';
import { api } from '../../../api-client.ts';
import { createListStore } from '../../shared/list-store.ts';

const apiKeys = createListStore<ApiKeyView>({
  load: async () => (await api.get<{ apiKeys: ApiKeyView[] }>('/api/api-keys')).apiKeys,
  key: (key) => key.id,
  order: (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id,
});

/** The web service's API keys (admins), newest first. */
export const apiKeyList = apiKeys.items;
export const apiKeysLoaded = apiKeys.loaded;
export const apiKeysError = apiKeys.error;
/** (Re)loads the keys. */
export const loadApiKeys = apiKeys.load;

/** Creates a key; the answer holds its plaintext, which the server never shows again. */
export async function createApiKey(input: ApiKeyInput): Promise<{ apiKey: ApiKeyView; key: string }> {
  const created = await api.post<{ apiKey: ApiKeyView; key: string }>('/api/api-keys', input);
  apiKeys.upsert(created.apiKey);
  return created;
}

/** Revokes a key: requests with it are refused from now on. */
export async function revokeApiKey(id: number): Promise<void> {
  apiKeys.upsert(await api.post<ApiKeyView>(`/api/api-keys/${id}/revoke`));
}
