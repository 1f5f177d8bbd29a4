import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api';
import {
  addMember, chat, closeRoom, leaveRoom, loadOlder, notify, openRoom, stopAgent, toggleArchive, togglePin,
  type RoomState, type Stream,
} from '../lib/chat';
import { onLinkClick } from '../lib/router';
import { currentUser } from '../lib/session';
import { useStore } from '../lib/store';
import type { Agent, Message, RoomMember, User } from '../lib/types';
import { Chunks } from '../components/Chunks';
import { Composer, type MentionCandidate } from '../components/Composer';
import { MessageItem } from '../components/MessageItem';
import { PermissionCard } from '../components/PermissionCard';

const EMPTY: RoomState = {
  messages: [], loaded: false, hasMore: false, loadingOlder: false, streams: {}, typing: {}, permissions: [], members: [], readBy: {},
};

export function RoomView({ roomId }: { roomId: string }) {
  const room = useStore(chat, (s) => s.rooms.find((r) => r.id === roomId));
  const state = useStore(chat, (s) => s.byRoom[roomId] ?? EMPTY);
  const agents = useStore(chat, (s) => s.agents);
  const presence = useStore(chat, (s) => s.presence);
  const usernames = useStore(chat, (s) => s.usernames);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [showMembers, setShowMembers] = useState(false);
  const me = currentUser();

  useEffect(() => {
    void openRoom(roomId);
    setReplyTo(null);
    return () => closeRoom(roomId);
  }, [roomId]);

  if (!room) {
    return <section class="page"><p class="muted">Loading room…</p></section>;
  }

  const candidates: MentionCandidate[] = state.members
    .filter((m) => m.memberId !== me?.id)
    .map((m) => ({
      name: m.memberType === 'agent' ? (agents[m.memberId]?.name ?? m.displayName ?? m.memberId)
        : (usernames[m.memberId] ?? usernameOf(m)),
      label: m.displayName ?? '',
      kind: m.memberType,
    }))
    .filter((c) => c.name);
  const typing = Object.values(state.typing).filter((t) => t.until > Date.now()).map((t) => t.username);

  return (
    <section class="room" aria-label={`Room ${room.name}`}>
      <header class="room-head">
        <a href="/" class="back" aria-label="Back to rooms" onClick={(e) => onLinkClick(e, '/')}>‹</a>
        <h1>{room.name}</h1>
        <span class="muted member-count">{state.members.length} members</span>
        <a href={`/rooms/${encodeURIComponent(roomId)}/tasks`} class="room-tasks-link"
          onClick={(e) => onLinkClick(e, `/rooms/${encodeURIComponent(roomId)}/tasks`)}>Tasks</a>
        <span class="spacer" />
        <button aria-pressed={!!room.pinnedAt} onClick={() => void togglePin(roomId)}>{room.pinnedAt ? 'Unpin' : 'Pin'}</button>
        <button aria-pressed={!!room.archivedAt} onClick={() => void toggleArchive(roomId)}>
          {room.archivedAt ? 'Unarchive' : 'Archive'}
        </button>
        <button onClick={() => setShowMembers(!showMembers)} aria-expanded={showMembers}>Members</button>
      </header>
      <div class="room-body">
        <MessageList roomId={roomId} state={state} myId={me?.id ?? ''} onReply={setReplyTo} />
        {showMembers && <MembersPanel roomId={roomId} members={state.members} agents={agents} presence={presence}
          creatorId={room.createdById} />}
      </div>
      {state.permissions.map((p) => <PermissionCard key={p.requestId} request={p} />)}
      <div class="typing" aria-live="polite">
        {typing.length > 0 && `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`}
      </div>
      <Composer roomId={roomId} candidates={candidates} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} />
    </section>
  );
}

function usernameOf(member: RoomMember): string {
  // Room member rows carry the display name; mentions match usernames or display names without spaces.
  return (member.displayName ?? '').replace(/\s+/g, '');
}

function MessageList(props: { roomId: string; state: RoomState; myId: string; onReply: (m: Message) => void }) {
  const { state } = props;
  const list = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const before = useRef<{ height: number; top: number } | null>(null);
  const streams = Object.values(state.streams);
  const byId = new Map(state.messages.map((m) => [m.id, m]));

  // Keep the view pinned to the bottom while new messages arrive, and in place when older ones are prepended.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (before.current) {
      el.scrollTop = el.scrollHeight - before.current.height + before.current.top;
      before.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  });

  useEffect(() => {
    stick.current = true;
  }, [props.roomId]);

  function onScroll() {
    const el = list.current!;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (el.scrollTop < 120 && state.hasMore && !state.loadingOlder) {
      before.current = { height: el.scrollHeight, top: el.scrollTop };
      void loadOlder(props.roomId);
    }
  }

  return (
    <div class="messages" ref={list} onScroll={onScroll} tabIndex={0} aria-label="Messages">
      {state.hasMore && (
        <button class="link older" onClick={() => void loadOlder(props.roomId)} disabled={state.loadingOlder}>
          {state.loadingOlder ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {!state.loaded && <p class="muted">Loading messages…</p>}
      {state.loaded && state.messages.length === 0 && streams.length === 0 && <p class="muted empty">No messages yet. Say hello!</p>}
      <ol class="message-list">
        {state.messages.map((m) => (
          <MessageItem key={m.id} message={m} mine={m.senderId === props.myId && m.senderType === 'user'} myId={props.myId}
            replyTo={m.replyToId ? byId.get(m.replyToId) : undefined} onReply={props.onReply} />
        ))}
        {streams.map((s) => <StreamItem key={s.messageId} roomId={props.roomId} stream={s} />)}
      </ol>
      <ReadLine state={state} myId={props.myId} />
    </div>
  );
}

function StreamItem({ roomId, stream }: { roomId: string; stream: Stream }) {
  return (
    <li class="msg agent streaming" data-id={stream.messageId} aria-busy="true">
      <div class="msg-head">
        <span class="sender">{stream.agentName}</span>
        <span class="tag">agent</span>
        <span class="muted">writing…</span>
        <span class="spacer" />
        <button class="danger small" onClick={() => stopAgent(roomId, stream.agentId)}>Stop</button>
      </div>
      <Chunks chunks={stream.chunks} />
    </li>
  );
}

function ReadLine({ state, myId }: { state: RoomState; myId: string }) {
  const last = state.messages[state.messages.length - 1];
  if (!last) return null;
  const readers = Object.entries(state.readBy)
    .filter(([userId, r]) => userId !== myId && Date.parse(r.lastReadAt) >= Date.parse(last.createdAt))
    .map(([, r]) => r.username);
  return readers.length ? <p class="read-line muted">Seen by {readers.join(', ')}</p> : null;
}

function MembersPanel(props: {
  roomId: string;
  members: RoomMember[];
  agents: Record<string, Agent>;
  presence: Record<string, boolean>;
  creatorId: string;
}) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Pick<User, 'id' | 'username' | 'displayName'>[]>([]);
  const memberIds = new Set(props.members.map((m) => m.memberId));
  const addableAgents = Object.values(props.agents).filter((a) => !memberIds.has(a.id));

  useEffect(() => {
    if (query.trim().length < 2) {
      setFound([]);
      return;
    }
    const timer = window.setTimeout(() => {
      api<User[]>(`/api/users/search?q=${encodeURIComponent(query.trim())}`).then(setFound, () => setFound([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [query]);

  async function add(memberId: string, memberType: 'user' | 'agent') {
    try {
      await addMember(props.roomId, memberId, memberType);
      setQuery('');
    } catch (e) {
      notify(`Could not add: ${errorText(e)}`);
    }
  }

  return (
    <aside class="members" aria-label="Members">
      <h2>Members</h2>
      <ul>
        {props.members.map((m) => {
          const agent = m.memberType === 'agent' ? props.agents[m.memberId] : undefined;
          const status = agent ? agent.status : props.presence[m.memberId] ? 'online' : undefined;
          return (
            <li key={m.memberId}>
              <span class={`dot status-${status ?? 'unknown'}`} title={status ?? 'unknown'} />
              {agent?.name ?? m.displayName ?? m.memberId}
              {m.memberType === 'agent' && <span class="tag">agent</span>}
              {m.role !== 'member' && <span class="muted"> {m.role}</span>}
            </li>
          );
        })}
      </ul>
      <h3>Add people</h3>
      <input placeholder="Search users" aria-label="Search users" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      <ul>
        {found.filter((u) => !memberIds.has(u.id)).map((u) => (
          <li key={u.id}>{u.displayName} <span class="muted">@{u.username}</span>
            <button class="small" onClick={() => void add(u.id, 'user')}>Add</button></li>
        ))}
      </ul>
      {addableAgents.length > 0 && (
        <>
          <h3>Add agents</h3>
          <ul>
            {addableAgents.map((a) => (
              <li key={a.id}><span class={`dot status-${a.status}`} />{a.name}
                <button class="small" onClick={() => void add(a.id, 'agent')}>Add</button></li>
            ))}
          </ul>
        </>
      )}
      <button class="danger" onClick={() => confirm('Leave this room?') && void leaveRoom(props.roomId)}>Leave room</button>
    </aside>
  );
}
