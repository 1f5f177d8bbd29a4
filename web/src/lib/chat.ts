import { api, errorText } from './api';
import { realtime } from './realtime';
import { navigate, location$, matchPath } from './router';
import { currentUser, endSession } from './session';
import { createStore } from './store';
import type { Agent, Chunk, HistoryPage, Message, PermissionRequest, Reaction, RecentEntry, Room, RoomMember, ServerFrame } from './types';

// Everything the chat shows, kept in one store and fed by REST (history, rooms) and /ws/client frames.

export interface Stream {
  messageId: string;
  agentId: string;
  agentName: string;
  chunks: Chunk[];
  startedAt: number;
}

export interface RoomState {
  messages: Message[];
  loaded: boolean;
  hasMore: boolean;
  nextCursor?: string;
  loadingOlder: boolean;
  streams: Record<string, Stream>;
  typing: Record<string, { username: string; until: number }>;
  permissions: PermissionRequest[];
  members: RoomMember[];
  readBy: Record<string, { username: string; lastReadAt: string }>;
}

export interface ChatState {
  rooms: Room[];
  roomsLoaded: boolean;
  recent: Record<string, RecentEntry>;
  byRoom: Record<string, RoomState>;
  agents: Record<string, Agent>;
  presence: Record<string, boolean>;
  /** userId → username (members rows carry only display names; mentions need usernames). */
  usernames: Record<string, string>;
  notices: { id: number; text: string }[];
}

const HISTORY_PAGE = 50;
/** How many pages of 100 a reconnect fetches to fill what a room missed. */
const CATCH_UP_PAGES = 20;
const TYPING_TTL_MS = 4000;

export const chat = createStore<ChatState>(emptyState());

function emptyState(): ChatState {
  return { rooms: [], roomsLoaded: false, recent: {}, byRoom: {}, agents: {}, presence: {}, usernames: {}, notices: [] };
}

function emptyRoom(): RoomState {
  return {
    messages: [], loaded: false, hasMore: false, loadingOlder: false, streams: {}, typing: {}, permissions: [], members: [],
    readBy: {},
  };
}

export function roomState(roomId: string): RoomState {
  return chat.get().byRoom[roomId] ?? emptyRoom();
}

function updateRoom(roomId: string, update: (room: RoomState) => RoomState): void {
  chat.set((s) => ({ ...s, byRoom: { ...s.byRoom, [roomId]: update(s.byRoom[roomId] ?? emptyRoom()) } }));
}

let noticeId = 0;
export function notify(text: string): void {
  const id = ++noticeId;
  chat.set((s) => ({ ...s, notices: [...s.notices.slice(-4), { id, text }] }));
  window.setTimeout(() => chat.set((s) => ({ ...s, notices: s.notices.filter((n) => n.id !== id) })), 6000);
}

export function activeRoomId(): string | null {
  return matchPath('/rooms/:roomId', location$.get())?.roomId ?? null;
}

// --- lifecycle ---------------------------------------------------------------------------------------------

let unsubscribers: (() => void)[] = [];

export function startChat(): void {
  stopChat();
  unsubscribers.push(realtime.onFrame(onFrame));
  let lastGeneration = realtime.connection.get().generation;
  unsubscribers.push(
    realtime.connection.subscribe(() => {
      const { generation } = realtime.connection.get();
      if (generation > 1 && generation !== lastGeneration) {
        // The re-joins just sent make the hub replay every reply still streaming from its first chunk.
        chat.set((s) => {
          const byRoom: Record<string, RoomState> = {};
          for (const [id, r] of Object.entries(s.byRoom)) byRoom[id] = { ...r, streams: {} };
          return { ...s, byRoom };
        });
        void catchUpAll();
      }
      lastGeneration = generation;
    }),
  );
  void loadRooms();
  void loadAgents();
}

export function stopChat(): void {
  for (const unsubscribe of unsubscribers) unsubscribe();
  unsubscribers = [];
  chat.set(emptyState());
}

// --- REST loads --------------------------------------------------------------------------------------------

export async function loadRooms(): Promise<void> {
  try {
    const [rooms, recent] = await Promise.all([
      api<Room[]>('/api/rooms'),
      api<Record<string, RecentEntry>>('/api/messages/recent'),
    ]);
    chat.set((s) => ({ ...s, rooms, recent, roomsLoaded: true }));
    // Subscribed to every room, so unread counts and previews move while the room is not open.
    for (const room of rooms) realtime.joinRoom(room.id);
  } catch (e) {
    notify(`Could not load rooms: ${errorText(e)}`);
  }
}

export async function loadAgents(): Promise<void> {
  try {
    const [own, shared] = await Promise.all([api<Agent[]>('/api/agents'), api<Agent[]>('/api/agents/shared')]);
    const agents: Record<string, Agent> = {};
    for (const agent of [...own, ...shared]) agents[agent.id] = agent;
    chat.set((s) => ({ ...s, agents }));
  } catch {
    // The agent list only decorates names and statuses.
  }
}

export async function loadMembers(roomId: string): Promise<void> {
  try {
    const members = await api<RoomMember[]>(`/api/rooms/${encodeURIComponent(roomId)}/members?limit=500`);
    updateRoom(roomId, (r) => ({ ...r, members }));
    void resolveUsernames(members);
  } catch {
    // Shown as an empty member list.
  }
}

async function resolveUsernames(members: RoomMember[]): Promise<void> {
  const known = chat.get().usernames;
  const me = currentUser();
  if (me) learnUsername(me.id, me.username);
  const unknown = members.filter((m) => m.memberType === 'user' && !known[m.memberId] && m.memberId !== me?.id
    && (m.displayName ?? '').trim().length >= 2).slice(0, 20);
  for (const member of unknown) {
    try {
      const users = await api<{ id: string; username: string }[]>(`/api/users/search?q=${encodeURIComponent(member.displayName!.trim())}`);
      for (const user of users) learnUsername(user.id, user.username);
    } catch {
      return;
    }
  }
}

function learnUsername(userId: string, username: string): void {
  if (chat.get().usernames[userId] === username) return;
  chat.set((s) => ({ ...s, usernames: { ...s.usernames, [userId]: username } }));
}

/** Opens a room: subscribes to its frames, loads the newest page once, marks it read. */
export async function openRoom(roomId: string): Promise<void> {
  realtime.joinRoom(roomId);
  void loadMembers(roomId);
  if (!roomState(roomId).loaded) {
    try {
      const page = await api<HistoryPage>(`/api/messages/rooms/${encodeURIComponent(roomId)}?limit=${HISTORY_PAGE}`);
      updateRoom(roomId, (r) => ({
        ...r,
        messages: mergeMessages(r.messages, page.items),
        loaded: true,
        hasMore: page.hasMore,
        nextCursor: page.nextCursor,
      }));
    } catch (e) {
      notify(`Could not load messages: ${errorText(e)}`);
      return;
    }
  }
  void markRead(roomId);
}

/** Leaving the view keeps the subscription (unread counts); only the room's typing indicators are dropped. */
export function closeRoom(roomId: string): void {
  updateRoom(roomId, (r) => ({ ...r, typing: {} }));
}

/** Scroll-back: the page before the oldest loaded message (the hub's opaque cursor). */
export async function loadOlder(roomId: string): Promise<void> {
  const room = roomState(roomId);
  if (!room.hasMore || room.loadingOlder || !room.nextCursor) return;
  updateRoom(roomId, (r) => ({ ...r, loadingOlder: true }));
  try {
    const page = await api<HistoryPage>(
      `/api/messages/rooms/${encodeURIComponent(roomId)}?limit=${HISTORY_PAGE}&cursor=${encodeURIComponent(room.nextCursor)}`,
    );
    updateRoom(roomId, (r) => ({
      ...r,
      messages: mergeMessages(r.messages, page.items),
      hasMore: page.hasMore,
      nextCursor: page.nextCursor,
      loadingOlder: false,
    }));
  } catch (e) {
    updateRoom(roomId, (r) => ({ ...r, loadingOlder: false }));
    notify(`Could not load older messages: ${errorText(e)}`);
  }
}

/** After a reconnect: what each loaded room missed, and the room list's counts. */
async function catchUpAll(): Promise<void> {
  void loadRooms();
  const rooms = chat.get().byRoom;
  await Promise.all(Object.keys(rooms).filter((id) => rooms[id].loaded).map((id) => catchUp(id)));
}

/**
 * What a loaded room missed: pages forward from its last message (each `after=` page holds the oldest 100 newer ones)
 * until nothing newer is left. Further behind than CATCH_UP_PAGES pages, it starts again from the newest page and
 * leaves the rest to scroll-back, rather than fetching without end.
 */
async function catchUp(roomId: string): Promise<void> {
  const room = roomState(roomId);
  const last = room.messages[room.messages.length - 1];
  const base = `/api/messages/rooms/${encodeURIComponent(roomId)}?limit=100`;
  try {
    const missed: Message[] = [];
    let newest: HistoryPage | null = null;
    if (!last) {
      newest = await api<HistoryPage>(base);
    } else {
      for (let after = last.createdAt, pages = 0; ; pages++) {
        const page = await api<HistoryPage>(`${base}&after=${encodeURIComponent(after)}`);
        missed.push(...page.items.slice().reverse());
        if (!page.hasMore || !page.nextCursor) break;
        if (pages + 1 >= CATCH_UP_PAGES) {
          newest = await api<HistoryPage>(base);
          break;
        }
        after = page.nextCursor;
      }
    }
    updateRoom(roomId, (r) => {
      const streams = { ...r.streams };
      for (const message of newest ? newest.items : missed) delete streams[message.id];
      if (newest && last) {
        return { ...r, messages: newest.items.slice().reverse(), streams, hasMore: newest.hasMore, nextCursor: newest.nextCursor };
      }
      return { ...r, messages: mergeMessages(r.messages, newest ? newest.items : missed), streams };
    });
    if (roomId === activeRoomId()) void markRead(roomId);
  } catch {
    // The next reconnect tries again.
  }
}

/** Merges messages by id and keeps them oldest first. */
function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => {
    const ta = Date.parse(a.createdAt);
    const tb = Date.parse(b.createdAt);
    return ta !== tb ? ta - tb : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

// --- actions -----------------------------------------------------------------------------------------------

const reading: Record<string, 'busy' | 'again'> = {};

export async function markRead(roomId: string): Promise<void> {
  chat.set((s) => (s.recent[roomId] && s.recent[roomId].unread !== 0
    ? { ...s, recent: { ...s.recent, [roomId]: { ...s.recent[roomId], unread: 0 } } }
    : s));
  // One request at a time per room; a read that comes in meanwhile is sent right after it.
  if (reading[roomId]) {
    reading[roomId] = 'again';
    return;
  }
  reading[roomId] = 'busy';
  try {
    await api(`/api/messages/rooms/${encodeURIComponent(roomId)}/read`, { method: 'POST' });
  } catch {
    // The next read retries.
  }
  const again = (reading[roomId] as string) === 'again';
  delete reading[roomId];
  if (again) void markRead(roomId);
}

export function sendMessage(roomId: string, content: string, extra: { replyToId?: string; attachmentIds?: string[] } = {}): void {
  const frame: { type: string } & Record<string, unknown> = { type: 'client:send_message', roomId, content, mentions: [] };
  if (extra.replyToId) frame.replyToId = extra.replyToId;
  if (extra.attachmentIds?.length) frame.attachmentIds = extra.attachmentIds;
  realtime.send(frame);
}

export function stopAgent(roomId: string, agentId: string): void {
  realtime.send({ type: 'client:stop_generation', roomId, agentId });
}

export function answerPermission(roomId: string, requestId: string, decision: 'allow' | 'allowAlways' | 'deny'): void {
  realtime.send({ type: 'client:permission_response', requestId, decision });
  updateRoom(roomId, (r) => ({ ...r, permissions: r.permissions.filter((p) => p.requestId !== requestId) }));
}

let lastTyping = 0;
export function sendTyping(roomId: string): void {
  const now = Date.now();
  if (now - lastTyping < 1500) return;
  lastTyping = now;
  realtime.send({ type: 'client:typing', roomId });
}

export async function toggleReaction(messageId: string, emoji: string): Promise<void> {
  try {
    await api<Reaction[]>(`/api/messages/${encodeURIComponent(messageId)}/reactions`, { method: 'POST', body: { emoji } });
  } catch (e) {
    notify(errorText(e));
  }
}

export async function editMessage(messageId: string, content: string): Promise<void> {
  try {
    const message = await api<Message>(`/api/messages/${encodeURIComponent(messageId)}`, { method: 'PUT', body: { content } });
    replaceMessage(message);
  } catch (e) {
    notify(`Could not edit: ${errorText(e)}`);
  }
}

export async function deleteMessage(roomId: string, messageId: string): Promise<void> {
  try {
    await api(`/api/messages/${encodeURIComponent(messageId)}`, { method: 'DELETE' });
    removeMessages(roomId, [messageId]);
  } catch (e) {
    notify(`Could not delete: ${errorText(e)}`);
  }
}

export async function createRoom(name: string, memberIds: string[] = []): Promise<Room> {
  const room = await api<Room>('/api/rooms', { method: 'POST', body: { name, type: 'group', memberIds } });
  chat.set((s) => ({ ...s, rooms: [...s.rooms.filter((r) => r.id !== room.id), { ...room, pinnedAt: null, archivedAt: null }] }));
  realtime.joinRoom(room.id);
  return room;
}

export async function togglePin(roomId: string): Promise<void> {
  try {
    const data = await api<{ pinned: boolean }>(`/api/rooms/${encodeURIComponent(roomId)}/pin`, { method: 'PUT' });
    patchRoom(roomId, { pinnedAt: data.pinned ? new Date().toISOString() : null });
  } catch (e) {
    notify(errorText(e));
  }
}

export async function toggleArchive(roomId: string): Promise<void> {
  try {
    const data = await api<{ archived: boolean }>(`/api/rooms/${encodeURIComponent(roomId)}/archive`, { method: 'PUT' });
    patchRoom(roomId, { archivedAt: data.archived ? new Date().toISOString() : null });
  } catch (e) {
    notify(errorText(e));
  }
}

export async function leaveRoom(roomId: string): Promise<void> {
  const me = currentUser();
  if (!me) return;
  try {
    await api(`/api/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(me.id)}`, { method: 'DELETE' });
    forgetRoom(roomId);
  } catch (e) {
    notify(`Could not leave: ${errorText(e)}`);
  }
}

export async function addMember(roomId: string, memberId: string, memberType: 'user' | 'agent'): Promise<void> {
  await api(`/api/rooms/${encodeURIComponent(roomId)}/members`, { method: 'POST', body: { memberId, memberType } });
  await loadMembers(roomId);
}

function patchRoom(roomId: string, patch: Partial<Room>): void {
  chat.set((s) => ({ ...s, rooms: s.rooms.map((r) => (r.id === roomId ? { ...r, ...patch } : r)) }));
}

function forgetRoom(roomId: string): void {
  realtime.leaveRoom(roomId);
  chat.set((s) => {
    const byRoom = { ...s.byRoom };
    delete byRoom[roomId];
    return { ...s, rooms: s.rooms.filter((r) => r.id !== roomId), byRoom };
  });
  if (activeRoomId() === roomId) navigate('/', true);
}

function replaceMessage(message: Message): void {
  updateRoom(message.roomId, (r) => ({
    ...r,
    messages: r.messages.map((m) => (m.id === message.id ? { ...m, ...message, reactions: message.reactions ?? m.reactions,
      attachments: message.attachments ?? m.attachments } : m)),
  }));
}

function removeMessages(roomId: string, ids: string[]): void {
  const drop = new Set(ids);
  updateRoom(roomId, (r) => ({ ...r, messages: r.messages.filter((m) => !drop.has(m.id)) }));
}

// --- frames ------------------------------------------------------------------------------------------------

function onFrame(frame: ServerFrame): void {
  const f = frame as Record<string, any>;
  switch (frame.type) {
    case 'server:new_message':
    case 'server:message_complete':
      onMessage(f.message as Message, frame.type === 'server:message_complete');
      break;
    case 'server:message_chunk':
      onChunk(f.roomId, f.messageId, f.agentId, f.agentName, f.chunk as Chunk);
      break;
    case 'server:message_edited':
      replaceMessage(f.message as Message);
      break;
    case 'server:message_deleted':
      removeMessages(f.roomId, [f.messageId]);
      break;
    case 'server:room_rewound':
      removeMessages(f.roomId, f.removedMessageIds ?? []);
      break;
    case 'server:reaction_update':
      updateRoom(f.roomId, (r) => ({
        ...r,
        messages: r.messages.map((m) => (m.id === f.messageId ? { ...m, reactions: f.reactions } : m)),
      }));
      break;
    case 'server:typing': {
      if (f.userId === currentUser()?.id) break;
      const until = Date.now() + TYPING_TTL_MS;
      updateRoom(f.roomId, (r) => ({ ...r, typing: { ...r.typing, [f.userId]: { username: f.username, until } } }));
      window.setTimeout(() => updateRoom(f.roomId, (r) => {
        if (!r.typing[f.userId] || r.typing[f.userId].until > Date.now()) return r;
        const typing = { ...r.typing };
        delete typing[f.userId];
        return { ...r, typing };
      }), TYPING_TTL_MS + 50);
      break;
    }
    case 'server:presence':
      chat.set((s) => ({ ...s, presence: { ...s.presence, [f.userId]: f.online === true } }));
      break;
    case 'server:agent_status': {
      const agent = f.agent as Agent;
      chat.set((s) => ({ ...s, agents: { ...s.agents, [agent.id]: { ...s.agents[agent.id], ...agent } } }));
      if (agent.status !== 'busy') {
        // A stopped or failed agent sends no completion; its stream should not spin forever.
        for (const [roomId, room] of Object.entries(chat.get().byRoom)) {
          if (Object.values(room.streams).some((st) => st.agentId === agent.id && Date.now() - st.startedAt > 1000)) {
            void catchUp(roomId);
          }
        }
      }
      break;
    }
    case 'server:room_update': {
      const room = f.room as Room;
      chat.set((s) => ({ ...s, rooms: s.rooms.map((r) => (r.id === room.id ? { ...r, ...room, pinnedAt: r.pinnedAt,
        archivedAt: r.archivedAt } : r)) }));
      if (Array.isArray(f.members)) updateRoom(room.id, (r) => ({ ...r, members: f.members }));
      else void loadMembers(room.id);
      break;
    }
    case 'server:room_removed':
      forgetRoom(f.roomId);
      break;
    case 'server:room_cleared':
      updateRoom(f.roomId, (r) => ({ ...r, messages: r.messages.filter((m) => Date.parse(m.createdAt) > Date.parse(f.clearedAt)) }));
      break;
    case 'server:read_receipt':
      updateRoom(f.roomId, (r) => ({ ...r, readBy: { ...r.readBy, [f.userId]: { username: f.username, lastReadAt: f.lastReadAt } } }));
      break;
    case 'server:permission_request':
      updateRoom(f.roomId, (r) => ({
        ...r,
        permissions: [...r.permissions.filter((p) => p.requestId !== f.requestId), frame as unknown as PermissionRequest],
      }));
      break;
    case 'server:permission_request_expired':
      chat.set((s) => {
        const byRoom: Record<string, RoomState> = {};
        for (const [id, r] of Object.entries(s.byRoom)) {
          byRoom[id] = { ...r, permissions: r.permissions.filter((p) => p.requestId !== f.requestId) };
        }
        return { ...s, byRoom };
      });
      break;
    case 'server:error':
      if (f.code === 'SESSION_REVOKED') endSession('Your session was ended (password changed or signed out elsewhere).');
      else if (f.code === 'SERVER_SHUTDOWN') notify('The hub is restarting; reconnecting…');
      else notify(String(f.message ?? f.code));
      break;
    case 'server:agents_changed':
      void loadAgents();
      break;
  }
}

function onMessage(message: Message, complete: boolean): void {
  if (!message?.id || !message.roomId) return;
  const known = chat.get().rooms.some((r) => r.id === message.roomId);
  updateRoom(message.roomId, (r) => {
    const streams = { ...r.streams };
    if (complete) delete streams[message.id];
    return { ...r, streams, messages: r.loaded || r.messages.length ? mergeMessages(r.messages, [message]) : r.messages };
  });
  if (message.senderType === 'system' && message.senderId === 'system') return;
  const mine = message.senderId === currentUser()?.id;
  const active = message.roomId === activeRoomId() && document.visibilityState === 'visible';
  chat.set((s) => {
    const previous = s.recent[message.roomId];
    const unread = mine || active ? 0 : (previous?.unread ?? 0) + (previous?.createdAt === message.createdAt ? 0 : 1);
    return {
      ...s,
      recent: {
        ...s.recent,
        [message.roomId]: { content: message.content, senderName: message.senderName, createdAt: message.createdAt, unread },
      },
    };
  });
  if (active && !mine) void markRead(message.roomId);
  if (!known) void loadRooms();
}

function onChunk(roomId: string, messageId: string, agentId: string, agentName: string, chunk: Chunk): void {
  if (!roomId || !messageId || !chunk) return;
  updateRoom(roomId, (r) => {
    if (r.messages.some((m) => m.id === messageId)) return r;
    const previous = r.streams[messageId];
    const chunks = previous ? previous.chunks.slice() : [];
    const last = chunks[chunks.length - 1];
    // Consecutive text or thinking pieces are one block: the renderer then parses one string, not thousands.
    if (last && last.type === chunk.type && (chunk.type === 'text' || chunk.type === 'thinking') && !chunk.metadata) {
      chunks[chunks.length - 1] = { ...last, content: last.content + chunk.content };
    } else {
      chunks.push(chunk);
    }
    return {
      ...r,
      streams: { ...r.streams, [messageId]: { messageId, agentId, agentName, chunks, startedAt: previous?.startedAt ?? Date.now() } },
    };
  });
}
