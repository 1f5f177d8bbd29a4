import { useEffect, useState } from 'preact/hooks';
import { answerPermission } from '../lib/chat';
import type { PermissionRequest } from '../lib/types';

/** An agent asks to run a tool: allow once, allow always, or deny, before the countdown runs out. */
export function PermissionCard({ request }: { request: PermissionRequest }) {
  const expires = Date.parse(request.expiresAt);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.round((expires - now) / 1000));
  let input = '';
  try {
    input = JSON.stringify(request.toolInput, null, 2);
  } catch {
    input = '';
  }
  if (input.length > 4000) input = input.slice(0, 4000) + '\n…';
  const answer = (decision: 'allow' | 'allowAlways' | 'deny') => answerPermission(request.roomId, request.requestId, decision);
  return (
    <div class="card permission" role="alertdialog" aria-label={`Permission request from ${request.agentName}`}>
      <div class="permission-head">
        <b>{request.agentName}</b> wants to use <code>{request.toolName}</code>
        <span class={`countdown${left < 30 ? ' urgent' : ''}`} aria-label="Time left">
          {Math.floor(left / 60)}:{String(left % 60).padStart(2, '0')}
        </span>
      </div>
      {input && input !== '{}' && <pre class="tool-input">{input}</pre>}
      <div class="buttons">
        <button class="primary" onClick={() => answer('allow')} disabled={left === 0}>Allow</button>
        <button onClick={() => answer('allowAlways')} disabled={left === 0}>Allow always</button>
        <button class="danger" onClick={() => answer('deny')} disabled={left === 0}>Deny</button>
      </div>
    </div>
  );
}
