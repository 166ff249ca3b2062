import { signal, type Signal } from '@preact/signals';
import { errorMessage } from '../../api-client.ts';
import { onReset } from './reset.ts';

/** How a list store reads its list and keeps it in order. */
export type ListStoreOptions<T> = {
  /** Reads the whole list from the server. */
  load: () => Promise<readonly T[]>;
  /** What tells two items apart: an upsert replaces the item with the same key. */
  key: (item: T) => unknown;
  /** The order the list is kept in, after a load and after each upsert. */
  order: (a: T, b: T) => number;
  /** Runs when a load's answer has replaced the list (before `loading` goes false). */
  afterLoad?: () => void;
};

/** A list the console loads from the server and keeps current as the user changes it. */
export type ListStore<T> = {
  /** The items, in the store's order. */
  readonly items: Signal<T[]>;
  /** True once a load has answered (the list may still be empty). */
  readonly loaded: Signal<boolean>;
  /** True while a load is under way. */
  readonly loading: Signal<boolean>;
  /** Why the last load failed, until one succeeds. */
  readonly error: Signal<string | null>;
  /** (Re)loads the list; an answer overtaken by a later load (or a reset) is dropped. */
  load: () => Promise<void>;
  /** Adds an item, or replaces the one with the same key, keeping the order. */
  upsert: (item: T) => void;
  /** Takes out the item with this key. */
  remove: (key: unknown) => void;
  /** Forgets the list (on logout; registered with `onReset`). */
  reset: () => void;
};

/**
 * The shape the console's list pages share: items, loaded/loading/error, load (the newest load wins),
 * upsert and remove. The store's reset is registered with the reset registry, so logout clears it.
 */
export function createListStore<T>(options: ListStoreOptions<T>): ListStore<T> {
  const { key, order } = options;
  const items = signal<T[]>([]);
  const loaded = signal(false);
  const loading = signal(false);
  const error = signal<string | null>(null);
  let latestLoad = 0;

  async function load(): Promise<void> {
    const ticket = ++latestLoad;
    loading.value = true;
    try {
      const result = await options.load();
      if (ticket !== latestLoad) return;
      items.value = [...result].sort(order);
      loaded.value = true;
      error.value = null;
      options.afterLoad?.();
    } catch (failure) {
      if (ticket === latestLoad) error.value = errorMessage(failure);
    } finally {
      if (ticket === latestLoad) loading.value = false;
    }
  }

  function upsert(item: T): void {
    const list = items.value;
    const id = key(item);
    const next = list.some((other) => key(other) === id) ? list.map((other) => (key(other) === id ? item : other)) : [...list, item];
    items.value = next.sort(order);
  }

  function remove(id: unknown): void {
    items.value = items.value.filter((item) => key(item) !== id);
  }

  function reset(): void {
    latestLoad++;
    items.value = [];
    loaded.value = false;
    loading.value = false;
    error.value = null;
  }

  onReset(reset);
  return { items, loaded, loading, error, load, upsert, remove, reset };
}
