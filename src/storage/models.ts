/**
 * Model storage for the ML registry (src/ml/registry.ts): its own IndexedDB
 * database ('edgewise-models' by default, separate from the metrics database
 * so neither schema's migrations can touch the other's data), with an
 * in-memory twin. Writes are all-or-nothing (one transaction).
 *
 * Stores (schema version 1):
 *   records  keyPath [name, version]  metadata (no bytes; listing stays cheap)
 *   blobs    keyPath [name, version]  { name, version, bytes }
 *   shadow   keyPath [name, version]  shadow-mode comparison sums
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import { EdgewiseError } from '../errors';
import { type IdbMigration, openIdb } from './open';
import { isQuotaError } from './types';

/** The stage of a model version in the registry. */
export type ModelStage = 'candidate' | 'production' | 'archived';

/** A registered model version: name, version, stage, format, hashes, size, metrics and dates. */
export interface ModelRecord {
  name: string;
  version: number;
  /** ms since the epoch. */
  createdAt: number;
  /** 'edgewise' (Model.serialize()) or 'onnx'. */
  format: 'edgewise' | 'onnx';
  /** SHA-256 (hex) of the FeatureSpec the model was trained on ('' if none). */
  specHash: string;
  /** SHA-256 (hex) of the model bytes. */
  sha256: string;
  size: number;
  stage: ModelStage;
  metrics: Record<string, number>;
  /** When it last became production (ms), for rollback order. */
  promotedAt?: number;
}

/** The running comparison of a candidate with production in shadow mode. */
export interface ShadowState {
  name: string;
  version: number;
  n: number;
  sumAbsDiff: number;
  maxAbsDiff: number;
  sx: number;
  sy: number;
  sxx: number;
  syy: number;
  sxy: number;
  /** Rows where both flag (score > threshold) or both do not. */
  agree: number;
  threshold: number;
  productionVersion: number;
  updatedAt: number;
}

/** Records, blobs and shadow states written in one transaction. */
export interface ModelWrite {
  records?: ModelRecord[];
  blobs?: { name: string; version: number; bytes: Uint8Array }[];
  remove?: [string, number][];
  shadow?: ShadowState[];
  /**
   * The records are new versions: the write fails with `ALREADY_REGISTERED` and
   * changes nothing if any of them exists already (another registry on the same
   * database, e.g. another tab, took that version first).
   */
  create?: boolean;
}

function taken(r: { name: string; version: number }): EdgewiseError {
  return new EdgewiseError(
    'ALREADY_REGISTERED',
    `model '${r.name}' v${r.version} exists already (written by another registry on this database).`,
  );
}

/** Where `ModelRegistry` keeps records and model bytes. */
export interface ModelStoreBackend {
  readonly kind: 'indexeddb' | 'memory';
  records(): Promise<ModelRecord[]>;
  blob(name: string, version: number): Promise<Uint8Array | undefined>;
  shadow(name: string, version: number): Promise<ShadowState | undefined>;
  write(w: ModelWrite): Promise<void>;
  close(): void;
}

/** The IndexedDB schema of the models database (records, blobs, shadow). */
export interface ModelsDB extends DBSchema {
  records: { key: [string, number]; value: ModelRecord };
  blobs: { key: [string, number]; value: { name: string; version: number; bytes: Uint8Array } };
  shadow: { key: [string, number]; value: ShadowState };
}

/** Schema migrations of the models database: entry i upgrades version i to i + 1 (append only). */
export const MODEL_MIGRATIONS: readonly IdbMigration<ModelsDB>[] = [
  (db) => {
    db.createObjectStore('records', { keyPath: ['name', 'version'] });
    db.createObjectStore('blobs', { keyPath: ['name', 'version'] });
    db.createObjectStore('shadow', { keyPath: ['name', 'version'] });
  },
];
/** The models database's schema version (the number of `MODEL_MIGRATIONS`). */
export const MODEL_SCHEMA_VERSION = MODEL_MIGRATIONS.length;

const copy = <T>(v: T): T => structuredClone(v);

/** An in-memory `ModelStoreBackend`. */
export class MemoryModelStore implements ModelStoreBackend {
  readonly kind = 'memory' as const;
  #records = new Map<string, ModelRecord>();
  #blobs = new Map<string, Uint8Array>();
  #shadow = new Map<string, ShadowState>();
  async records(): Promise<ModelRecord[]> {
    return [...this.#records.values()].map(copy);
  }
  async blob(name: string, version: number): Promise<Uint8Array | undefined> {
    return this.#blobs.get(`${name}\u0000${version}`)?.slice();
  }
  async shadow(name: string, version: number): Promise<ShadowState | undefined> {
    const s = this.#shadow.get(`${name}\u0000${version}`);
    return s && copy(s);
  }
  async write(w: ModelWrite): Promise<void> {
    if (w.create) {
      for (const r of w.records ?? []) {
        if (this.#records.has(`${r.name}\u0000${r.version}`)) throw taken(r);
      }
    }
    for (const r of w.records ?? []) this.#records.set(`${r.name}\u0000${r.version}`, copy(r));
    for (const b of w.blobs ?? []) this.#blobs.set(`${b.name}\u0000${b.version}`, b.bytes.slice());
    for (const s of w.shadow ?? []) this.#shadow.set(`${s.name}\u0000${s.version}`, copy(s));
    for (const [n, v] of w.remove ?? []) {
      const k = `${n}\u0000${v}`;
      this.#records.delete(k);
      this.#blobs.delete(k);
      this.#shadow.delete(k);
    }
  }
  close(): void {}
}

/** Options of `IndexedDbModelStore.open`. */
export interface IndexedDbModelStoreOptions {
  /** Database name (default 'edgewise-models'). */
  name?: string;
  /** An IDBFactory (default globalThis.indexedDB; fake-indexeddb in Node tests). */
  factory?: IDBFactory;
}

/** The `ModelStoreBackend` in IndexedDB (database `edgewise-models`). */
export class IndexedDbModelStore implements ModelStoreBackend {
  readonly kind = 'indexeddb' as const;
  private constructor(private readonly db: IDBPDatabase<ModelsDB>) {}

  static async open(options: IndexedDbModelStoreOptions = {}): Promise<IndexedDbModelStore> {
    const db = await openIdb<ModelsDB>({
      factory: options.factory,
      name: options.name ?? 'edgewise-models',
      migrations: MODEL_MIGRATIONS,
      where: 'IndexedDbModelStore',
      fallback: "use { storage: 'memory' }",
    });
    return new IndexedDbModelStore(db);
  }

  records(): Promise<ModelRecord[]> {
    return this.db.getAll('records');
  }
  async blob(name: string, version: number): Promise<Uint8Array | undefined> {
    return (await this.db.get('blobs', [name, version]))?.bytes;
  }
  shadow(name: string, version: number): Promise<ShadowState | undefined> {
    return this.db.get('shadow', [name, version]);
  }
  async write(w: ModelWrite): Promise<void> {
    try {
      const tx = this.db.transaction(['records', 'blobs', 'shadow'], 'readwrite');
      const ops: Promise<unknown>[] = [];
      for (const r of w.records ?? []) {
        const store = tx.objectStore('records');
        ops.push(
          w.create
            ? store.add(r).catch((e: unknown) => {
                throw (e as { name?: string })?.name === 'ConstraintError' ? taken(r) : e;
              })
            : store.put(r),
        );
      }
      for (const b of w.blobs ?? []) ops.push(tx.objectStore('blobs').put(b));
      for (const s of w.shadow ?? []) ops.push(tx.objectStore('shadow').put(s));
      for (const [n, v] of w.remove ?? []) {
        ops.push(tx.objectStore('records').delete([n, v]));
        ops.push(tx.objectStore('blobs').delete([n, v]));
        ops.push(tx.objectStore('shadow').delete([n, v]));
      }
      ops.push(tx.done);
      const settled = await Promise.allSettled(ops);
      const failed = settled.filter((r) => r.status === 'rejected').map((r) => r.reason);
      // The request's own error says why; the transaction's AbortError only follows it.
      if (failed.length) throw failed.find((e) => e instanceof EdgewiseError) ?? failed[0];
    } catch (e) {
      if (isQuotaError(e))
        throw new EdgewiseError('QUOTA_EXCEEDED', 'IndexedDB is full (QuotaExceededError).', {
          cause: e,
        });
      throw e;
    }
  }
  close(): void {
    this.db.close();
  }
}
