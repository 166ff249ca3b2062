import { io, type Socket } from 'socket.io-client';
import type { ConsoleEvents, Listeners } from '../../../../../contract/events.ts';
import { applyChatMessage } from '../features/agent-chat/agent-chat-state.ts';
import { applySessionEvent, reloadChannelsIfShown } from '../features/channels/channels-state.ts';
import { applyDialerMonitor, reloadDialerMonitorIfShown } from '../features/dialers/dialer-monitor-state.ts';
import { applySummary, refreshOpenConversation, upsertMessage } from '../features/inbox/conversation-state.ts';
import { loadInbox, upsertConversation } from '../features/inbox/inbox-state.ts';
import { applyFlag, applyOfferCreated, applyOfferWithdrawn, loadOffers } from '../features/inbox/offers-state.ts';
import {
  applyAgentMonitors,
  applyCampaignMonitor,
  applyMonitorConversation,
  applySpyMessage,
  reloadMonitorIfShown,
} from '../features/monitor/monitor-state.ts';
import { connection } from '../shared/connection.ts';
import { applyImportProgress } from '../shared/file-upload.ts';
import { applyPresence, loadMe, me } from '../shared/session-state.ts';

const retryAfterRefusalMs = 5000;
let socket: Socket<Listeners<ConsoleEvents>> | null = null;

// The server refused the socket (or dropped it on purpose), so socket.io will not retry by itself.
// Usually the session expired: re-check it; loadMe() clears `me` on 401, which logs the UI out.
async function recoverFromRefusal(refused: Socket<Listeners<ConsoleEvents>>): Promise<void> {
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
  const live: Socket<Listeners<ConsoleEvents>> = io({ withCredentials: true });
  socket = live;
  connection.value = 'connecting';

  live.on('connect', () => {
    connection.value = 'connected';
    // Events may have been missed before (or while not) connected: catch up once.
    void loadInbox();
    refreshOpenConversation();
    reloadChannelsIfShown();
    reloadMonitorIfShown();
    reloadDialerMonitorIfShown();
    void loadOffers();
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
    applyMonitorConversation(conversation);
  });
  live.on('message.created', (message) => {
    upsertMessage(message);
    applySpyMessage(message);
  });
  live.on('message.updated', (message) => {
    upsertMessage(message);
    applySpyMessage(message);
  });
  live.on('presence.updated', applyPresence);
  live.on('channel.session', applySessionEvent);
  live.on('monitor.campaign', applyCampaignMonitor);
  live.on('monitor.agents', applyAgentMonitors);
  live.on('offer.created', applyOfferCreated);
  live.on('offer.withdrawn', applyOfferWithdrawn);
  live.on('conversation.flagged', applyFlag);
  live.on('agent-chat.message', applyChatMessage);
  live.on('dialer.monitor', applyDialerMonitor);
  live.on('dialer.import.progress', applyImportProgress);
}

/** Closes the live connection (on logout). */
export function disconnectLive(): void {
  const live = socket;
  socket = null;
  live?.disconnect();
  connection.value = 'offline';
}
