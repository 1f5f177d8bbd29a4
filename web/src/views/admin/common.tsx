import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from '../../components/Link';
import { session } from '../../lib/session';
import { useStore } from '../../lib/store';
import './admin.css';

// Pieces shared by the admin pages, the agents page and the tasks page: the admins-only gate, a polling hook and
// small formatters.

/** What a non-admin sees on an admin page (typed URL): a clear answer instead of a broken page. */
export function AdminsOnly() {
  return (
    <section class="page" aria-labelledby="admins-only">
      <h1 id="admins-only">Admins only</h1>
      <p>This page is for administrators of this hub. Ask an admin if you need something changed here.</p>
    </section>
  );
}

/** Renders the children only for an admin; the route table hides the entry too, this guards typed URLs. */
export function AdminGate(props: { children: ComponentChildren }) {
  const role = useStore(session, (s) => (s.status === 'signedIn' ? s.user.role : null));
  return role === 'admin' ? <>{props.children}</> : <AdminsOnly />;
}

/** Calls fn now and then every intervalMs while mounted; a slow call is never overlapped by the next. */
export function usePoll(fn: () => Promise<void>, intervalMs: number): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      try {
        await latest.current();
      } finally {
        if (!stopped) timer = window.setTimeout(() => void tick(), intervalMs);
      }
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [intervalMs]);
}

/** A status line that announces itself to screen readers. */
export function Note(props: { text: string | null; error?: boolean }) {
  if (!props.text) return null;
  return <p role={props.error ? 'alert' : 'status'} class={props.error ? 'error' : 'muted'}>{props.text}</p>;
}

export function useNote(): [{ text: string | null; error: boolean }, (text: string | null, error?: boolean) => void] {
  const [note, setNote] = useState<{ text: string | null; error: boolean }>({ text: null, error: false });
  return [note, (text, error = false) => setNote({ text, error })];
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The hub's timestamps come in two text forms (PostgreSQL and ISO); both parse with Date. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '–';
  const date = new Date(value.includes('T') ? value : value.replace(' ', 'T').replace(/\+00$/, 'Z'));
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

/** Validator message keys (rest-api.md §0.6) in plain words; other messages pass through. */
const keyText: Record<string, string> = {
  'validation.passwordMinLength': 'At least 8 characters.',
  'validation.passwordMaxLength': 'At most 128 characters.',
  'validation.passwordLowercase': 'Needs a lowercase letter.',
  'validation.passwordUppercase': 'Needs an uppercase letter.',
  'validation.passwordDigit': 'Needs a digit.',
  'validation.displayNameWhitespace': 'Cannot be only spaces.',
};

export function readable(message: string): string {
  return keyText[message] ?? message;
}

/** On a phone the sidebar gives way to the page; this link brings it back (hidden on wider screens). */
export function PhoneBack() {
  return <Link to="/" class="phone-back">‹ Rooms and menu</Link>;
}
