import { useEffect } from 'preact/hooks';
import { onTokenChange } from './lib/api';
import { realtime } from './lib/realtime';
import { location$, matchPath } from './lib/router';
import { endSession, restoreSession, session } from './lib/session';
import { useStore } from './lib/store';
import { chat, startChat, stopChat } from './lib/chat';
import { routes } from './routes';
import { LoginView } from './views/Login';
import { Sidebar } from './components/Sidebar';
import { AdminsOnly } from './views/admin/common';

export function App() {
  const state = useStore(session, (s) => s);

  useEffect(() => {
    void restoreSession();
  }, []);

  useEffect(() => {
    if (state.status !== 'signedIn') return;
    startChat();
    realtime.start();
    // A refresh that the hub refused (revoked, expired) ends the session here too.
    const unsubscribe = onTokenChange((token) => {
      if (token === null && session.get().status === 'signedIn') endSession('Your session has ended. Please sign in again.');
    });
    return () => {
      unsubscribe();
      realtime.stop();
      stopChat();
    };
  }, [state.status]);

  if (state.status === 'loading') {
    return <div class="splash" aria-busy="true">AgentIM</div>;
  }
  if (state.status === 'signedOut') {
    return <LoginView notice={state.notice} />;
  }
  return <Shell />;
}

function Shell() {
  const path = useStore(location$, (l) => l);
  const user = useStore(session, (s) => (s.status === 'signedIn' ? s.user : null));
  let page = <NotFound />;
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    page = route.adminOnly && user?.role !== 'admin' ? <AdminsOnly /> : <route.view {...params} />;
    break;
  }
  return (
    <div class="shell">
      <Sidebar />
      <main class="main">{page}</main>
      <Toasts />
    </div>
  );
}

function NotFound() {
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>There is nothing at this address.</p>
    </section>
  );
}

function Toasts() {
  const notices = useStore(chat, (s) => s.notices);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {notices.map((n) => <div key={n.id} class="toast">{n.text}</div>)}
    </div>
  );
}
