import { io, type Socket } from 'socket.io-client';
import type { ConsoleEvents, ConsoleSocketEvents, Listeners, LiveFrame } from '../../../../../contract/events.ts';
import { createFrameOrder, dispatchFrame } from '../../live-frames.ts';
import { applyChatMessage, loadChatThreads } from '../features/agent-chat/agent-chat-state.ts';
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
import { applyPresence, loadMe, me, refreshPresence } from '../shared/session-state.ts';

const retryAfterRefusalMs = 5000;
/** A resync the server asks of every socket of a node waits up to this long, so they do not all read at once. */
const spreadResyncMs = 2000;
type LiveSocket = Socket<Listeners<ConsoleSocketEvents>>;
let socket: LiveSocket | null = null;

/** What each published event does to the screen. */
const handlers: Listeners<ConsoleEvents> = {
  'conversation.upserted': (conversation) => {
    upsertConversation(conversation);
    applySummary(conversation);
    applyMonitorConversation(conversation);
  },
  'message.created': (message) => {
    upsertMessage(message);
    applySpyMessage(message);
  },
  'message.updated': (message) => {
    upsertMessage(message);
    applySpyMessage(message);
  },
  'presence.updated': applyPresence,
  'channel.session': applySessionEvent,
  'monitor.campaign': applyCampaignMonitor,
  'monitor.agents': applyAgentMonitors,
  'offer.created': applyOfferCreated,
  'offer.withdrawn': applyOfferWithdrawn,
  'conversation.flagged': applyFlag,
  'agent-chat.message': applyChatMessage,
  // Supervisors follow agents through `monitor.agents`; nothing on screen shows this one alone.
  'agent.presence': () => {},
  'dialer.monitor': applyDialerMonitor,
  'dialer.import.progress': applyImportProgress,
};

const frameOrder = createFrameOrder();
/** The resync under way: the frames that arrive meanwhile (applied after it, they may be newer), and whether to read once more. */
let catchingUp: { frames: LiveFrame<ConsoleEvents>[]; again: boolean } | null = null;
let resyncTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Reads again everything the screen shows from the server (live events may have been missed), then
 * applies the frames that arrived meanwhile, in order.
 */
async function resync(): Promise<void> {
  clearTimeout(resyncTimer);
  resyncTimer = undefined;
  const live = socket;
  const run = { frames: [] as LiveFrame<ConsoleEvents>[], again: true };
  catchingUp = run;
  try {
    while (run.again && socket === live) {
      run.again = false;
      await Promise.allSettled([
        loadInbox(),
        refreshOpenConversation(),
        reloadChannelsIfShown(),
        reloadMonitorIfShown(),
        reloadDialerMonitorIfShown(),
        loadOffers(),
        loadChatThreads(),
        refreshPresence(),
      ]);
    }
  } finally {
    if (catchingUp === run) catchingUp = null;
    if (socket === live) for (const frame of run.frames) dispatchFrame(frame, handlers);
  }
}

/** Resyncs within `withinMs` (0: now), once for however many ask meanwhile; asked while reading, it reads once more. */
function requestResync(withinMs: number): void {
  if (catchingUp) catchingUp.again = true;
  else if (withinMs === 0) void resync();
  else resyncTimer ??= setTimeout(() => void resync(), Math.random() * withinMs);
}

/** A frame of live events: applied in order; one that shows frames were missed makes the screen read again. */
function receive(frame: LiveFrame<ConsoleEvents>): void {
  const order = frameOrder.read(frame);
  if (order !== 'next') requestResync(0);
  if (order === 'stale') return;
  if (catchingUp) catchingUp.frames.push(frame);
  else dispatchFrame(frame, handlers);
}

// The server refused the socket (or dropped it on purpose), so socket.io will not retry by itself.
// Usually the session expired: re-check it; loadMe() clears `me` on 401, which logs the UI out.
async function recoverFromRefusal(refused: LiveSocket): Promise<void> {
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
  const live: LiveSocket = io({ withCredentials: true });
  socket = live;
  connection.value = 'connecting';

  live.on('connect', () => {
    connection.value = 'connected';
    // A new connection: frame numbers start over where each is first seen.
    frameOrder.reset();
  });
  // The rooms are joined: what happened before (or while not connected) is read once, what follows comes in frames.
  live.on('ready', () => requestResync(0));
  live.on('disconnect', () => {
    if (live.active) connection.value = 'reconnecting';
    else if (socket === live) void recoverFromRefusal(live);
  });
  live.on('connect_error', () => {
    if (live.active) connection.value = 'reconnecting';
    else void recoverFromRefusal(live);
  });

  live.on('live', receive);
  live.on('live.resync', () => requestResync(spreadResyncMs));
}

/** Closes the live connection (on logout). */
export function disconnectLive(): void {
  const live = socket;
  socket = null;
  catchingUp = null;
  clearTimeout(resyncTimer);
  resyncTimer = undefined;
  live?.disconnect();
  connection.value = 'offline';
}
