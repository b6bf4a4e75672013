/**
 * Model registry over src/storage/models.ts: versioned models with stages,
 * SHA-256 content hashes checked on every load, rollback, single-file
 * export/import, and shadow-mode comparisons of a candidate with production.
 *
 * ```ts
 * const reg = await ModelRegistry.open({ storage: 'indexeddb' });
 * const rec = await reg.register('cpu', result.bytes, { specHash: result.specHash, metrics: { auc: 0.97 } });
 * await reg.promote('cpu', rec.version);
 * const model = await reg.loadModel('cpu'); // production; refused if the bytes were altered
 * await reg.rollback('cpu'); // back to the previous production version
 * ```
 */
import { describeValue, EdgewiseError } from '../errors';
import {
  IndexedDbModelStore,
  MemoryModelStore,
  type ModelRecord,
  type ModelStage,
  type ModelStoreBackend,
  type ShadowState,
} from '../storage/models';
import { sha256Hex } from './hash';
import { deserializeModel, type Model } from './models';

export type { ModelRecord, ModelStage, ShadowState };

/** Options of `ModelRegistry.open`. */
export interface RegistryOptions {
  /** 'indexeddb' (browsers; default when available) or 'memory'. */
  storage?: 'indexeddb' | 'memory';
  /** IndexedDB database name (default 'edgewise-models'). */
  name?: string;
  /** IDBFactory to use (fake-indexeddb in Node tests). */
  factory?: IDBFactory;
  /** A backend to use as is (overrides `storage`). */
  backend?: ModelStoreBackend;
}

/** Options of `ModelRegistry.register`: spec hash, metrics and format. */
export interface RegisterOptions {
  specHash?: string;
  metrics?: Record<string, number>;
  /** Default 'edgewise' (bytes from Model.serialize() / train()). */
  format?: 'edgewise' | 'onnx';
}

/** How a candidate scored against production in shadow mode. */
export interface ShadowReport {
  name: string;
  version: number;
  productionVersion: number;
  n: number;
  meanAbsDiff: number;
  maxAbsDiff: number;
  /** Pearson correlation of candidate and production scores. */
  correlation: number;
  /** Fraction of rows where both flag (score > threshold) or both do not. */
  agreement: number;
  meanProduction: number;
  meanCandidate: number;
}

/** Events of a `ModelRegistry` (`on`): promotions and rollbacks. */
export type RegistryEvent = {
  type: 'promote' | 'rollback';
  name: string;
  version: number;
  previous?: number;
};

const NAME_RE = /^[A-Za-z0-9_.:-]{1,128}$/;
const FILE_FORMAT = 'edgewise-model-registry';

function checkName(name: unknown, where: string): string {
  if (typeof name !== 'string' || !NAME_RE.test(name))
    throw new EdgewiseError(
      'INVALID_NAME',
      `${where}: model names are 1-128 of A-Z a-z 0-9 _ . : -, got ${describeValue(name)}.`,
    );
  return name;
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}
function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Versioned models in IndexedDB (or memory): register, promote, roll back, export/import; a load
 * whose bytes do not match the stored SHA-256 is refused.
 *
 * @example
 * ```ts
 * const reg = await ModelRegistry.open({ storage: 'memory' });
 * const rec = await reg.register('cpu', bytes);
 * await reg.promote('cpu', rec.version);
 * ```
 */
export class ModelRegistry {
  readonly backend: ModelStoreBackend;
  #queue: Promise<unknown> = Promise.resolve();
  #listeners = new Set<(e: RegistryEvent) => void>();

  private constructor(backend: ModelStoreBackend) {
    this.backend = backend;
  }

  static async open(options: RegistryOptions = {}): Promise<ModelRegistry> {
    if (options.backend) return new ModelRegistry(options.backend);
    const storage =
      options.storage ?? (options.factory || globalThis.indexedDB ? 'indexeddb' : 'memory');
    if (storage === 'memory') return new ModelRegistry(new MemoryModelStore());
    if (storage !== 'indexeddb')
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ModelRegistry.open: storage must be 'indexeddb' or 'memory', got ${describeValue(storage)}.`,
      );
    return new ModelRegistry(
      await IndexedDbModelStore.open({ name: options.name, factory: options.factory }),
    );
  }

  /** Serialises mutations (version numbers and stage changes are read-modify-write). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  /** Called on promote and rollback (the pipeline hot-swaps on these). Returns an unsubscribe function. */
  on(listener: (e: RegistryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  #emit(e: RegistryEvent): void {
    for (const l of this.#listeners) l(e);
  }

  /** All versions (of `name`, or of every model), ordered by name then version. */
  async list(name?: string): Promise<ModelRecord[]> {
    const all = await this.backend.records();
    return all
      .filter((r) => name === undefined || r.name === name)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
  }

  async get(name: string, version?: number): Promise<ModelRecord> {
    const rs = await this.list(checkName(name, 'ModelRegistry.get'));
    const r =
      version === undefined
        ? rs.find((x) => x.stage === 'production')
        : rs.find((x) => x.version === version);
    if (!r)
      throw new EdgewiseError(
        'NOT_FOUND',
        version === undefined
          ? `ModelRegistry: '${name}' has no production version; promote one or pass { version }.`
          : `ModelRegistry: '${name}' has no version ${version} (versions: ${rs.map((x) => x.version).join(', ') || 'none'}).`,
      );
    return r;
  }

  /** Stores a new version (auto-incremented) as a candidate. */
  async register(
    name: string,
    bytes: Uint8Array,
    options: RegisterOptions = {},
  ): Promise<ModelRecord> {
    checkName(name, 'ModelRegistry.register');
    if (!(bytes instanceof Uint8Array) || bytes.length === 0)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ModelRegistry.register: pass the model bytes (a non-empty Uint8Array), got ${describeValue(bytes)}.`,
      );
    const format = options.format ?? 'edgewise';
    let specHash = options.specHash ?? '';
    if (format === 'edgewise') {
      const m = deserializeModel(bytes); // validates; the header carries the spec hash
      if (options.specHash && options.specHash !== m.header.specHash)
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          'ModelRegistry.register: specHash differs from the one in the model header.',
        );
      specHash = m.header.specHash;
      m.dispose();
    }
    for (const [k, v] of Object.entries(options.metrics ?? {}))
      if (typeof v !== 'number')
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `ModelRegistry.register: metric '${k}' must be a number.`,
        );
    const data = bytes.slice();
    return this.#serial(async () => {
      const sha256 = await sha256Hex(data);
      // Another registry on the same database (another tab) may take the next
      // version between our read and our write: the write refuses to overwrite
      // (create: true) and we try the version after.
      for (let attempt = 0; ; attempt++) {
        const versions = (await this.list(name)).map((r) => r.version);
        const rec: ModelRecord = {
          name,
          version: versions.length ? Math.max(...versions) + 1 : 1,
          createdAt: Date.now(),
          format,
          specHash,
          sha256,
          size: data.length,
          stage: 'candidate',
          metrics: { ...(options.metrics ?? {}) },
        };
        try {
          await this.backend.write({
            records: [rec],
            blobs: [{ name, version: rec.version, bytes: data }],
            create: true,
          });
          return rec;
        } catch (e) {
          if (!(e instanceof EdgewiseError && e.code === 'ALREADY_REGISTERED') || attempt >= 100) {
            throw e;
          }
        }
      }
    });
  }

  /** The verified bytes of a version (default: production). A hash mismatch is refused. */
  async load(
    name: string,
    options: { version?: number } = {},
  ): Promise<{ record: ModelRecord; bytes: Uint8Array }> {
    const record = await this.get(name, options.version);
    const bytes = await this.backend.blob(name, record.version);
    if (!bytes)
      throw new EdgewiseError(
        'CORRUPT_STATE',
        `ModelRegistry.load: the bytes of '${name}' v${record.version} are missing.`,
      );
    const hex = await sha256Hex(bytes);
    if (hex !== record.sha256 || bytes.length !== record.size) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        `ModelRegistry.load: '${name}' v${record.version} failed its integrity check (stored SHA-256 ${record.sha256}, bytes hash to ${hex}); refusing to load altered model bytes. Re-register the model.`,
      );
    }
    return { record, bytes };
  }

  /** Loads and deserialises an 'edgewise' model (default: production). */
  async loadModel(
    name: string,
    options: { version?: number } = {},
  ): Promise<{ record: ModelRecord; model: Model }> {
    const { record, bytes } = await this.load(name, options);
    if (record.format !== 'edgewise')
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ModelRegistry.loadModel: '${name}' v${record.version} is ${record.format}; use load() and loadOnnx().`,
      );
    return { record, model: deserializeModel(bytes) };
  }

  /** Makes `version` production; the current production becomes archived. */
  promote(name: string, version: number): Promise<ModelRecord> {
    return this.#serial(async () => {
      const rs = await this.list(checkName(name, 'ModelRegistry.promote'));
      const target = rs.find((r) => r.version === version);
      if (!target)
        throw new EdgewiseError(
          'NOT_FOUND',
          `ModelRegistry.promote: '${name}' has no version ${describeValue(version)}.`,
        );
      const current = rs.find((r) => r.stage === 'production');
      if (current?.version === version) return target;
      const now = Math.max(Date.now(), ...rs.map((r) => (r.promotedAt ?? 0) + 1));
      const updated: ModelRecord[] = [{ ...target, stage: 'production', promotedAt: now }];
      if (current) updated.push({ ...current, stage: 'archived' });
      await this.backend.write({ records: updated });
      this.#emit({ type: 'promote', name, version, previous: current?.version });
      return updated[0];
    });
  }

  /** Production goes back to the version that was production before the current one. */
  rollback(name: string): Promise<ModelRecord> {
    return this.#serial(async () => {
      const rs = await this.list(checkName(name, 'ModelRegistry.rollback'));
      const current = rs.find((r) => r.stage === 'production');
      if (!current)
        throw new EdgewiseError(
          'INVALID_STATE',
          `ModelRegistry.rollback: '${name}' has no production version.`,
        );
      const previous = rs
        .filter(
          (r) =>
            r.stage === 'archived' &&
            (r.promotedAt ?? 0) < (current.promotedAt ?? 0) &&
            r.promotedAt !== undefined,
        )
        .sort((a, b) => (b.promotedAt ?? 0) - (a.promotedAt ?? 0))[0];
      if (!previous)
        throw new EdgewiseError(
          'INVALID_STATE',
          `ModelRegistry.rollback: '${name}' v${current.version} is the first production version; there is nothing to roll back to.`,
        );
      // the rolled-back version leaves the promotion history (promotedAt cleared), so a second rollback goes further back
      const next: ModelRecord = { ...previous, stage: 'production' };
      const old: ModelRecord = { ...current, stage: 'archived' };
      delete old.promotedAt;
      await this.backend.write({ records: [next, old] });
      this.#emit({ type: 'rollback', name, version: next.version, previous: current.version });
      return next;
    });
  }

  /** Deletes a version (not the production one: promote or roll back first). */
  delete(name: string, version: number): Promise<void> {
    return this.#serial(async () => {
      const r = await this.get(name, version);
      if (r.stage === 'production')
        throw new EdgewiseError(
          'INVALID_STATE',
          `ModelRegistry.delete: '${name}' v${version} is in production; promote another version or roll back first.`,
        );
      await this.backend.write({ remove: [[name, version]] });
    });
  }

  /** Every version (of `name`, or all) with its bytes, as one JSON file (UTF-8 bytes). */
  async export(name?: string): Promise<Uint8Array> {
    const records = await this.list(name);
    const models = [];
    for (const r of records) {
      const { bytes } = await this.load(r.name, { version: r.version });
      models.push({ record: r, bytes: toBase64(bytes) });
    }
    return new TextEncoder().encode(JSON.stringify({ format: FILE_FORMAT, version: 1, models }));
  }

  /** Imports a file from `export()`: hashes are checked; existing (name, version) pairs are refused. */
  import(file: Uint8Array): Promise<ModelRecord[]> {
    return this.#serial(async () => {
      let doc: {
        format?: string;
        version?: number;
        models?: { record: ModelRecord; bytes: string }[];
      };
      try {
        doc = JSON.parse(new TextDecoder().decode(file));
      } catch (cause) {
        throw new EdgewiseError(
          'CORRUPT_STATE',
          'ModelRegistry.import: the file is not a registry export (not JSON).',
          { cause },
        );
      }
      if (doc.format !== FILE_FORMAT || doc.version !== 1 || !Array.isArray(doc.models))
        throw new EdgewiseError(
          'CORRUPT_STATE',
          `ModelRegistry.import: not a ${FILE_FORMAT} v1 file.`,
        );
      const existing = new Set((await this.list()).map((r) => `${r.name}\u0000${r.version}`));
      const records: ModelRecord[] = [];
      const blobs: { name: string; version: number; bytes: Uint8Array }[] = [];
      const prod = new Set(
        (await this.list()).filter((r) => r.stage === 'production').map((r) => r.name),
      );
      for (const m of doc.models) {
        const r = m?.record;
        if (typeof r !== 'object' || r === null || typeof m.bytes !== 'string')
          throw new EdgewiseError(
            'CORRUPT_STATE',
            'ModelRegistry.import: every model needs a record and its bytes (base64).',
          );
        checkName(r.name, 'ModelRegistry.import');
        if (!Number.isSafeInteger(r.version) || r.version < 1)
          throw new EdgewiseError(
            'CORRUPT_STATE',
            `ModelRegistry.import: '${r.name}' has version ${describeValue(r.version)}; versions are integers >= 1.`,
          );
        if (!['candidate', 'production', 'archived'].includes(r.stage as string))
          throw new EdgewiseError(
            'CORRUPT_STATE',
            `ModelRegistry.import: '${r.name}' v${r.version} has stage ${describeValue(r.stage)}; expected candidate, production or archived.`,
          );
        if (typeof r.sha256 !== 'string')
          throw new EdgewiseError(
            'CORRUPT_STATE',
            `ModelRegistry.import: '${r.name}' v${r.version} has no SHA-256.`,
          );
        if (existing.has(`${r.name}\u0000${r.version}`))
          throw new EdgewiseError(
            'ALREADY_REGISTERED',
            `ModelRegistry.import: '${r.name}' v${r.version} already exists; delete it first.`,
          );
        const bytes = fromBase64(m.bytes);
        const hex = await sha256Hex(bytes);
        if (hex !== r.sha256)
          throw new EdgewiseError(
            'CORRUPT_STATE',
            `ModelRegistry.import: '${r.name}' v${r.version} does not match its SHA-256; the file was altered.`,
          );
        if (r.stage === 'production' && prod.has(r.name)) r.stage = 'archived';
        if (r.stage === 'production') prod.add(r.name);
        records.push(r);
        blobs.push({ name: r.name, version: r.version, bytes });
      }
      await this.backend.write({ records, blobs, create: true });
      return records;
    });
  }

  /**
   * Shadow mode: records how candidate `version` scored the same rows as
   * production (sums are cumulative across calls and persisted). `threshold`
   * defines the flag agreement (default 0.5).
   */
  async recordShadow(
    name: string,
    version: number,
    production: Float64Array,
    candidate: Float64Array,
    options: { threshold?: number; productionVersion?: number } = {},
  ): Promise<ShadowReport> {
    if (
      !(production instanceof Float64Array) ||
      !(candidate instanceof Float64Array) ||
      production.length !== candidate.length
    )
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'ModelRegistry.recordShadow: pass two Float64Arrays of scores of equal length.',
      );
    return this.#serial(async () => {
      await this.get(name, version);
      const threshold = options.threshold ?? 0.5;
      const s: ShadowState = (await this.backend.shadow(name, version)) ?? {
        name,
        version,
        n: 0,
        sumAbsDiff: 0,
        maxAbsDiff: 0,
        sx: 0,
        sy: 0,
        sxx: 0,
        syy: 0,
        sxy: 0,
        agree: 0,
        threshold,
        productionVersion: options.productionVersion ?? 0,
        updatedAt: 0,
      };
      for (let i = 0; i < production.length; i++) {
        const x = production[i];
        const y = candidate[i];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const dd = Math.abs(x - y);
        s.n++;
        s.sumAbsDiff += dd;
        if (dd > s.maxAbsDiff) s.maxAbsDiff = dd;
        s.sx += x;
        s.sy += y;
        s.sxx += x * x;
        s.syy += y * y;
        s.sxy += x * y;
        if (x > s.threshold === y > s.threshold) s.agree++;
      }
      if (options.productionVersion !== undefined) s.productionVersion = options.productionVersion;
      s.updatedAt = Date.now();
      await this.backend.write({ shadow: [s] });
      return report(s);
    });
  }

  async shadowReport(name: string, version: number): Promise<ShadowReport | undefined> {
    const s = await this.backend.shadow(checkName(name, 'ModelRegistry.shadowReport'), version);
    return s && report(s);
  }

  close(): void {
    this.backend.close();
  }
}

function report(s: ShadowState): ShadowReport {
  const n = s.n;
  const cov = s.sxy - (s.sx * s.sy) / n;
  const vx = s.sxx - (s.sx * s.sx) / n;
  const vy = s.syy - (s.sy * s.sy) / n;
  return {
    name: s.name,
    version: s.version,
    productionVersion: s.productionVersion,
    n,
    meanAbsDiff: n ? s.sumAbsDiff / n : Number.NaN,
    maxAbsDiff: s.maxAbsDiff,
    correlation: vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : Number.NaN,
    agreement: n ? s.agree / n : Number.NaN,
    meanProduction: n ? s.sx / n : Number.NaN,
    meanCandidate: n ? s.sy / n : Number.NaN,
  };
}
