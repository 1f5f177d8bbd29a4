import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api';
import { realtime } from '../lib/realtime';
import type { ServerFrame } from '../lib/types';
import { formatTime, Note, useNote, PhoneBack } from './admin/common';

// Agents (rest-api.md §7): the caller's own agents with status and visibility (which the owner can change), agents
// others share, and for the caller's gateways a form that asks one to spawn an agent (POST /api/agents/spawn; the
// outcome arrives later as server:spawn_result on the WebSocket).

interface AgentRow {
  id: string;
  name: string;
  type: string;
  status: 'online' | 'offline' | 'busy' | 'error';
  visibility: 'private' | 'all' | 'whitelist';
  visibilityList: string[];
  gatewayId: string;
  workingDirectory: string | null;
  lastSeenAt: string | null;
  ownerName?: string;
  deviceInfo?: { hostname: string };
}

interface Gateway {
  id: string;
  name: string;
  hostname: string | null;
  connectedAt: string | null;
  disconnectedAt: string | null;
}

const AGENT_TYPES = ['claude-code', 'codex', 'gemini', 'generic'];
const visibilityText = { private: 'Only me', all: 'Everyone', whitelist: 'Chosen users' };

function isOnline(gateway: Gateway): boolean {
  return !!gateway.connectedAt && !gateway.disconnectedAt;
}

export function AgentsView() {
  const [own, setOwn] = useState<AgentRow[] | null>(null);
  const [shared, setShared] = useState<AgentRow[]>([]);
  const [gateways, setGateways] = useState<Gateway[]>([]);
  const [note, setNote] = useNote();

  async function load() {
    try {
      const [mine, others, gws] = await Promise.all([
        api<AgentRow[]>('/api/agents?limit=500'),
        api<AgentRow[]>('/api/agents/shared?limit=500'),
        api<Gateway[]>('/api/agents/gateways/list'),
      ]);
      setOwn(mine);
      setShared(others);
      setGateways(gws);
    } catch (e) {
      setNote(`Could not load the agents: ${errorText(e)}`, true);
    }
  }

  useEffect(() => {
    void load();
    let timer: number | undefined;
    // Status changes and new agents arrive on the WebSocket; a short debounce folds bursts into one reload.
    const off = realtime.onFrame((frame: ServerFrame) => {
      if (frame.type === 'server:agent_status' || frame.type === 'server:agents_changed' || frame.type === 'server:spawn_result') {
        clearTimeout(timer);
        timer = window.setTimeout(() => void load(), 300);
      }
      if (frame.type === 'server:spawn_result') {
        setNote(frame.success === true ? 'The gateway started the agent.' : `The gateway could not start the agent: ${String(frame.error ?? 'unknown error')}`,
          frame.success !== true);
      }
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, []);

  async function setVisibility(agent: AgentRow, visibility: string, list?: string[]) {
    try {
      const body: Record<string, unknown> = { visibility };
      if (visibility === 'whitelist') body.visibilityList = list ?? agent.visibilityList;
      await api(`/api/agents/${encodeURIComponent(agent.id)}`, { method: 'PUT', body });
      setNote(`${agent.name} is now visible to: ${visibilityText[visibility as keyof typeof visibilityText]}.`);
      await load();
    } catch (e) {
      setNote(`${agent.name}: ${errorText(e)}`, true);
      await load();
    }
  }

  return (
    <section class="page wide agents-page" aria-labelledby="agents-title">
      <PhoneBack />
      <h1 id="agents-title">Agents</h1>
      <Note text={note.text} error={note.error} />
      <h2>My agents</h2>
      {own === null ? <p class="muted">Loading…</p> : own.length === 0 ? (
        <p class="muted">No agents yet. Connect a gateway (<code>agentim gateway run</code>) or spawn one below.</p>
      ) : (
        <table class="data-table" aria-label="My agents">
          <thead><tr><th>Agent</th><th>Status</th><th>Gateway</th><th>Visibility</th></tr></thead>
          <tbody>
            {own.map((a) => (
              <tr key={a.id} data-agent={a.name}>
                <td data-label="Agent"><b>{a.name}</b> <span class="muted">{a.type}</span></td>
                <td data-label="Status"><span class={`pill ${a.status}`}>{a.status}</span></td>
                <td data-label="Gateway">{gateways.find((g) => g.id === a.gatewayId)?.name ?? a.deviceInfo?.hostname ?? a.gatewayId}</td>
                <td data-label="Visibility"><VisibilityEditor agent={a} onChange={setVisibility} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Shared with me</h2>
      {shared.length === 0 ? <p class="muted">Nobody shares an agent with you yet.</p> : (
        <table class="data-table" aria-label="Shared agents">
          <thead><tr><th>Agent</th><th>Status</th><th>Owner</th><th>Last seen</th></tr></thead>
          <tbody>
            {shared.map((a) => (
              <tr key={a.id}>
                <td data-label="Agent"><b>{a.name}</b> <span class="muted">{a.type}</span></td>
                <td data-label="Status"><span class={`pill ${a.status}`}>{a.status}</span></td>
                <td data-label="Owner">{a.ownerName ?? '–'}</td>
                <td data-label="Last seen">{formatTime(a.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>My gateways</h2>
      {gateways.length === 0 ? <p class="muted">No gateways registered.</p> : (
        <>
          <ul class="gateway-list">
            {gateways.map((g) => (
              <li key={g.id}>
                <b>{g.name}</b> {g.hostname && <span class="muted">on {g.hostname}</span>}{' '}
                <span class={`pill ${isOnline(g) ? 'online' : 'offline'}`}>{isOnline(g) ? 'online' : 'offline'}</span>
              </li>
            ))}
          </ul>
          <SpawnForm gateways={gateways} onSent={(text, error) => setNote(text, error)} />
        </>
      )}
    </section>
  );
}

function VisibilityEditor(props: { agent: AgentRow; onChange: (agent: AgentRow, visibility: string, list?: string[]) => Promise<void> }) {
  const { agent } = props;
  const [choosing, setChoosing] = useState(false);
  const [list, setList] = useState(agent.visibilityList.join(', '));
  return (
    <div class="row-actions">
      <select aria-label={`Who can use ${agent.name}`} value={choosing ? 'whitelist' : agent.visibility}
        onChange={(e) => {
          const value = e.currentTarget.value;
          if (value === 'whitelist') setChoosing(true);
          else {
            setChoosing(false);
            void props.onChange(agent, value);
          }
        }}>
        {Object.entries(visibilityText).map(([value, text]) => <option key={value} value={value}>{text}</option>)}
      </select>
      {(choosing || agent.visibility === 'whitelist') && (
        <form class="row-actions" onSubmit={(e) => {
          e.preventDefault();
          const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
          setChoosing(false);
          void props.onChange(agent, 'whitelist', ids);
        }}>
          <input aria-label={`User ids allowed to use ${agent.name}, comma-separated`} placeholder="user ids, comma-separated"
            value={list} onInput={(e) => setList(e.currentTarget.value)} />
          <button type="submit" class="small">Apply</button>
        </form>
      )}
    </div>
  );
}

function SpawnForm(props: { gateways: Gateway[]; onSent: (text: string, error?: boolean) => void }) {
  const online = props.gateways.filter(isOnline);
  const [gatewayId, setGatewayId] = useState(online[0]?.id ?? '');
  const [agentType, setAgentType] = useState('generic');
  const [name, setName] = useState('');
  const [workingDirectory, setWorkingDirectory] = useState('');
  const [busy, setBusy] = useState(false);
  const chosen = gatewayId || online[0]?.id || '';

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    try {
      const body: Record<string, string> = { gatewayId: chosen, agentType, name: name.trim() };
      if (workingDirectory.trim()) body.workingDirectory = workingDirectory.trim();
      // Said before the request: the gateway's answer (server:spawn_result) can arrive before this POST's reply,
      // and must not be overwritten by it.
      props.onSent(`Asked the gateway to start ${name.trim()}…`);
      await api('/api/agents/spawn', { method: 'POST', body });
      setName('');
    } catch (e) {
      props.onSent(`Could not spawn: ${errorText(e)}`, true);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit} aria-label="Spawn an agent">
      <h3>Spawn an agent</h3>
      {online.length === 0 ? <p class="muted">None of your gateways is online; start one to spawn agents on it.</p> : (
        <div class="form-grid">
          <label>
            Gateway
            <select value={chosen} onChange={(e) => setGatewayId(e.currentTarget.value)}>
              {online.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
            </select>
          </label>
          <label>
            Type
            <select value={agentType} onChange={(e) => setAgentType(e.currentTarget.value)}>
              {AGENT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>
          <label>
            Name
            <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            Working directory (optional)
            <input value={workingDirectory} onInput={(e) => setWorkingDirectory(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={busy || !name.trim() || !chosen}>Spawn</button>
        </div>
      )}
    </form>
  );
}
