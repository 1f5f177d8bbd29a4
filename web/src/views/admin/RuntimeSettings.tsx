import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../../lib/api';
import { AdminGate, Note, useNote, PhoneBack } from './common';

// Admin: the runtime settings (rest-api.md §12, behaviour.md §14.2), grouped, with an input per type and the
// hub's per-key refusals shown beside the field they belong to.

interface Setting {
  key: string;
  value: string;
  type: 'string' | 'number' | 'boolean' | 'enum';
  sensitive: boolean;
  enumValues?: string[];
  min?: number;
  max?: number;
  labelKey: string;
  descKey: string;
  source: 'db' | 'env' | 'default';
}

type Groups = Record<string, Setting[]>;

const groupTitles: Record<string, string> = {
  general: 'General',
  security: 'Security',
  storage: 'Storage',
  rateLimit: 'Rate limits',
  connections: 'Connections',
  aiRouter: 'AI router',
  pushNotifications: 'Push notifications',
  maintenance: 'Maintenance',
};

const sourceText = { db: 'set here', env: 'from the environment', default: 'default' };

/** "rateLimit.client.max" → "Rate limit client max". */
function label(key: string): string {
  const words = key.replace(/\./g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The hub joins per-key refusals with "; " and starts each with the key ("k: must be a number"). */
export function splitErrors(message: string, keys: string[]): { byKey: Record<string, string>; rest: string[] } {
  const byKey: Record<string, string> = {};
  const rest: string[] = [];
  for (const part of message.split('; ')) {
    const key = keys.find((k) => part.startsWith(`${k}:`) || part.endsWith(`: ${k}`) || part.includes(` ${k} `));
    if (key) byKey[key] = byKey[key] ? `${byKey[key]}; ${part}` : part;
    else rest.push(part);
  }
  return { byKey, rest };
}

/** Checks a value in the browser first, with the same rules the hub applies. */
function check(setting: Setting, value: string): string | null {
  if (setting.type === 'number') {
    if (!/^-?\d+$/.test(value.trim())) return 'Must be a whole number.';
    const n = Number(value);
    if (setting.min !== undefined && n < setting.min) return `Minimum is ${setting.min}.`;
    if (setting.max !== undefined && n > setting.max) return `Maximum is ${setting.max}.`;
  }
  return null;
}

export function RuntimeSettingsView() {
  return <AdminGate><RuntimeSettings /></AdminGate>;
}

function RuntimeSettings() {
  const [groups, setGroups] = useState<Groups | null>(null);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [note, setNote] = useNote();
  const [busy, setBusy] = useState(false);

  async function load() {
    try {
      setGroups(await api<Groups>('/api/admin/settings'));
    } catch (e) {
      setNote(`Could not load the settings: ${errorText(e)}`, true);
    }
  }
  useEffect(() => {
    void load();
  }, []);

  const all = groups ? Object.values(groups).flat() : [];

  function edit(setting: Setting, value: string) {
    const next = { ...edits };
    if (value === setting.value) delete next[setting.key];
    else next[setting.key] = value;
    setEdits(next);
    const problem = check(setting, value);
    setErrors((current) => {
      const copy = { ...current };
      if (problem) copy[setting.key] = problem;
      else delete copy[setting.key];
      return copy;
    });
  }

  async function save(event: Event) {
    event.preventDefault();
    const keys = Object.keys(edits);
    if (keys.length === 0) return;
    const local: Record<string, string> = {};
    for (const s of all) if (s.key in edits) {
      const problem = check(s, edits[s.key]);
      if (problem) local[s.key] = problem;
    }
    if (Object.keys(local).length > 0) {
      setErrors(local);
      setNote('Fix the marked fields first.', true);
      return;
    }
    setBusy(true);
    try {
      const data = await api<{ updated: string[] }>('/api/admin/settings', { method: 'PUT', body: { changes: edits } });
      setEdits({});
      setErrors({});
      setNote(`Saved ${data.updated.length} setting${data.updated.length === 1 ? '' : 's'}.`);
    } catch (e) {
      const message = e instanceof ApiError ? e.message : errorText(e);
      const { byKey, rest } = splitErrors(message, keys);
      setErrors(byKey);
      // Keys that went through are saved; only the refused ones stay edited.
      setEdits((current) => Object.fromEntries(Object.entries(current).filter(([k]) => k in byKey || rest.length > 0)));
      setNote(rest.length > 0 ? rest.join('; ') : 'Some settings were refused; see the marked fields.', true);
    } finally {
      setBusy(false);
      await load();
    }
  }

  const changed = Object.keys(edits).length;
  return (
    <section class="page wide runtime-settings" aria-labelledby="settings-title">
      <PhoneBack />
      <h1 id="settings-title">Runtime settings</h1>
      <p class="muted">Changes apply to the running hub without a restart; a value set here wins over the environment.</p>
      {groups === null ? <p class="muted">Loading…</p> : (
        <form onSubmit={save} noValidate>
          {Object.entries(groups).map(([group, settings]) => (
            <fieldset key={group} class="card">
              <legend><h2>{groupTitles[group] ?? label(group)}</h2></legend>
              {settings.map((s) => (
                <SettingField key={s.key} setting={s} value={edits[s.key] ?? s.value} changed={s.key in edits}
                  error={errors[s.key]} onInput={(v) => edit(s, v)} />
              ))}
            </fieldset>
          ))}
          <div class="sticky-actions">
            <button type="submit" class="primary" disabled={busy || changed === 0}>Save {changed > 0 ? `(${changed})` : ''}</button>
            <button type="button" disabled={busy || changed === 0} onClick={() => { setEdits({}); setErrors({}); }}>Discard</button>
            <Note text={note.text} error={note.error} />
          </div>
        </form>
      )}
    </section>
  );
}

function SettingField(props: { setting: Setting; value: string; changed: boolean; error?: string; onInput: (v: string) => void }) {
  const { setting: s } = props;
  const id = `setting-${s.key.replace(/[^A-Za-z0-9]/g, '-')}`;
  const described = props.error ? `${id}-error` : `${id}-key`;
  const common = { id, 'aria-invalid': props.error ? (true as const) : undefined, 'aria-describedby': described, 'data-key': s.key };
  let input;
  if (s.type === 'boolean') {
    input = (
      <label class="check">
        <input type="checkbox" {...common} aria-labelledby={`${id}-label`} checked={props.value === 'true'}
          onChange={(e) => props.onInput(e.currentTarget.checked ? 'true' : 'false')} />
        {props.value === 'true' ? 'On' : 'Off'}
      </label>
    );
  } else if (s.type === 'enum') {
    input = (
      <select {...common} value={props.value} onChange={(e) => props.onInput(e.currentTarget.value)}>
        {(s.enumValues ?? []).map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
    );
  } else {
    input = (
      <input {...common} type={s.type === 'number' ? 'number' : s.sensitive ? 'password' : 'text'} inputMode={s.type === 'number' ? 'numeric' : undefined}
        min={s.min} max={s.max} value={props.value} autocomplete="off"
        placeholder={s.sensitive && props.value === '' ? 'not set' : undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)} />
    );
  }
  return (
    <div class={`setting${props.changed ? ' changed' : ''}`}>
      <div>
        {s.type === 'boolean' ? <span class="setting-label" id={`${id}-label`}><b>{label(s.key)}</b></span> : <label for={id}>{label(s.key)}</label>}
        <div class="key" id={`${id}-key`}>
          {s.key} · {s.type}{s.min !== undefined ? ` ${s.min}–${s.max}` : ''} · {sourceText[s.source]}{s.sensitive ? ' · secret' : ''}
        </div>
      </div>
      <div>
        {input}
        {props.error && <p class="field-error" id={`${id}-error`} role="alert">{props.error}</p>}
      </div>
    </div>
  );
}
