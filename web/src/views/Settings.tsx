import { useState } from 'preact/hooks';
import { api, errorText } from '../lib/api';
import { session, updateUser } from '../lib/session';
import { useStore } from '../lib/store';
import type { User } from '../lib/types';

export function SettingsView() {
  const user = useStore(session, (s) => (s.status === 'signedIn' ? s.user : null));
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [profileNote, setProfileNote] = useState<string | null>(null);
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [passwordNote, setPasswordNote] = useState<string | null>(null);

  async function saveProfile(event: Event) {
    event.preventDefault();
    try {
      const updated = await api<User>('/api/users/me', { method: 'PUT', body: { displayName: displayName.trim() } });
      updateUser({ ...user!, ...updated });
      setProfileNote('Saved.');
    } catch (e) {
      setProfileNote(errorText(e));
    }
  }

  async function changePassword(event: Event) {
    event.preventDefault();
    try {
      await api('/api/users/me/password', { method: 'PUT', body: { currentPassword, newPassword } });
      // The hub ends every session of the user, this one included: the revocation frame signs us out.
      setPasswordNote('Password changed. Sign in again with the new password.');
    } catch (e) {
      setPasswordNote(errorText(e));
    }
  }

  return (
    <section class="page settings">
      <h1>Settings</h1>
      <form class="card" onSubmit={saveProfile} aria-label="Profile">
        <h2>Profile</h2>
        <p class="muted">Signed in as <b>{user?.username}</b> ({user?.role})</p>
        <label>
          Display name
          <input value={displayName} maxLength={100} required onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">Save</button>
        {profileNote && <p role="status">{profileNote}</p>}
      </form>
      <form class="card" onSubmit={changePassword} aria-label="Change password">
        <h2>Password</h2>
        <label>
          Current password
          <input type="password" autocomplete="current-password" required value={currentPassword}
            onInput={(e) => setCurrentPassword(e.currentTarget.value)} />
        </label>
        <label>
          New password
          <input type="password" autocomplete="new-password" required minLength={8} maxLength={128} value={newPassword}
            onInput={(e) => setNewPassword(e.currentTarget.value)} />
        </label>
        <p class="muted">8–128 characters with a lowercase letter, an uppercase letter and a digit.</p>
        <button type="submit" class="primary">Change password</button>
        {passwordNote && <p role="status">{passwordNote}</p>}
      </form>
    </section>
  );
}
