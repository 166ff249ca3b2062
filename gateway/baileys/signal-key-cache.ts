import type { CacheStore } from '@whiskeysockets/baileys';

/**
 * The in-memory cache in front of the signal keys in PostgreSQL (Baileys' `makeCacheableSignalKeyStore`
 * reads keys on every message). Ours instead of Baileys' default NodeCache because that one starts an
 * interval per instance that nobody can clear, and a session is rebuilt on every reconnect: this one
 * expires lazily and drops the oldest entries past `maxEntries`, so it owns no timer at all.
 */
export function signalKeyCache(options: { maxEntries?: number; ttlMs?: number } = {}): CacheStore {
  const maxEntries = options.maxEntries ?? 20_000;
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const entries = new Map<string, { value: unknown; expiresAt: number }>();
  return {
    get<T>(key: string): T | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value as T;
    },
    set<T>(key: string, value: T) {
      entries.delete(key); // re-inserted last: the Map's order is the eviction order
      entries.set(key, { value, expiresAt: Date.now() + ttlMs });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    del(key: string) {
      entries.delete(key);
    },
    flushAll() {
      entries.clear();
    },
  };
}
