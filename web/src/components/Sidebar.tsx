import { useState } from 'preact/hooks';
import { chat, createRoom, notify } from '../lib/chat';
import { errorText } from '../lib/api';
import { realtime } from '../lib/realtime';
import { location$, matchPath, navigate } from '../lib/router';
import { session, signOut } from '../lib/session';
import { useStore } from '../lib/store';
import type { Room } from '../lib/types';
import { routes } from '../routes';
import { Link } from './Link';

export function Sidebar() {
  const user = useStore(session, (s) => (s.status === 'signedIn' ? s.user : null));
  const path = useStore(location$, (l) => l);
  const { rooms, recent, roomsLoaded } = useStore(chat, (s) => ({ rooms: s.rooms, recent: s.recent, roomsLoaded: s.roomsLoaded }));
  const [showArchived, setShowArchived] = useState(false);
  const activeRoom = matchPath('/rooms/:roomId', path)?.roomId;

  const sorted = [...rooms].sort((a, b) => {
    if (!!a.pinnedAt !== !!b.pinnedAt) return a.pinnedAt ? -1 : 1;
    const ta = Date.parse(recent[a.id]?.createdAt ?? a.updatedAt ?? a.createdAt) || 0;
    const tb = Date.parse(recent[b.id]?.createdAt ?? b.updatedAt ?? b.createdAt) || 0;
    return tb - ta;
  });
  const visible = sorted.filter((r) => !r.archivedAt);
  const archived = sorted.filter((r) => r.archivedAt);

  return (
    <nav class={`sidebar${path.split('?')[0] !== '/' ? ' has-page' : ''}`} aria-label="Rooms and navigation">
      <header class="sidebar-head">
        <Link to="/" class="brand">AgentIM</Link>
        <ConnectionBadge />
      </header>
      <NewRoomForm />
      <ul class="room-list" aria-label="Rooms">
        {!roomsLoaded && <li class="muted">Loading…</li>}
        {roomsLoaded && visible.length === 0 && <li class="muted">No rooms yet.</li>}
        {visible.map((room) => (
          <RoomItem key={room.id} room={room} active={room.id === activeRoom} unread={recent[room.id]?.unread ?? 0} />
        ))}
      </ul>
      {archived.length > 0 && (
        <div class="archived">
          <button class="link" onClick={() => setShowArchived(!showArchived)} aria-expanded={showArchived}>
            Archived ({archived.length})
          </button>
          {showArchived && (
            <ul class="room-list">
              {archived.map((room) => <RoomItem key={room.id} room={room} active={room.id === activeRoom} unread={0} />)}
            </ul>
          )}
        </div>
      )}
      <footer class="sidebar-foot">
        {routes.filter((r) => r.nav && (!r.adminOnly || user?.role === 'admin')).map((r) => (
          <Link key={r.path} to={r.path} class={path === r.path ? 'active' : undefined}>{r.nav}</Link>
        ))}
        <span class="me" title={user?.username}>{user?.displayName}</span>
        <button class="link" onClick={() => void signOut()}>Sign out</button>
      </footer>
    </nav>
  );
}

function RoomItem(props: { room: Room; active: boolean; unread: number }) {
  const { room } = props;
  return (
    <li>
      <Link to={`/rooms/${encodeURIComponent(room.id)}`} class={`room-item${props.active ? ' active' : ''}`}>
        <span class="room-name">{room.pinnedAt && <span class="pin" aria-label="pinned">▲ </span>}{room.name}</span>
        {props.unread > 0 && <span class="badge" aria-label={`${props.unread} unread`}>{props.unread > 99 ? '99+' : props.unread}</span>}
      </Link>
    </li>
  );
}

function NewRoomForm() {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    try {
      const room = await createRoom(name.trim());
      setName('');
      navigate(`/rooms/${encodeURIComponent(room.id)}`);
    } catch (e) {
      notify(`Could not create the room: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="new-room" onSubmit={submit}>
      <input aria-label="New room name" placeholder="New room" maxLength={100} value={name}
        onInput={(e) => setName(e.currentTarget.value)} />
      <button type="submit" disabled={busy || !name.trim()} title="Create room">+</button>
    </form>
  );
}

const stateText = { connecting: 'Connecting…', online: 'Online', reconnecting: 'Reconnecting…', offline: 'Offline' };

export function ConnectionBadge() {
  const { state } = useStore(realtime.connection, (c) => c);
  return (
    <button class={`conn conn-${state}`} data-state={state} onClick={() => realtime.reconnectNow()}
      title={state === 'online' ? 'Connected' : 'Click to reconnect now'} aria-live="polite">
      <span class="dot" />{stateText[state]}
    </button>
  );
}
