import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText, requestEnvelope } from '../../lib/api';
import { session } from '../../lib/session';
import { useStore } from '../../lib/store';
import { AdminGate, formatTime, Note, readable, useNote, PhoneBack } from './common';

// Admin: the hub's users (rest-api.md §4 #22–25): list, create, change role, reset password, delete.

interface AdminUser {
  id: string;
  username: string;
  displayName: string;
  role: 'admin' | 'user';
  maxWsConnections: number | null;
  maxGateways: number | null;
  createdAt: string;
  disabledAt?: string | null;
}

type FieldErrors = Record<string, string>;

const PAGE = 100;

/** Field messages from a 400 (keys such as validation.passwordUppercase become plain words). */
function fieldErrors(error: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (error instanceof ApiError) for (const f of error.fields ?? []) out[f.field] = readable(f.message);
  return out;
}

export function UsersAdminView() {
  return <AdminGate><UsersAdmin /></AdminGate>;
}

function UsersAdmin() {
  const me = useStore(session, (s) => (s.status === 'signedIn' ? s.user.id : ''));
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [total, setTotal] = useState(0);
  const [offset, setOffset] = useState(0);
  const [note, setNote] = useNote();

  async function load(at = offset) {
    try {
      const envelope = await requestEnvelope<AdminUser[]>(`/api/users?limit=${PAGE}&offset=${at}`);
      setUsers(envelope.data);
      setTotal(typeof envelope.total === 'number' ? envelope.total : envelope.data.length);
      setOffset(at);
    } catch (e) {
      setNote(`Could not load the users: ${errorText(e)}`, true);
    }
  }
  useEffect(() => {
    void load(0);
  }, []);

  async function change(user: AdminUser, body: Record<string, unknown>, done: string) {
    try {
      await api(`/api/users/${encodeURIComponent(user.id)}`, { method: 'PUT', body });
      setNote(done);
      await load();
    } catch (e) {
      setNote(`${user.username}: ${errorText(e)}`, true);
    }
  }

  async function setDisabled(user: AdminUser, disabled: boolean) {
    try {
      await api(`/api/users/${encodeURIComponent(user.id)}/${disabled ? 'disable' : 'enable'}`, { method: 'POST', body: {} });
      setNote(disabled ? `${user.username} is disabled; their sessions have ended.` : `${user.username} is enabled again.`);
      await load();
    } catch (e) {
      setNote(`${user.username}: ${errorText(e)}`, true);
    }
  }

  async function remove(user: AdminUser) {
    if (!confirm(`Delete ${user.username}? Their rooms, tasks and gateways go with them.`)) return;
    try {
      await api(`/api/users/${encodeURIComponent(user.id)}`, { method: 'DELETE' });
      setNote(`${user.username} was deleted.`);
      await load();
    } catch (e) {
      setNote(`${user.username}: ${errorText(e)}`, true);
    }
  }

  return (
    <section class="page wide admin-users" aria-labelledby="users-title">
      <PhoneBack />
      <h1 id="users-title">Users</h1>
      <CreateUserForm onCreated={async (name) => { setNote(`${name} was created and can sign in now.`); await load(); }} />
      <Note text={note.text} error={note.error} />
      {users === null ? <p class="muted">Loading…</p> : (
        <table class="data-table" aria-label="Users">
          <thead>
            <tr><th>User</th><th>Role</th><th>Created</th><th>Password</th><th>Actions</th></tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserRow key={u.id} user={u} isMe={u.id === me} onChange={change} onDisable={setDisabled} onDelete={remove} />
            ))}
          </tbody>
        </table>
      )}
      {total > PAGE && (
        <p class="buttons">
          <button disabled={offset === 0} onClick={() => void load(Math.max(0, offset - PAGE))}>Previous</button>
          <span class="muted">{offset + 1}–{Math.min(offset + PAGE, total)} of {total}</span>
          <button disabled={offset + PAGE >= total} onClick={() => void load(offset + PAGE)}>Next</button>
        </p>
      )}
      <p class="muted">A disabled user cannot sign in and is signed out everywhere; deleting removes the account for good.</p>
    </section>
  );
}

function UserRow(props: {
  user: AdminUser;
  isMe: boolean;
  onChange: (user: AdminUser, body: Record<string, unknown>, done: string) => Promise<void>;
  onDisable: (user: AdminUser, disabled: boolean) => Promise<void>;
  onDelete: (user: AdminUser) => Promise<void>;
}) {
  const { user } = props;
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function reset(event: Event) {
    event.preventDefault();
    setError(null);
    try {
      await api(`/api/users/${encodeURIComponent(user.id)}`, { method: 'PUT', body: { password } });
      setResetting(false);
      setPassword('');
      await props.onChange(user, {}, `${user.username}'s password was reset; their sessions have ended.`);
    } catch (e) {
      setError(fieldErrors(e).password ?? errorText(e));
    }
  }

  return (
    <tr data-username={user.username}>
      <td data-label="User"><b>{user.displayName}</b> <span class="muted">@{user.username}</span>{props.isMe && <span class="tag">you</span>}
        {user.disabledAt && <span class="pill disabled">disabled</span>}</td>
      <td data-label="Role">
        <select value={user.role} disabled={props.isMe} aria-label={`Role of ${user.username}`}
          onChange={(e) => void props.onChange(user, { role: e.currentTarget.value }, `${user.username} is now ${e.currentTarget.value}.`)}>
          <option value="user">user</option>
          <option value="admin">admin</option>
        </select>
      </td>
      <td data-label="Created">{formatTime(user.createdAt)}</td>
      <td data-label="Password">
        {resetting ? (
          <form class="row-actions" onSubmit={reset}>
            <input type="password" autocomplete="new-password" required minLength={8} maxLength={128} value={password}
              aria-label={`New password for ${user.username}`} aria-invalid={error ? 'true' : undefined}
              onInput={(e) => setPassword(e.currentTarget.value)} />
            <button type="submit" class="primary small">Set</button>
            <button type="button" class="small" onClick={() => { setResetting(false); setError(null); }}>Cancel</button>
            {error && <p class="field-error" role="alert">{error}</p>}
          </form>
        ) : (
          <button class="small" onClick={() => setResetting(true)}>Reset password</button>
        )}
      </td>
      <td data-label="Actions">
        <div class="row-actions">
          <button class="small" disabled={props.isMe} onClick={() => void props.onDisable(user, !user.disabledAt)}
            aria-label={`${user.disabledAt ? 'Enable' : 'Disable'} ${user.username}`}>{user.disabledAt ? 'Enable' : 'Disable'}</button>
          <button class="danger small" disabled={props.isMe} onClick={() => void props.onDelete(user)}
            aria-label={`Delete ${user.username}`}>Delete</button>
        </div>
      </td>
    </tr>
  );
}

function CreateUserForm(props: { onCreated: (username: string) => Promise<void> }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'user' | 'admin'>('user');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const body: Record<string, string> = { username: username.trim(), password, role };
      if (displayName.trim()) body.displayName = displayName.trim();
      await api('/api/users', { method: 'POST', body });
      const created = username.trim();
      setUsername('');
      setDisplayName('');
      setPassword('');
      setRole('user');
      await props.onCreated(created);
    } catch (e) {
      const fields = fieldErrors(e);
      if (e instanceof ApiError && e.status === 409) fields.username = e.message;
      if (Object.keys(fields).length === 0) fields['(root)'] = errorText(e);
      setErrors(fields);
    } finally {
      setBusy(false);
    }
  }

  const err = (field: string) => errors[field] && <p class="field-error" id={`new-${field}-error`}>{errors[field]}</p>;
  const invalid = (field: string) => (errors[field] ? { 'aria-invalid': true as const, 'aria-describedby': `new-${field}-error` } : {});

  return (
    <form class="card" onSubmit={submit} aria-label="Create a user">
      <h2>Create a user</h2>
      <div class="form-grid">
        <label>
          Username
          <input name="username" required minLength={3} maxLength={50} pattern="[A-Za-z0-9_\-]+" autocomplete="off" value={username}
            onInput={(e) => setUsername(e.currentTarget.value)} {...invalid('username')} />
          {err('username')}
        </label>
        <label>
          Display name (optional)
          <input name="displayName" maxLength={100} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)}
            {...invalid('displayName')} />
          {err('displayName')}
        </label>
        <label>
          Initial password
          <input name="password" type="password" required minLength={8} maxLength={128} autocomplete="new-password" value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} {...invalid('password')} />
          {err('password')}
        </label>
        <label>
          Role
          <select name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as 'user' | 'admin')}>
            <option value="user">user</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" class="primary" disabled={busy}>Create user</button>
      </div>
      <p class="muted">Passwords: 8–128 characters with a lowercase letter, an uppercase letter and a digit.</p>
      {errors['(root)'] && <p class="field-error" role="alert">{errors['(root)']}</p>}
    </form>
  );
}
