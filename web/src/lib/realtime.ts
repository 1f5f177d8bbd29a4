import { getAccessToken, refreshAccessToken } from './api';
import { createStore } from './store';
import type { ServerFrame } from './types';

// The /ws/client connection: in-band auth, a client:ping heartbeat, reconnect with backoff (refreshing the
// access token first), re-joining the open rooms, and a small outbox for frames sent while it is down.

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface ConnectionInfo {
  state: ConnectionState;
  /** Counts successful authentications; a view that sees it grow catches up what it missed. */
  generation: number;
  retryAt?: number;
}

const PING_INTERVAL_MS = 30_000;
const PONG_TIMEOUT_MS = 15_000;
const MAX_OUTBOX = 500;

type FrameListener = (frame: ServerFrame) => void;

class RealtimeClient {
  readonly connection = createStore<ConnectionInfo>({ state: 'offline', generation: 0 });
  private _socket: WebSocket | null = null;
  private _listeners = new Set<FrameListener>();
  private _rooms = new Set<string>();
  private _outbox: object[] = [];
  private _attempt = 0;
  private _running = false;
  private _authed = false;
  private _retryTimer: number | undefined;
  private _pingTimer: number | undefined;
  private _pongTimer: number | undefined;

  start(): void {
    if (this._running) return;
    this._running = true;
    this._attempt = 0;
    this.open();
  }

  stop(): void {
    this._running = false;
    clearTimeout(this._retryTimer);
    this.stopHeartbeat();
    this._rooms.clear();
    this._outbox = [];
    const socket = this._socket;
    this._socket = null;
    socket?.close(1000, 'Signed out');
    this.connection.set((c) => ({ state: 'offline', generation: c.generation }));
  }

  onFrame(listener: FrameListener): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  /** Sends now when authenticated, else queues (bounded) until the next successful auth. */
  send(frame: { type: string } & Record<string, unknown>): void {
    if (this._authed && this._socket?.readyState === WebSocket.OPEN) {
      this._socket.send(JSON.stringify(frame));
      return;
    }
    if (this._outbox.length < MAX_OUTBOX) this._outbox.push(frame);
  }

  /** Subscribes once; the hub replays a reply still streaming on every join, so a second join would repeat it. */
  joinRoom(roomId: string): void {
    if (this._rooms.has(roomId)) return;
    this._rooms.add(roomId);
    if (this._authed) this.send({ type: 'client:join_room', roomId });
  }

  leaveRoom(roomId: string): void {
    if (this._rooms.delete(roomId) && this._authed) this.send({ type: 'client:leave_room', roomId });
  }

  private open(): void {
    clearTimeout(this._retryTimer);
    const first = this.connection.get().generation === 0;
    this.connection.set((c) => ({ state: first ? 'connecting' : 'reconnecting', generation: c.generation }));
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/ws/client`);
    this._socket = socket;
    this._authed = false;
    socket.onopen = () => {
      const token = getAccessToken();
      if (!token) {
        socket.close(4000, 'No token');
        return;
      }
      socket.send(JSON.stringify({ type: 'client:auth', token, protocolVersion: '1' }));
    };
    socket.onmessage = (event) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      if (typeof frame?.type !== 'string') return;
      this.handle(socket, frame);
    };
    socket.onclose = () => {
      if (this._socket !== socket) return;
      this._socket = null;
      this._authed = false;
      this.stopHeartbeat();
      if (this._running) this.scheduleRetry();
    };
  }

  private handle(socket: WebSocket, frame: ServerFrame): void {
    if (frame.type === 'server:pong') {
      clearTimeout(this._pongTimer);
      return;
    }
    if (frame.type === 'server:auth_result') {
      if (frame.ok === true) {
        this._authed = true;
        this._attempt = 0;
        for (const roomId of this._rooms) socket.send(JSON.stringify({ type: 'client:join_room', roomId }));
        const queued = this._outbox;
        this._outbox = [];
        for (const item of queued) socket.send(JSON.stringify(item));
        this.startHeartbeat(socket);
        this.connection.set((c) => ({ state: 'online', generation: c.generation + 1 }));
      } else {
        // Usually an expired token: close; the retry refreshes it first.
        socket.close(4000, 'Auth failed');
      }
    }
    for (const listener of [...this._listeners]) listener(frame);
  }

  private startHeartbeat(socket: WebSocket): void {
    this.stopHeartbeat();
    this._pingTimer = window.setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify({ type: 'client:ping', ts: Date.now() }));
      clearTimeout(this._pongTimer);
      this._pongTimer = window.setTimeout(() => socket.close(4000, 'No pong'), PONG_TIMEOUT_MS);
    }, PING_INTERVAL_MS);
  }

  private stopHeartbeat(): void {
    clearInterval(this._pingTimer);
    clearTimeout(this._pongTimer);
  }

  private scheduleRetry(): void {
    const delay = Math.min(1000 * 1.5 ** this._attempt, 15_000);
    this._attempt++;
    this.connection.set((c) => ({ state: 'reconnecting', generation: c.generation, retryAt: Date.now() + delay }));
    this._retryTimer = window.setTimeout(async () => {
      if (!this._running) return;
      // The access token may have expired while the socket was down.
      await refreshAccessToken();
      if (this._running) this.open();
    }, delay);
  }

  /** Retries at once (the "reconnect now" action of the connection badge). */
  reconnectNow(): void {
    if (!this._running || this._socket) return;
    this._attempt = 0;
    clearTimeout(this._retryTimer);
    void refreshAccessToken().then(() => this._running && !this._socket && this.open());
  }
}

export const realtime = new RealtimeClient();
