// A scriptable stand-in for the browser WebSocket, for ChatSocket tests.

import type { WebSocketLike } from '../features/chat/core/chat-socket';

export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];

  readonly url: string;
  readonly sent: Record<string, unknown>[] = [];
  closed: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeWebSocket.instances.push(this);
  }

  static latest(): FakeWebSocket {
    const ws = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    if (!ws) throw new Error('no socket was created');
    return ws;
  }

  static reset(): void {
    FakeWebSocket.instances = [];
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }

  // ---- driven by the test ----

  open(): void {
    this.onopen?.({});
  }

  receive(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The server (or the network) closes the connection. */
  drop(code = 1006, reason = ''): void {
    this.onclose?.({ code, reason });
  }

  sentOfType(type: string): Record<string, unknown>[] {
    return this.sent.filter((f) => f.type === type);
  }
}

export const welcomeFrame = (user = { id: 1, name: 'alice', guest: true }) => ({
  type: 'welcome',
  user,
  heartbeat_ms: 30_000,
  limits: { max_body_chars: 4000, max_frame_bytes: 65536, rate_per_s: 10, burst: 20 },
});
