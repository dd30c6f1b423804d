// The user's unconfirmed messages, kept in IndexedDB so that a message
// written while offline survives a reload (or a closed tab) and is sent once
// the connection is back. Sending it again is safe: it keeps its nonce, and
// the server posts a nonce once. Only messages still `pending` are kept (a
// refused one stays on screen with Retry, and is not retried on every load).
// Without IndexedDB (private modes, tests) nothing is kept.

import { openDB, type IDBPDatabase } from 'idb';
import type { ChatStore, PendingMessage } from './chat-store';

type Entry = { nonce: string; room: string; body: string; user: number };

const DB = 'webchat';
const STORE = 'outbox';

function open(): Promise<IDBPDatabase> {
  return openDB(DB, 1, {
    upgrade(db) {
      db.createObjectStore(STORE, { keyPath: 'nonce' });
    },
  });
}

export class Outbox {
  private db: Promise<IDBPDatabase> | null = null;
  /** Writes are chained: the last state of the list always wins. */
  private chain: Promise<void> = Promise.resolve();

  private readonly user: number;

  constructor(user: number) {
    this.user = user;
  }

  private database(): Promise<IDBPDatabase> {
    this.db ??= open();
    return this.db;
  }

  /** The user's kept messages, oldest first. */
  async load(): Promise<PendingMessage[]> {
    const all = (await (await this.database()).getAll(STORE)) as Entry[];
    return all
      .filter((e) => e.user === this.user)
      .map((e) => ({ nonce: e.nonce, room: e.room, body: e.body, state: 'pending' as const }));
  }

  /** Makes the kept list the `pending` messages of `list`. */
  save(list: PendingMessage[]): Promise<void> {
    const keep = list.filter((p) => p.state === 'pending');
    this.chain = this.chain.then(async () => {
      const db = await this.database();
      const tx = db.transaction(STORE, 'readwrite');
      const kept = (await tx.store.getAll()) as Entry[];
      const wanted = new Set(keep.map((p) => p.nonce));
      for (const e of kept) if (e.user === this.user && !wanted.has(e.nonce)) await tx.store.delete(e.nonce);
      for (const p of keep) await tx.store.put({ nonce: p.nonce, room: p.room, body: p.body, user: this.user });
      await tx.done;
    });
    return this.chain.catch(() => {});
  }

  close(): void {
    void this.db?.then((db) => db.close());
    this.db = null;
  }
}

/**
 * Puts the kept messages back into the store (as pending: the socket sends
 * them when it may), then keeps the outbox in step with the store. Returns
 * the function that stops it.
 */
export function keepOutbox(store: ChatStore, outbox: Outbox, restored: () => void): () => void {
  let stopped = false;
  let last = store.getState().pending;
  let ready = false;
  outbox
    .load()
    .then((kept) => {
      if (stopped) return;
      for (const message of kept) store.dispatch({ type: 'pending/added', message });
      ready = true;
      last = store.getState().pending;
      void outbox.save(last);
      if (kept.length) restored();
    })
    .catch(() => {
      ready = true; // no IndexedDB: the page works, it only forgets
    });
  const unsubscribe = store.subscribe(() => {
    const pending = store.getState().pending;
    if (!ready || pending === last) return;
    last = pending;
    void outbox.save(pending);
  });
  return () => {
    stopped = true;
    unsubscribe();
    outbox.close();
  };
}
