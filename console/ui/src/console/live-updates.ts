import { signal } from '@preact/signals';
import { io, type Socket } from 'socket.io-client';
import type {
  AgentChatMessage,
  AgentMonitor,
  CampaignMonitor,
  ChannelSessionEvent,
  ConversationSummary,
  DialerMonitor,
  ImportProgress,
  MessageView,
  Offer,
  Presence,
} from '../../../../contract/wire.ts';
import { applyChatMessage } from './agent-chat-state.ts';
import { applySessionEvent, reloadChannelsIfShown } from './channels-state.ts';
import { applySummary, refreshOpenConversation, upsertMessage } from './conversation-state.ts';
import { applyDialerMonitor, reloadDialerMonitorIfShown } from './dialer-monitor-state.ts';
import { applyImportProgress } from './file-upload.ts';
import { loadInbox, upsertConversation } from './inbox-state.ts';
import { applyAgentMonitors, applyCampaignMonitor, applyMonitorConversation, applySpyMessage, reloadMonitorIfShown } from './monitor-state.ts';
import { applyFlag, applyOfferCreated, applyOfferWithdrawn, loadOffers } from './offers-state.ts';
import { applyPresence, loadMe, me } from './session-state.ts';

/** What the server pushes to the console on namespace `/` (see wire.ts). */
type ConsoleEvents = {
  'conversation.upserted': (conversation: ConversationSummary) => void;
  'message.created': (message: MessageView) => void;
  'message.updated': (message: MessageView) => void;
  'presence.updated': (presence: Presence) => void;
  /** Admins only: a session channel's state changed. */
  'channel.session': (event: ChannelSessionEvent) => void;
  /** Supervisors: a campaign's live figures, and the agents of a campaign whose figures changed. */
  'monitor.campaign': (campaign: CampaignMonitor) => void;
  'monitor.agents': (agents: AgentMonitor[]) => void;
  'offer.created': (offer: Offer) => void;
  'offer.withdrawn': (event: { conversationId: number }) => void;
  'conversation.flagged': (event: { conversationId: number; flag: 'chat_time' }) => void;
  'agent-chat.message': (message: AgentChatMessage) => void;
  /** Supervisors: a dialer's figures; the uploader: rows read so far of the file being imported. */
  'dialer.monitor': (monitor: DialerMonitor) => void;
  'dialer.import.progress': (progress: ImportProgress) => void;
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
