/**
 * A small key-value store for application state (detector snapshots, replay
 * positions, UI state): IndexedDB through idb in browsers, a Map elsewhere.
 * Values must be structured-clone safe (typed arrays included).
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import { EdgewiseError } from '../errors';
import { type IdbMigration, openIdb } from './open';
import { isQuotaError } from './types';

interface KvSchema extends DBSchema {
  kv: { key: string; value: unknown };
}

/** Schema of a key-value database: entry i upgrades version i to i + 1 (append only). */
const KV_MIGRATIONS: readonly IdbMigration<KvSchema>[] = [
  // v1: one store, out-of-line string keys.
  (db) => {
    db.createObjectStore('kv');
  },
];

/**
 * A small key-value store (IndexedDB, or memory where there is none); values are structured
 * clones.
 */
export interface KvStore {
  readonly kind: 'indexeddb' | 'memory';
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Several keys in one transaction: all written or none. */
  setMany(entries: Record<string, unknown>): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
  close(): void;
}

class MemoryKv implements KvStore {
  readonly kind = 'memory' as const;
  readonly #m = new Map<string, unknown>();
  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.#m.get(key)) as T | undefined;
  }
  async set(key: string, value: unknown): Promise<void> {
    this.#m.set(key, structuredClone(value));
  }
  async setMany(entries: Record<string, unknown>): Promise<void> {
    const copies = Object.entries(entries).map(([k, v]) => [k, structuredClone(v)] as const);
    for (const [k, v] of copies) this.#m.set(k, v);
  }
  async delete(key: string): Promise<void> {
    this.#m.delete(key);
  }
  async keys(): Promise<string[]> {
    return [...this.#m.keys()];
  }
  close(): void {}
}

class IdbKv implements KvStore {
  readonly kind = 'indexeddb' as const;
  constructor(private readonly db: IDBPDatabase<KvSchema>) {}
  async get<T>(key: string): Promise<T | undefined> {
    return (await this.db.get('kv', key)) as T | undefined;
  }
  async set(key: string, value: unknown): Promise<void> {
    await this.setMany({ [key]: value });
  }
  async setMany(entries: Record<string, unknown>): Promise<void> {
    for (const [k, v] of Object.entries(entries)) {
      try {
        structuredClone(v); // refuse the whole batch before any write
      } catch (cause) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `KvStore: the value of '${k}' cannot be stored (not structured-clone safe).`,
          {
            cause,
          },
        );
      }
    }
    const tx = this.db.transaction('kv', 'readwrite');
    try {
      await Promise.all([...Object.entries(entries).map(([k, v]) => tx.store.put(v, k)), tx.done]);
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // already finished
      }
      if (isQuotaError(e)) {
        throw new EdgewiseError(
          'QUOTA_EXCEEDED',
          'KvStore: the browser storage quota is full; nothing was written.',
          {
            cause: e,
          },
        );
      }
      throw e;
    }
  }
  async delete(key: string): Promise<void> {
    await this.db.delete('kv', key);
  }
  async keys(): Promise<string[]> {
    return (await this.db.getAllKeys('kv')) as string[];
  }
  close(): void {
    this.db.close();
  }
}

/** Opens (or creates) the store `name`; falls back to memory where IndexedDB is missing. */
export async function openKvStore(
  name = 'edgewise-kv',
  options: { memory?: boolean } = {},
): Promise<KvStore> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (options.memory || !factory) return new MemoryKv();
  const db = await openIdb<KvSchema>({
    factory,
    name,
    migrations: KV_MIGRATIONS,
    where: 'openKvStore',
    fallback: 'pass { memory: true }',
  });
  return new IdbKv(db);
}
