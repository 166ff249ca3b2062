/** The open conversation lives in the URL hash (`#/conversations/<id>`), so a reload or a shared link reopens it. */

const conversationHash = /^#\/conversations\/(\d+)$/;

/** The conversation the URL names, or null. */
export function conversationIdInUrl(): number | null {
  const match = conversationHash.exec(location.hash);
  return match?.[1] ? Number(match[1]) : null;
}

/**
 * Makes the URL name the conversation (null: none). `push` adds a history entry so Back returns to the
 * previous view; `replace` rewrites the current one (a link to a missing conversation). History API
 * writes fire no `hashchange`, so following the URL never loops back here.
 */
export function showConversationInUrl(id: number | null, mode: 'push' | 'replace' = 'push'): void {
  const hash = id === null ? '' : `#/conversations/${id}`;
  if (location.hash === hash) return;
  const url = `${location.pathname}${location.search}${hash}`;
  if (mode === 'push') history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}
