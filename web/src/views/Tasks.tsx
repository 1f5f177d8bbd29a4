import { useEffect, useState } from 'preact/hooks';
import { Link } from '../components/Link';
import { api, ApiError, errorText } from '../lib/api';
import { chat } from '../lib/chat';
import { useStore } from '../lib/store';
import { formatTime, Note, readable, useNote } from './admin/common';

// The tasks of one room (rest-api.md §8): list, create, change status, delete. REST task changes send no WebSocket
// event, so the list reloads after each change and when the page regains focus.

interface Task {
  id: string;
  roomId: string;
  title: string;
  description: string;
  status: TaskStatus;
  result: string | null;
  dueDate: string | null;
  assigneeId: string | null;
  assigneeType: 'user' | 'agent' | null;
  createdById: string;
  createdAt: string;
  updatedAt: string;
}

type TaskStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

const STATUSES: { value: TaskStatus; text: string }[] = [
  { value: 'pending', text: 'Pending' },
  { value: 'in_progress', text: 'In progress' },
  { value: 'completed', text: 'Completed' },
  { value: 'failed', text: 'Failed' },
  { value: 'cancelled', text: 'Cancelled' },
];

export function TasksView(props: { roomId: string }) {
  const { roomId } = props;
  const roomName = useStore(chat, (s) => s.rooms.find((r) => r.id === roomId)?.name ?? null);
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [filter, setFilter] = useState<'open' | 'all'>('open');
  const [note, setNote] = useNote();
  const roomPath = `/rooms/${encodeURIComponent(roomId)}`;

  async function load() {
    try {
      setTasks(await api<Task[]>(`/api/tasks/rooms/${encodeURIComponent(roomId)}?limit=100`));
    } catch (e) {
      setNote(`Could not load the tasks: ${errorText(e)}`, true);
    }
  }

  useEffect(() => {
    setTasks(null);
    void load();
    const onFocus = () => void load();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [roomId]);

  async function setStatus(task: Task, status: TaskStatus) {
    try {
      await api(`/api/tasks/${encodeURIComponent(task.id)}`, { method: 'PUT', body: { status } });
      setNote(`"${task.title}" is now ${STATUSES.find((s) => s.value === status)?.text.toLowerCase()}.`);
    } catch (e) {
      setNote(`"${task.title}": ${errorText(e)}`, true);
    }
    await load();
  }

  async function remove(task: Task) {
    if (!confirm(`Delete the task "${task.title}"?`)) return;
    try {
      await api(`/api/tasks/${encodeURIComponent(task.id)}`, { method: 'DELETE' });
      setNote(`"${task.title}" was deleted.`);
    } catch (e) {
      setNote(`"${task.title}": ${errorText(e)}`, true);
    }
    await load();
  }

  const open = (t: Task) => t.status === 'pending' || t.status === 'in_progress';
  const shown = (tasks ?? []).filter((t) => filter === 'all' || open(t));
  return (
    <section class="page tasks-page" aria-labelledby="tasks-title">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link to={roomPath}>‹ {roomName ?? 'Room'}</Link>
      </nav>
      <h1 id="tasks-title">Tasks{roomName ? ` of ${roomName}` : ''}</h1>
      <NewTaskForm roomId={roomId} onCreated={async (title) => { setNote(`Created "${title}".`); await load(); }} />
      <Note text={note.text} error={note.error} />
      <div class="buttons" role="group" aria-label="Show">
        <button aria-pressed={filter === 'open'} onClick={() => setFilter('open')}>Open ({(tasks ?? []).filter(open).length})</button>
        <button aria-pressed={filter === 'all'} onClick={() => setFilter('all')}>All ({tasks?.length ?? 0})</button>
      </div>
      {tasks === null ? <p class="muted">Loading…</p> : shown.length === 0 ? (
        <p class="muted">{filter === 'open' ? 'No open tasks.' : 'No tasks yet.'}</p>
      ) : (
        <ul class="task-list" aria-label="Tasks">
          {shown.map((t) => (
            <li key={t.id} class="task" data-task={t.title} data-status={t.status}>
              <div class="task-head">
                <h3>{t.title}</h3>
                <span class={`pill ${t.status}`}>{STATUSES.find((s) => s.value === t.status)?.text ?? t.status}</span>
                <select aria-label={`Status of ${t.title}`} value={t.status} onChange={(e) => void setStatus(t, e.currentTarget.value as TaskStatus)}>
                  {STATUSES.map((s) => <option key={s.value} value={s.value}>{s.text}</option>)}
                </select>
                <button class="danger small" aria-label={`Delete ${t.title}`} onClick={() => void remove(t)}>Delete</button>
              </div>
              {t.description && <p>{t.description}</p>}
              {t.result && <p><b>Result:</b> {t.result}</p>}
              <p class="muted">
                Created {formatTime(t.createdAt)}{t.dueDate ? ` · due ${formatTime(t.dueDate)}` : ''}
                {t.assigneeId ? ` · assigned to ${t.assigneeType ?? 'user'} ${t.assigneeId}` : ''}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewTaskForm(props: { roomId: string; onCreated: (title: string) => Promise<void> }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [due, setDue] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const body: Record<string, string> = { title: title.trim() };
      if (description.trim()) body.description = description.trim();
      // The hub takes the UTC "Z" form only; the date input is the local day, due at its end.
      if (due) body.dueDate = new Date(`${due}T23:59:59`).toISOString();
      await api(`/api/tasks/rooms/${encodeURIComponent(props.roomId)}`, { method: 'POST', body });
      const created = title.trim();
      setTitle('');
      setDescription('');
      setDue('');
      await props.onCreated(created);
    } catch (e) {
      const fields: Record<string, string> = {};
      if (e instanceof ApiError) for (const f of e.fields ?? []) fields[f.field] = readable(f.message);
      if (Object.keys(fields).length === 0) fields['(root)'] = errorText(e);
      setErrors(fields);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit} aria-label="New task">
      <div class="form-grid">
        <label>
          Task title
          <input required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)}
            aria-invalid={errors.title ? 'true' : undefined} aria-describedby={errors.title ? 'task-title-error' : undefined} />
          {errors.title && <p class="field-error" id="task-title-error">{errors.title}</p>}
        </label>
        <label>
          Due (optional)
          <input type="date" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
          {errors.dueDate && <p class="field-error">{errors.dueDate}</p>}
        </label>
      </div>
      <label>
        Description (optional)
        <textarea rows={2} maxLength={10000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        {errors.description && <p class="field-error">{errors.description}</p>}
      </label>
      <button type="submit" class="primary" disabled={busy || !title.trim()}>Add task</button>
      {errors['(root)'] && <p class="field-error" role="alert">{errors['(root)']}</p>}
    </form>
  );
}
