import { useState } from 'preact/hooks';
import { errorText } from '../lib/api';
import { signIn } from '../lib/session';

export function LoginView(props: { notice?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (e) {
      setError(errorText(e) === 'Invalid credentials' ? 'Wrong username or password.' : errorText(e));
      setBusy(false);
    }
  }

  return (
    <div class="login">
      <form class="card login-card" onSubmit={submit} aria-label="Sign in">
        <h1>AgentIM</h1>
        {props.notice && <p class="notice">{props.notice}</p>}
        <label>
          Username
          <input name="username" autocomplete="username" required value={username}
            onInput={(e) => setUsername(e.currentTarget.value)} autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </div>
  );
}
