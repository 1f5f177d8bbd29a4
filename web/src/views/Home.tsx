import { chat } from '../lib/chat';
import { session } from '../lib/session';
import { useStore } from '../lib/store';

export function HomeView() {
  const user = useStore(session, (s) => (s.status === 'signedIn' ? s.user : null));
  const roomCount = useStore(chat, (s) => s.rooms.length);
  return (
    <section class="page home">
      <h1>Welcome, {user?.displayName}</h1>
      <p>{roomCount === 0 ? 'Create a room in the sidebar to start chatting with people and agents.' : 'Pick a room on the left.'}</p>
    </section>
  );
}
