// The WebSocket protocol of /api/v1/ws as TypeScript types: every frame is a
// discriminated union on `type`, so a `switch (frame.type)` is exhaustive.

import type { ErrorCode, User } from '../../../types/api';
import type { ChatEvent } from '../api/get-events';

export type Req = string | number;

export type Limits = {
  max_body_chars: number;
  max_frame_bytes: number;
  rate_per_s: number;
  burst: number;
};

export type ClientFrame =
  | { type: 'hello'; token?: string }
  | { type: 'subscribe'; room: string; since?: number; req?: Req }
  | { type: 'unsubscribe'; room: string; req?: Req }
  | { type: 'send'; room: string; body: string; nonce: string; req?: Req }
  | { type: 'edit'; room: string; id: number; body: string; req?: Req }
  | { type: 'delete'; room: string; id: number; req?: Req }
  | { type: 'typing'; room: string; active: boolean }
  | { type: 'read'; room: string; seq: number }
  | { type: 'ping'; req?: Req };

export type ServerFrame =
  | { type: 'welcome'; user: User; heartbeat_ms: number; limits: Limits }
  | { type: 'subscribed'; re?: Req; room: string; head: number; presence: User[] }
  | { type: 'unsubscribed'; re?: Req; room: string; reason?: 'left' | 'kicked' | 'banned' | string }
  | ({ type: 'event' } & ChatEvent)
  | { type: 'ack'; re?: Req; room: string; seq: number; id: number; ts: string }
  | { type: 'presence'; room: string; joined: User[]; left: User[] }
  | { type: 'typing'; room: string; user: User; active: boolean }
  | { type: 'read'; room: string; seq: number }
  | { type: 'pong'; re?: Req }
  | {
      type: 'error';
      re?: Req;
      code: ErrorCode | string;
      message: string;
      retry_after_ms?: number;
    }
  | { type: 'bye'; reason: string; reconnect: boolean };

const SERVER_TYPES = new Set<ServerFrame['type']>([
  'welcome',
  'subscribed',
  'unsubscribed',
  'event',
  'ack',
  'presence',
  'typing',
  'read',
  'pong',
  'error',
  'bye',
]);

/** Parses one text frame; unknown or malformed frames give null (and are ignored). */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !SERVER_TYPES.has(type as ServerFrame['type'])) return null;
  if (type === 'event') {
    const e = value as Partial<ChatEvent>;
    if (typeof e.room !== 'string' || typeof e.seq !== 'number' || typeof e.author !== 'object') {
      return null;
    }
  }
  return value as ServerFrame;
}

/** Strips the `type` field so a WebSocket event has the same shape as a REST one. */
export function toRoomEvent(frame: Extract<ServerFrame, { type: 'event' }>): ChatEvent {
  const { type: _type, ...event } = frame;
  void _type;
  return event;
}
