import type { ComponentChildren } from 'preact';

type RecordPanelProps<T> = {
  /** The route's pick: a record's id, `new`, or nothing. */
  selected: number | 'new' | null;
  list: readonly T[];
  loaded: boolean;
  /** What a record is called in the messages: campaign, dialer. */
  noun: string;
  /** Shown while nothing is picked. */
  prompt: string;
  /** Admins alone create records. */
  isAdmin: boolean;
  /** The picked record's pane; null for a new one. */
  children: (record: T | null) => ComponentChildren;
};

function Empty({ children }: { children: ComponentChildren }) {
  return <div class="channel-panel empty-state">{children}</div>;
}

/** The right pane of a list page: a prompt, a refusal or "Loading…" until there is a record (or a new one) to show. */
export function RecordPanel<T extends { id: number }>({ selected, list, loaded, noun, prompt, isAdmin, children }: RecordPanelProps<T>) {
  if (selected === null) {
    return (
      <Empty>
        <p class="muted">{prompt}</p>
      </Empty>
    );
  }
  if (selected === 'new' && !isAdmin) {
    return (
      <Empty>
        <p class="muted">Only admins create {noun}s.</p>
      </Empty>
    );
  }
  const record = selected === 'new' ? null : list.find((r) => r.id === selected);
  if (record === undefined) return <Empty>{loaded ? <p>This {noun} does not exist (any more).</p> : <p>Loading…</p>}</Empty>;
  return <>{children(record)}</>;
}
