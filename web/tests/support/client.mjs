// A plain /ws/client peer for setup: sends messages as a user the way the web app does.
export class TestClient {
  constructor(baseUrl, token) {
    this.url = baseUrl.replace(/^http/, 'ws') + '/ws/client';
    this.token = token;
    this.frames = [];
  }

  async connect() {
    this.socket = new WebSocket(this.url);
    this.socket.addEventListener('message', (event) => this.frames.push(JSON.parse(String(event.data))));
    await new Promise((resolve, reject) => {
      this.socket.addEventListener('open', resolve, { once: true });
      this.socket.addEventListener('error', reject, { once: true });
    });
    this.socket.send(JSON.stringify({ type: 'client:auth', token: this.token, protocolVersion: '1' }));
    await this.until((f) => f.type === 'server:auth_result' && f.ok === true);
  }

  async until(match, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.frames.find(match);
      if (frame) return frame;
      const error = this.frames.find((f) => f.type === 'server:error');
      if (error) throw new Error(`test client: ${error.code} ${error.message}`);
      if (Date.now() > deadline) throw new Error('test client: the expected frame did not arrive');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends the messages one after another, each after the previous one came back stored. */
  async sendMany(roomId, contents) {
    this.socket.send(JSON.stringify({ type: 'client:join_room', roomId }));
    for (const content of contents) {
      this.socket.send(JSON.stringify({ type: 'client:send_message', roomId, content, mentions: [] }));
      await this.until((f) => f.type === 'server:new_message' && f.message.content === content);
    }
  }

  close() {
    this.socket?.close();
  }
}
