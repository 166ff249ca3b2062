import { signal } from '@preact/signals';
import { io, type Socket } from 'socket.io-client';
import type { ChannelSessionEvent, ConversationSummary, MessageView, Presence } from '../../../wire.ts';
import { applySessionEvent, reloadChannelsIfShown } from './channels-state.ts';
import { applySummary, refreshOpenConversation, upsertMessage } from './conversation-state.ts';
import { loadInbox, upsertConversation } from './inbox-state.ts';
import { applyPresence, loadMe, me } from './session-state.ts';

/** What the server pushes to the console on namespace `/` (see wire.ts). */
type ConsoleEvents = {
  'conversation.upserted': (conversation: ConversationSummary) => void;
  'message.created': (message: MessageView) => void;
  'message.updated': (message: MessageView) => void;
  'presence.updated': (presence: Presence) => void;
  /** Admins only: a session channel's state changed. */
  'channel.session': (event: ChannelSessionEvent) => void;
};

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Shown by the connection indicator in the top bar. */
export const connection = signal<ConnectionState>('offline');

const retryAfterRefusalMs = 5000;
let socket: Socket<ConsoleEvents> | null = null;

// The server refused the socket (or dropped it on purpose), so socket.io will not retry by itself.
// Usually the session expired: re-check it; loadMe() clears `me` on 401, which logs the UI out.
async function recoverFromRefusal(refused: Socket<ConsoleEvents>): Promise<void> {
  connection.value = 'offline';
  await loadMe();
  if (!me.value) return;
  setTimeout(() => {
    if (socket === refused && !refused.connected) {
      connection.value = 'reconnecting';
      refused.connect();
    }
  }, retryAfterRefusalMs);
}

/** Opens the live connection; the session cookie authenticates it. */
export function connectLive(): void {
  if (socket) return;
  const live: Socket<ConsoleEvents> = io({ withCredentials: true });
  socket = live;
  connection.value = 'connecting';

  live.on('connect', () => {
    connection.value = 'connected';
    // Events may have been missed before (or while not) connected: catch up once.
    void loadInbox();
    refreshOpenConversation();
    reloadChannelsIfShown();
  });
  live.on('disconnect', () => {
    if (live.active) connection.value = 'reconnecting';
    else if (socket === live) void recoverFromRefusal(live);
  });
  live.on('connect_error', () => {
    if (live.active) connection.value = 'reconnecting';
    else void recoverFromRefusal(live);
  });

  live.on('conversation.upserted', (conversation) => {
    upsertConversation(conversation);
    applySummary(conversation);
  });
  live.on('message.created', upsertMessage);
  live.on('message.updated', upsertMessage);
  live.on('presence.updated', applyPresence);
  live.on('channel.session', applySessionEvent);
}

/** Closes the live connection (on logout). */
export function disconnectLive(): void {
  const live = socket;
  socket = null;
  live?.disconnect();
  connection.value = 'offline';
}
