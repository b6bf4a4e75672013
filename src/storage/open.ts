/**
 * The one way Edgewise opens an IndexedDB database: through a given factory
 * (fake-indexeddb in Node tests), with the schema brought up to date by a
 * declarative migration list, and with the two multi-tab rules IndexedDB
 * leaves to the page:
 *
 * - Our connections close themselves when another tab needs to upgrade the
 *   schema (`versionchange`), so we never block a newer version of the app.
 * - An open that another connection blocks (an older tab that does not close)
 *   fails after `blockedTimeoutMs` with a typed error instead of never settling;
 *   a connection that arrives after that is closed at once.
 *
 * Every Edgewise database (metrics, sync outbox, models, key-value) opens here.
 */
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames, wrap } from 'idb';
import { EdgewiseError } from '../errors';

/** The version-change transaction a migration step runs in. */
export type IdbUpgradeTx<S extends DBSchema> = IDBPTransaction<S, StoreNames<S>[], 'versionchange'>;

/**
 * One schema step of a database. In a migration list, entry i upgrades
 * version i to i + 1: append only, never edit a published step.
 */
export type IdbMigration<S extends DBSchema> = (db: IDBPDatabase<S>, tx: IdbUpgradeTx<S>) => void;

/** Options of `openIdb`. */
export interface OpenIdbOptions<S extends DBSchema> {
  /** The IDBFactory (default `globalThis.indexedDB`). */
  factory?: IDBFactory;
  name: string;
  /** The schema: entry i upgrades version i to i + 1 (the schema version is their number). */
  migrations: readonly IdbMigration<S>[];
  /**
   * Schema version to open (default: the latest, `migrations.length`). Tests
   * open older ones to check migrations.
   */
  version?: number;
  /** Who is opening, for error messages (e.g. 'IndexedDbOutbox'). */
  where: string;
  /** What to use instead when there is no IndexedDB (for the error message). */
  fallback: string;
  /** How long an open blocked by another connection may wait (default 10 s). */
  blockedTimeoutMs?: number;
}

/** Opens (creating or upgrading) database `name` at the latest schema of `migrations`. */
export function openIdb<S extends DBSchema>(options: OpenIdbOptions<S>): Promise<IDBPDatabase<S>> {
  const latest = options.migrations.length;
  const version = options.version ?? latest;
  if (!Number.isInteger(version) || version < 1 || version > latest) {
    return Promise.reject(
      new EdgewiseError(
        'UNSUPPORTED_VERSION',
        `${options.where}: schema version ${version} is unknown; pass 1..${latest}.`,
      ),
    );
  }
  const factory = options.factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) {
    return Promise.reject(
      new EdgewiseError(
        'INVALID_STATE',
        `${options.where}: no IndexedDB here; ${options.fallback} or pass a factory (fake-indexeddb).`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (e: EdgewiseError) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      reject(e);
    };
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(options.name, version);
    } catch (cause) {
      fail(
        new EdgewiseError('INVALID_STATE', `${options.where}: cannot open '${options.name}'.`, {
          cause,
        }),
      );
      return;
    }
    request.onupgradeneeded = (event) => {
      const db = wrap(request.result) as unknown as IDBPDatabase<S>;
      const tx = wrap(request.transaction as IDBTransaction) as unknown as IdbUpgradeTx<S>;
      for (let v = event.oldVersion; v < (event.newVersion ?? version); v++) {
        options.migrations[v](db, tx);
      }
    };
    request.onblocked = () => {
      if (timer !== undefined || settled) return;
      timer = setTimeout(
        () =>
          fail(
            new EdgewiseError(
              'INVALID_STATE',
              `${options.where}: opening '${options.name}' (schema v${version}) is blocked by ` +
                'another tab or connection that keeps an older version open; close or reload the other tabs of this app.',
            ),
          ),
        options.blockedTimeoutMs ?? 10_000,
      );
    };
    request.onsuccess = () => {
      const raw = request.result;
      if (settled) {
        raw.close(); // we gave up waiting: do not keep a connection nobody uses
        return;
      }
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      // Never block another tab's upgrade: close, and let the next call fail clearly.
      raw.onversionchange = () => raw.close();
      resolve(wrap(raw) as unknown as IDBPDatabase<S>);
    };
    request.onerror = (event) => {
      event.preventDefault();
      const cause = request.error;
      fail(
        cause?.name === 'VersionError'
          ? new EdgewiseError(
              'UNSUPPORTED_VERSION',
              `${options.where}: '${options.name}' was written by a newer version of Edgewise (schema newer than v${version}); update the app or use another database name.`,
              { cause },
            )
          : new EdgewiseError(
              'INVALID_STATE',
              `${options.where}: cannot open '${options.name}': ${cause?.message ?? 'unknown error'}.`,
              { cause },
            ),
      );
    };
  });
}
