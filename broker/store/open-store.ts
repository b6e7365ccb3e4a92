import { z } from 'zod';
import { LowdbStore } from './lowdb-store.js';
import { PostgresStore } from './postgres-store.js';
import type { Store } from './store.js';

/** `--store`: postgres://user[:password]@host[:port]/database (postgresql:// too). */
export const StoreUrlSchema = z.string().refine(isPostgresUrl, {
  message: 'expected postgres://user@host:port/database (a PostgreSQL URL naming host and database)',
});

function isPostgresUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'postgres:' || url.protocol === 'postgresql:') &&
    url.hostname !== '' &&
    /^\/[^/]+$/.test(url.pathname)
  );
}

export interface OpenStoreOptions {
  dataDir: string;
  /** A postgres:// URL: the shared PostgreSQL store; absent: lowdb files in the data dir. */
  storeUrl?: string;
  flushMs?: number;
  /** This server's id among those sharing a PostgreSQL store (its lease row, its actions). */
  serverId?: string;
  log: (msg: string) => void;
}

/** The store `mig server --store` chose: lowdb in the data dir by default, or PostgreSQL. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.storeUrl === undefined)
    return LowdbStore.open({ dataDir: opts.dataDir, flushMs: opts.flushMs, log: opts.log });
  return PostgresStore.open({
    url: opts.storeUrl,
    flushMs: opts.flushMs,
    log: opts.log,
    ...(opts.serverId === undefined ? {} : { serverId: opts.serverId }),
  });
}
