import { useState } from 'preact/hooks';
import { api, errorText } from '../../lib/api';
import { AdminGate, formatBytes, Note, usePoll, PhoneBack } from './common';
import { Sparkline } from './Sparkline';

// Admin: what the seed's capacity tables only estimate, measured live from GET /api/admin/metrics (rest-api.md #3),
// polled every few seconds and drawn as sparklines, next to the tier those numbers put this deployment in.

interface Histogram {
  buckets: number[];
  counts: number[];
  sum: number;
  count: number;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
}

interface AdminMetrics {
  connections: { clients: number; gateways: number; onlineUsers: number; connectedAgents: number };
  process: { uptimeSeconds: number; heapUsedBytes: number; rssBytes: number };
  infrastructure: { redisEnabled: boolean };
  activity: { messagesTotal: Record<string, number>; activeRooms: number };
  performance: { agentResponse: Histogram; httpRequest: Record<string, Histogram> };
  timestamp: string;
}

/** One poll's figures; rates are per second since the previous poll. */
interface Sample {
  at: number;
  clients: number;
  gateways: number;
  connections: number;
  onlineUsers: number;
  agents: number;
  activeRooms: number;
  rss: number;
  heap: number;
  messageRate: number;
  framesRate: number;
  httpAvgMs: number;
  httpP95Ms: number;
  agentP50s: number;
}

/** The seed's tiers (capacity-planning.md): users, connections, the hardware and ulimit it recommends. */
export const TIERS = [
  { users: 10, connections: 20, cpu: '1 vCPU', ram: '1 GB', disk: '10 GB', ulimit: '1024 (default)', pg: '20 connections, 128 MB shared_buffers' },
  { users: 50, connections: 100, cpu: '2 vCPU', ram: '4 GB', disk: '40 GB', ulimit: '4096', pg: '50 connections, 512 MB shared_buffers' },
  { users: 200, connections: 500, cpu: '4 vCPU', ram: '8 GB', disk: '100 GB', ulimit: '65536', pg: '100 connections, 1 GB shared_buffers' },
];

/** The smallest tier that holds both the online users and the open connections; TIERS.length means beyond the tables. */
export function tierOf(onlineUsers: number, connections: number): number {
  const index = TIERS.findIndex((t) => onlineUsers <= t.users && connections <= t.connections);
  return index === -1 ? TIERS.length : index;
}

const POLL_MS = 2000;
const HISTORY = 90;

function sum(values: Record<string, number>, prefix: string): number {
  return Object.entries(values).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
}

/** All HTTP routes' histograms merged (same bounds): the average and the 95th percentile bucket bound, in ms. */
function httpLatency(histograms: Record<string, Histogram>): { avgMs: number; p95Ms: number } {
  const all = Object.values(histograms);
  const count = all.reduce((n, h) => n + h.count, 0);
  if (count === 0) return { avgMs: 0, p95Ms: 0 };
  const total = all.reduce((n, h) => n + h.sum, 0);
  const bounds = all[0].buckets;
  const merged = bounds.map((_, i) => all.reduce((n, h) => n + (h.counts[i] ?? 0), 0));
  const rank = Math.ceil(0.95 * count);
  let seen = 0;
  let p95 = bounds[bounds.length - 1] ?? 0;
  for (let i = 0; i < bounds.length; i++) {
    seen += merged[i];
    if (seen >= rank) {
      p95 = bounds[i];
      break;
    }
  }
  return { avgMs: (total / count) * 1000, p95Ms: p95 * 1000 };
}

function toSample(m: AdminMetrics, previous: { at: number; messages: number; frames: number } | null): Sample {
  const at = Date.parse(m.timestamp) || Date.now();
  const messages = sum(m.activity.messagesTotal, 'agentim_messages_total');
  const frames = sum(m.activity.messagesTotal, 'agentim_ws_messages_total');
  const seconds = previous ? Math.max(0.001, (at - previous.at) / 1000) : 0;
  const http = httpLatency(m.performance.httpRequest);
  return {
    at,
    clients: m.connections.clients,
    gateways: m.connections.gateways,
    connections: m.connections.clients + m.connections.gateways,
    onlineUsers: m.connections.onlineUsers,
    agents: m.connections.connectedAgents,
    activeRooms: m.activity.activeRooms,
    rss: m.process.rssBytes,
    heap: m.process.heapUsedBytes,
    messageRate: previous ? Math.max(0, messages - previous.messages) / seconds : 0,
    framesRate: previous ? Math.max(0, frames - previous.frames) / seconds : 0,
    httpAvgMs: http.avgMs,
    httpP95Ms: http.p95Ms,
    agentP50s: m.performance.agentResponse.p50,
  };
}

export function CapacityView() {
  return <AdminGate><Capacity /></AdminGate>;
}

function Capacity() {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [latest, setLatest] = useState<AdminMetrics | null>(null);
  const [counters, setCounters] = useState<{ at: number; messages: number; frames: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  usePoll(async () => {
    try {
      const m = await api<AdminMetrics>('/api/admin/metrics');
      const sample = toSample(m, counters);
      setCounters({
        at: sample.at,
        messages: sum(m.activity.messagesTotal, 'agentim_messages_total'),
        frames: sum(m.activity.messagesTotal, 'agentim_ws_messages_total'),
      });
      setLatest(m);
      setSamples((s) => [...s, sample].slice(-HISTORY));
      setError(null);
    } catch (e) {
      setError(`Could not read the metrics: ${errorText(e)}`);
    }
  }, POLL_MS);

  const now = samples[samples.length - 1];
  const series = (pick: (s: Sample) => number) => samples.map(pick);
  return (
    <section class="page wide capacity" aria-labelledby="capacity-title">
      <PhoneBack />
      <h1 id="capacity-title">Capacity</h1>
      <p class="muted">Live from this hub, every {POLL_MS / 1000} s; the charts show the last {(HISTORY * POLL_MS) / 60000} minutes.</p>
      <Note text={error} error />
      {!now || !latest ? <p class="muted">Loading…</p> : (
        <>
          <div class="metrics">
            <Metric id="connections" title="Connections" value={now.connections} values={series((s) => s.connections)}
              sub={`${now.clients} browser/app, ${now.gateways} gateway`} />
            <Metric id="online-users" title="Online users" value={now.onlineUsers} values={series((s) => s.onlineUsers)} />
            <Metric id="gateways" title="Gateways and agents" value={`${now.gateways} / ${now.agents}`} values={series((s) => s.agents)}
              sub="gateways / connected agents (chart: agents)" />
            <Metric id="active-rooms" title="Active rooms" value={now.activeRooms} values={series((s) => s.activeRooms)}
              sub="rooms with a connected member" />
            <Metric id="memory" title="Hub memory" value={formatBytes(now.rss)} values={series((s) => s.rss)}
              sub={`resident; managed heap ${formatBytes(now.heap)}`} />
            <Metric id="message-rate" title="Messages per second" value={now.messageRate.toFixed(2)} values={series((s) => s.messageRate)}
              sub={`${now.framesRate.toFixed(1)} client frames/s in`} />
            <Metric id="http-latency" title="HTTP latency" value={`${now.httpAvgMs.toFixed(1)} ms`} values={series((s) => s.httpAvgMs)}
              sub={`average since start; p95 ≤ ${now.httpP95Ms.toFixed(0)} ms`} />
            <Metric id="agent-latency" title="Agent response" value={latest.performance.agentResponse.count ? `${now.agentP50s} s` : '–'}
              values={series((s) => s.agentP50s)}
              sub={`median bucket; ${latest.performance.agentResponse.count} replies, p95 ≤ ${latest.performance.agentResponse.p95} s`} />
          </div>
          <Tier onlineUsers={now.onlineUsers} connections={now.connections} rss={now.rss}
            uptime={latest.process.uptimeSeconds} redis={latest.infrastructure.redisEnabled} />
        </>
      )}
    </section>
  );
}

function Metric(props: { id: string; title: string; value: string | number; values: number[]; sub?: string }) {
  const titleId = `metric-${props.id}`;
  return (
    <article class="metric" aria-labelledby={titleId} data-metric={props.id}>
      <h2 id={titleId}>{props.title}</h2>
      <div class="value" data-value>{props.value}</div>
      <Sparkline values={props.values} label={`${props.title}, recent history`} />
      {props.sub && <div class="sub">{props.sub}</div>}
    </article>
  );
}

function Tier(props: { onlineUsers: number; connections: number; rss: number; uptime: number; redis: boolean }) {
  const index = tierOf(props.onlineUsers, props.connections);
  const tier = TIERS[index];
  const next = TIERS[index + 1];
  let push: string;
  if (!tier) {
    push = 'Beyond the seed\'s largest tier (200 users): run PostgreSQL and Redis on dedicated instances and more than one hub node behind Redis.';
  } else if (next) {
    const users = tier.users - props.onlineUsers + 1;
    const conns = tier.connections - props.connections + 1;
    push = `${users} more online user${users === 1 ? '' : 's'} or ${conns} more connection${conns === 1 ? '' : 's'} would move it to the `
      + `≤ ${next.users} users tier: ${next.cpu}, ${next.ram} RAM, ulimit -n ${next.ulimit}, PostgreSQL ${next.pg}.`;
  } else {
    const users = tier.users - props.onlineUsers + 1;
    const conns = tier.connections - props.connections + 1;
    push = `${users} more online users or ${conns} more connections go beyond the seed's tables: then put PostgreSQL and Redis `
      + 'on dedicated instances.';
  }
  return (
    <section class="card tier" aria-labelledby="tier-title" data-tier={index}>
      <h2 id="tier-title">
        Tier: {tier ? `≤ ${tier.users} users` : '200+ users'}
      </h2>
      <p>
        {props.onlineUsers} online user{props.onlineUsers === 1 ? '' : 's'} and {props.connections} connection
        {props.connections === 1 ? '' : 's'} put this deployment in {tier ? `the ≤ ${tier.users} users tier` : 'no tier of the seed'}
        {tier ? ` (${tier.cpu}, ${tier.ram} RAM, ${tier.disk} disk, ulimit -n ${tier.ulimit}).` : '.'}
      </p>
      <p data-next-tier>{push}</p>
      <p class="muted">
        Hub memory now {formatBytes(props.rss)}{tier ? ` of the tier's ${tier.ram}` : ''}; up {Math.floor(props.uptime / 3600)} h{' '}
        {Math.floor((props.uptime % 3600) / 60)} min; {props.redis ? 'Redis on (several nodes possible)' : 'single node (no Redis)'}.
      </p>
      <div class="table-wrap">
        <table aria-label="Capacity tiers from the capacity planning guide">
          <thead><tr><th>Users</th><th>Connections</th><th>Hardware</th><th>ulimit -n</th><th>PostgreSQL</th></tr></thead>
          <tbody>
            {TIERS.map((t, i) => (
              <tr key={t.users} class={i === index ? 'current' : undefined} aria-current={i === index ? 'true' : undefined}>
                <td>≤ {t.users}</td><td>~{t.connections}</td><td>{t.cpu}, {t.ram}, {t.disk}</td><td>{t.ulimit}</td><td>{t.pg}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
