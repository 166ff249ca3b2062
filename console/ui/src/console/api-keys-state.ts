import { signal } from '@preact/signals';
import type { ApiKeyInput, ApiKeyView } from '../../../../contract/dialer.ts';
import { api, errorMessage } from '../api-client.ts';

/** The web service's API keys (admins), newest first. */
export const apiKeyList = signal<ApiKeyView[]>([]);
export const apiKeysLoaded = signal(false);
export const apiKeysError = signal<string | null>(null);

let latestLoad = 0;

const newestFirst = (a: ApiKeyView, b: ApiKeyView) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id;

/** (Re)loads the keys. */
export async function loadApiKeys(): Promise<void> {
  const ticket = ++latestLoad;
  try {
    const result = await api.get<{ apiKeys: ApiKeyView[] }>('/api/api-keys');
    if (ticket !== latestLoad) return;
    apiKeyList.value = [...result.apiKeys].sort(newestFirst);
    apiKeysLoaded.value = true;
    apiKeysError.value = null;
  } catch (error) {
    if (ticket === latestLoad) apiKeysError.value = errorMessage(error);
  }
}

function upsert(key: ApiKeyView): void {
  apiKeyList.value = [...apiKeyList.value.filter((k) => k.id !== key.id), key].sort(newestFirst);
}

/** Creates a key; the answer holds its plaintext, which the server never shows again. */
export async function createApiKey(input: ApiKeyInput): Promise<{ apiKey: ApiKeyView; key: string }> {
  const created = await api.post<{ apiKey: ApiKeyView; key: string }>('/api/api-keys', input);
  upsert(created.apiKey);
  return created;
}

/** Revokes a key: requests with it are refused from now on. */
export async function revokeApiKey(id: number): Promise<void> {
  upsert(await api.post<ApiKeyView>(`/api/api-keys/${id}/revoke`));
}

/** Forgets everything (on logout). */
export function resetApiKeys(): void {
  latestLoad++;
  apiKeyList.value = [];
  apiKeysLoaded.value = false;
  apiKeysError.value = null;
}
