// A scripted test gateway on /ws/gateway: registers one agent, records what the hub sends it, and streams replies
// piece by piece only when a test says so, so what the page shows between pieces is deterministic.
import { randomBytes } from 'node:crypto';

if (typeof WebSocket === 'undefined') {
  throw new Error('this Node has no WebSocket: run node with --experimental-websocket (Node 20) or use Node 22+');
}

export class TestGateway {
  constructor(baseUrl, token, agentName) {
    this.url = baseUrl.replace(/^http/, 'ws') + '/ws/gateway';
    this.token = token;
    this.agentId = `agent_${randomBytes(6).toString('hex')}`;
    this.agentName = agentName;
    this.gatewayId = `gw_${randomBytes(6).toString('hex')}`;
    this.frames = [];
    this.waiters = [];
  }

  async connect() {
    this.socket = new WebSocket(this.url);
    this.socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data));
      this.frames.push(frame);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    });
    await new Promise((resolve, reject) => {
      this.socket.addEventListener('open', resolve, { once: true });
      this.socket.addEventListener('error', reject, { once: true });
    });
    this.send({
      type: 'gateway:auth', token: this.token, gatewayId: this.gatewayId, protocolVersion: '1',
      deviceInfo: { hostname: 'web-test', platform: 'linux', arch: 'x64', nodeVersion: process.version },
    });
    const auth = await this.next((f) => f.type === 'server:gateway_auth_result');
    if (!auth.ok) throw new Error(`gateway auth failed: ${auth.error}`);
    this.send({ type: 'gateway:register_agent', agent: { id: this.agentId, name: this.agentName, type: 'generic' } });
  }

  send(frame) {
    this.socket.send(JSON.stringify(frame));
  }

  /** The next frame (already received or still to come) that matches; rejects after a generous deadline. */
  next(match, timeoutMs = 20_000) {
    const seen = this.frames.find((f) => match(f) && !f.__taken);
    if (seen) {
      seen.__taken = true;
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (f) => { clearTimeout(timer); f.__taken = true; resolve(f); },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error('test gateway: the expected frame did not arrive'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits for the hub to route a user's message to this agent. */
  nextPrompt(roomId) {
    return this.next((f) => f.type === 'server:send_to_agent' && f.agentId === this.agentId && (!roomId || f.roomId === roomId));
  }

  /** A reply that the test streams one piece at a time. */
  startReply(roomId) {
    const messageId = `reply_${randomBytes(8).toString('hex')}`;
    const chunks = [];
    this.send({ type: 'gateway:agent_status', agentId: this.agentId, status: 'busy' });
    return {
      messageId,
      chunk: (type, content, metadata) => {
        const chunk = metadata ? { type, content, metadata } : { type, content };
        chunks.push(chunk);
        this.send({ type: 'gateway:message_chunk', roomId, agentId: this.agentId, messageId, chunk });
      },
      complete: () => {
        const fullContent = chunks.filter((c) => c.type === 'text').map((c) => c.content).join('');
        this.send({ type: 'gateway:message_complete', roomId, agentId: this.agentId, messageId, fullContent, chunks });
        this.send({ type: 'gateway:agent_status', agentId: this.agentId, status: 'online' });
      },
    };
  }

  /** Asks the room for permission; resolves with the hub's answer frame. */
  askPermission(roomId, toolName, toolInput, timeoutMs = 120_000) {
    const requestId = `perm_${randomBytes(6).toString('hex')}`;
    this.send({ type: 'gateway:permission_request', requestId, agentId: this.agentId, roomId, toolName, toolInput, timeoutMs });
    return this.next((f) => f.type === 'server:permission_response' && f.requestId === requestId, timeoutMs + 5000);
  }

  close() {
    this.socket?.close();
  }
}
