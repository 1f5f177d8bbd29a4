import { api, refreshAccessToken, setAccessToken } from './api';
import { createStore } from './store';
import type { User } from './types';

// Who is signed in. "Stay signed in" is the HttpOnly refresh cookie: on load the app trades it for an access
// token; the access token itself lives only in memory.

export type SessionState =
  | { status: 'loading' }
  | { status: 'signedOut'; notice?: string }
  | { status: 'signedIn'; user: User };

export const session = createStore<SessionState>({ status: 'loading' });

interface LoginData {
  user?: User;
  accessToken?: string;
  totpRequired?: boolean;
}

// A hint (not a secret) that a refresh cookie may exist: a signed-out visitor's page load skips a refresh that can
// only fail.
const HINT = 'agentim.signedIn';

function setHint(on: boolean): void {
  try {
    if (on) localStorage.setItem(HINT, '1');
    else localStorage.removeItem(HINT);
  } catch {
    // Storage may be disabled; the refresh is then always tried.
  }
}

function hasHint(): boolean {
  try {
    return localStorage.getItem(HINT) !== null;
  } catch {
    return true;
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  const data = await api<LoginData>('/api/auth/login', { method: 'POST', body: { username, password }, anonymous: true });
  if (data.totpRequired || !data.accessToken) {
    throw new Error('This account uses two-factor sign-in, which this web app does not support yet.');
  }
  setAccessToken(data.accessToken);
  const user = await api<User>('/api/users/me');
  setHint(true);
  session.set({ status: 'signedIn', user });
}

/** On page load: a valid refresh cookie signs the user in again without a password. */
export async function restoreSession(): Promise<void> {
  if (!hasHint()) {
    session.set({ status: 'signedOut' });
    return;
  }
  const token = await refreshAccessToken();
  if (!token) {
    endSession();
    return;
  }
  try {
    const user = await api<User>('/api/users/me');
    session.set({ status: 'signedIn', user });
  } catch {
    endSession();
  }
}

export async function signOut(notice?: string): Promise<void> {
  try {
    await api('/api/auth/logout', { method: 'POST', body: {} });
  } catch {
    // The session may already be gone (revoked, expired); signing out locally is what matters.
  }
  endSession(notice);
}

/** Forgets the session locally (after a revocation the server already ended it). */
export function endSession(notice?: string): void {
  setHint(false);
  session.set({ status: 'signedOut', notice });
  setAccessToken(null);
}

export function updateUser(user: User): void {
  session.set({ status: 'signedIn', user });
}

export function currentUser(): User | null {
  const state = session.get();
  return state.status === 'signedIn' ? state.user : null;
}
