/**
 * The sender: drains the outbox in batches to one endpoint through one
 * exporter. A batch is deleted only after a 2xx; it is retried with full-jitter
 * exponential backoff (honouring `Retry-After`) on network errors, timeouts,
 * 408, 429 and 5xx; parked with a clear error on any other 4xx. The batch in
 * flight (seq range, idempotency key, attempts) is stored in the outbox, so
 * after a reload or a crash the same batch is re-sent with the same key.
 */
import { describeValue, EdgewiseError } from '../errors';
import {
  type Exporter,
  jsonLinesExporter,
  type OtlpOptions,
  otlpExporter,
  remoteWriteExporter,
} from './exporters';
import { type LockMode, resolveLockMode, runAsLeader } from './leader';
import type { Outbox } from './outbox';
import { type BackoffOptions, backoffDelay, isRetryableStatus, parseRetryAfter } from './retry';
import type { InflightBatch, OutboxEntry, SyncRecord } from './types';

/**
 * Options of `Sender`: endpoint, outbox, exporter, credentials, batching, retries, timeouts and
 * locking.
 */
export interface SenderOptions {
  /** Where batches are POSTed (e.g. `http://127.0.0.1:9090/api/v1/write`). */
  endpoint: string;
  /** The durable outbox to drain. */
  outbox: Outbox;
  /** Wire format (default 'remote-write'). */
  exporter?: 'remote-write' | 'otlp' | 'jsonl' | Exporter;
  /** OTLP resource / scope (exporter 'otlp'). */
  otlp?: OtlpOptions;
  /**
   * Sent as `Authorization: Bearer <token>`. Kept in memory only, never logged nor stored.
   * Refused over plain `http:` to a non-loopback host unless `allowInsecureAuth`.
   */
  bearerToken?: string;
  /** Allow a bearer token over plain `http:` to a non-loopback host (default false). */
  allowInsecureAuth?: boolean;
  /** Extra request headers (e.g. `X-Scope-OrgID` for Mimir/Cortex). Never logged nor stored. */
  headers?: Record<string, string>;
  /** Largest request body in bytes (default 64 KiB, which fits `fetch(..., { keepalive: true })`). */
  maxBatchBytes?: number;
  /** Most outbox entries per batch (default 512). */
  maxBatchEntries?: number;
  /**
   * Backoff (full jitter): base 500 ms, max 30 s by default. A server's
   * `Retry-After` is honoured up to `maxRetryAfterMs` (default 10 min), never
   * below `baseMs` nor below the current backoff.
   */
  retry?: BackoffOptions & { maxRetryAfterMs?: number };
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /** How often an idle sender looks for new entries (default 1 s); `notify()` wakes it at once. */
  pollMs?: number;
  /** One sender per origin: 'auto' (Web Locks, else BroadcastChannel, else none). */
  lock?: LockMode;
  /** Lock / channel name (default `edgewise-sync:<endpoint>`). */
  lockName?: string;
  /** fetch implementation (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Random in [0, 1) for jitter (default Math.random). */
  random?: () => number;
  /** Clock (default Date.now). */
  now?: () => number;
}

/**
 * Events of a `Sender` (`on`): sent, duplicate, retry, parked, split, leadership and
 * online/offline.
 */
export type SyncEvent =
  | { type: 'sent'; key: string; points: number; bytes: number; status: number }
  | { type: 'duplicate'; key: string; points: number; status: number }
  | { type: 'retry'; key: string; attempt: number; delayMs: number; reason: string }
  | { type: 'parked'; key: string; status: number; error: EdgewiseError }
  /** A batch of several entries was refused: its halves are sent on their own. */
  | { type: 'split'; key: string; status: number; entries: number }
  | { type: 'leader'; leader: boolean }
  | { type: 'offline' }
  | { type: 'online' };

/** Counters of a `Sender`. */
export interface SenderStats {
  /** HTTP requests started. */
  requests: number;
  /** Requests that failed (network error, timeout or non-2xx). */
  failures: number;
  /** Retries scheduled. */
  retries: number;
  batchesSent: number;
  /** Points acknowledged by the backend (re-sent duplicates counted once). */
  pointsSent: number;
  bytesSent: number;
  /** Re-sent batches the backend reported as already stored. */
  duplicates: number;
  /** Entries parked (refused on their own with a non-retryable status). */
  parked: number;
  /** Refused batches of several entries split to isolate the refused entry. */
  splits: number;
}

const DEFAULT_MAX_BATCH = 64 * 1024;

function resolveExporter(o: SenderOptions): Exporter {
  const e = o.exporter ?? 'remote-write';
  if (typeof e === 'object' && e !== null && typeof e.encode === 'function') return e;
  if (e === 'remote-write') return remoteWriteExporter();
  if (e === 'otlp') return otlpExporter(o.otlp);
  if (e === 'jsonl') return jsonLinesExporter();
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `sync: exporter must be 'remote-write', 'otlp', 'jsonl' or an Exporter, got ${String(e)}.`,
  );
}

function isOnline(): boolean {
  const n = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return n?.onLine !== false;
}

/**
 * Drains an outbox to a backend in batches: idempotency keys, retries with backoff and
 * `Retry-After`, one sending tab per origin (Web Locks).
 *
 * @example
 * ```ts
 * const sender = new Sender({ endpoint: 'https://prometheus.example/api/v1/write', outbox });
 * sender.start();
 * ```
 */
export class Sender {
  readonly exporter: Exporter;
  readonly endpoint: string;
  /** The endpoint without credentials or query string: what messages, events and lock names show. */
  readonly where: string;
  private readonly outbox: Outbox;
  private readonly headers: Record<string, string>;
  private readonly maxBatchBytes: number;
  private readonly maxBatchEntries: number;
  private readonly backoff: Required<BackoffOptions>;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly lockMode: Exclude<LockMode, 'auto'>;
  private readonly lockName: string;
  private readonly fetchFn: typeof fetch;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly listeners = new Set<(e: SyncEvent) => void>();
  private stopCtl: AbortController | undefined;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private leader = false;
  private readonly counters: SenderStats = {
    requests: 0,
    failures: 0,
    retries: 0,
    batchesSent: 0,
    pointsSent: 0,
    bytesSent: 0,
    duplicates: 0,
    parked: 0,
    splits: 0,
  };

  constructor(options: SenderOptions) {
    if (typeof options?.endpoint !== 'string' || !/^https?:\/\//.test(options.endpoint)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `sync: endpoint must be an http(s) URL, got ${typeof options?.endpoint === 'string' ? redactEndpoint(options.endpoint) : describeValue(options?.endpoint)}.`,
      );
    }
    if (!options.outbox) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'sync: pass an outbox (MemoryOutbox or IndexedDbOutbox).',
      );
    }
    this.endpoint = options.endpoint;
    this.where = redactEndpoint(options.endpoint);
    if (
      options.bearerToken !== undefined &&
      /^http:/i.test(options.endpoint) &&
      !isLoopback(options.endpoint) &&
      !options.allowInsecureAuth
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `sync: refusing to send a bearer token over plain http to ${this.where}; use https, or pass allowInsecureAuth: true if the network is trusted.`,
      );
    }
    this.outbox = options.outbox;
    this.exporter = resolveExporter(options);
    this.headers = { ...options.headers };
    if (options.bearerToken !== undefined)
      this.headers.Authorization = `Bearer ${options.bearerToken}`;
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH;
    if (!(this.maxBatchBytes >= 1024)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `sync: maxBatchBytes must be >= 1024, got ${this.maxBatchBytes}.`,
      );
    }
    this.maxBatchEntries = options.maxBatchEntries ?? 512;
    this.backoff = { baseMs: options.retry?.baseMs ?? 500, maxMs: options.retry?.maxMs ?? 30_000 };
    this.maxRetryAfterMs = options.retry?.maxRetryAfterMs ?? 600_000;
    if (!(this.backoff.baseMs > 0 && this.backoff.maxMs >= this.backoff.baseMs)) {
      throw new EdgewiseError('INVALID_ARGUMENT', 'sync: retry needs 0 < baseMs <= maxMs.');
    }
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.pollMs = options.pollMs ?? 1000;
    this.lockMode = resolveLockMode(options.lock ?? 'auto');
    this.lockName = options.lockName ?? `edgewise-sync:${this.where}`;
    const g = globalThis as { fetch?: typeof fetch };
    if (!options.fetch && !g.fetch) {
      throw new EdgewiseError('INVALID_STATE', 'sync: no fetch here; pass options.fetch.');
    }
    // Browsers throw "Illegal invocation" when fetch is called with another `this`.
    this.fetchFn = options.fetch ?? ((input, init) => g.fetch!(input, init));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Counters since construction. */
  get stats(): SenderStats {
    return { ...this.counters };
  }

  /** Whether this instance currently holds the sync lock. */
  get isLeader(): boolean {
    return this.leader;
  }

  on(fn: (e: SyncEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: SyncEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {}
    }
  }

  /** Wakes an idle sender (call after appending). */
  notify(): void {
    this.wake?.();
  }

  /** Starts draining in the background (as leader only). Idempotent. */
  start(): void {
    if (this.running) return;
    const ctl = new AbortController();
    this.stopCtl = ctl;
    this.running = runAsLeader(this.lockName, this.lockMode, ctl.signal, (sig) => this.lead(sig))
      .catch(() => {})
      .finally(() => {
        this.leader = false;
      });
  }

  /** Stops after the current request (which completes or aborts); the outbox keeps the rest. */
  async stop(): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.stopCtl?.abort();
    this.wake?.();
    await r;
    this.running = undefined;
    this.stopCtl = undefined;
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  private async waitOnline(signal: AbortSignal): Promise<void> {
    if (isOnline()) return;
    this.emit({ type: 'offline' });
    const target = globalThis as unknown as EventTarget;
    await new Promise<void>((resolve) => {
      const done = () => {
        target.removeEventListener?.('online', done);
        signal.removeEventListener('abort', done);
        clearInterval(poll);
        resolve();
      };
      target.addEventListener?.('online', done);
      signal.addEventListener('abort', done, { once: true });
      // Also poll, for environments without an 'online' event.
      const poll = setInterval(() => {
        if (isOnline()) done();
      }, 1000);
    });
    if (!signal.aborted) this.emit({ type: 'online' });
  }

  private async lead(signal: AbortSignal): Promise<void> {
    this.leader = true;
    this.emit({ type: 'leader', leader: true });
    let attempt = 0;
    try {
      while (!signal.aborted) {
        await this.waitOnline(signal);
        if (signal.aborted) break;
        let r: StepResult;
        try {
          r = await this.step(signal);
        } catch (e) {
          // Storage trouble (e.g. the database closing): back off and retry.
          r = { kind: 'retry', reason: String((e as Error)?.message ?? e), key: '' };
        }
        if (r.kind === 'idle') {
          attempt = 0;
          await this.sleep(this.pollMs, signal);
        } else if (r.kind === 'done') attempt = 0;
        else if (r.kind === 'retry') {
          // Retry-After is honoured, but never below our own backoff: `Retry-After: 0`
          // or a date in the past must not turn a 503 storm into a request storm.
          const backoff = backoffDelay(attempt, this.backoff, this.random);
          const capped =
            r.retryAfterMs !== undefined
              ? Math.min(
                  Math.max(r.retryAfterMs, this.backoff.baseMs, backoff),
                  this.maxRetryAfterMs,
                )
              : backoff;
          this.counters.retries++;
          this.emit({ type: 'retry', key: r.key, attempt, delayMs: capped, reason: r.reason });
          attempt++;
          await this.sleep(capped, signal);
        }
      }
    } finally {
      this.leader = false;
      this.emit({ type: 'leader', leader: false });
    }
  }

  /** Forms (or resumes) the batch in flight; undefined when the outbox is empty. */
  private async nextBatch(): Promise<{ batch: InflightBatch; entries: OutboxEntry[] } | undefined> {
    const inflight = await this.outbox.getInflight();
    if (inflight) {
      const entries = await this.outbox.range(inflight.first, inflight.last);
      if (entries.length) return { batch: inflight, entries };
      await this.outbox.setInflight(undefined);
    }
    const entries = await this.outbox.peek(this.maxBatchBytes, this.maxBatchEntries);
    if (!entries.length) return undefined;
    const first = entries[0].seq;
    const last = entries[entries.length - 1].seq;
    const rnd = Math.floor(this.random() * 2 ** 32).toString(36);
    return { batch: { first, last, key: `${first}-${last}-${rnd}`, attempts: 0 }, entries };
  }

  private encode(entries: OutboxEntry[], key: string) {
    const records: SyncRecord[] = [];
    for (const e of entries) records.push(...e.records);
    return this.exporter.encode(records, key);
  }

  /** One request. */
  private async step(signal: AbortSignal): Promise<StepResult> {
    const next = await this.nextBatch();
    if (!next) return { kind: 'idle' };
    let { batch, entries } = next;
    let enc = this.encode(entries, batch.key);
    // Shrink a new batch until the body fits (estimates are approximate).
    while (batch.attempts === 0 && bodyBytes(enc.body) > this.maxBatchBytes && entries.length > 1) {
      entries = entries.slice(0, Math.ceil(entries.length / 2));
      batch = { ...batch, last: entries[entries.length - 1].seq };
      enc = this.encode(entries, batch.key);
    }
    const prior = batch.attempts;
    // Until a definite answer comes back, this attempt may have been stored by the
    // backend (a timeout, a cut connection or a crash of this page after sending).
    // Records from before this field existed count as possibly delivered once re-sent.
    const maybeBefore = batch.maybeDelivered ?? prior > 0;
    await this.outbox.setInflight({ ...batch, attempts: prior + 1, maybeDelivered: true });
    this.counters.requests++;
    const ctl = new AbortController();
    const onStop = () => ctl.abort();
    signal.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(() => ctl.abort(), this.timeoutMs);
    let res: Response;
    let text = '';
    try {
      res = await this.fetchFn(this.endpoint, {
        method: 'POST',
        headers: { ...enc.headers, ...this.headers },
        body: enc.body as BodyInit,
        signal: ctl.signal,
      });
      text = await res.text();
    } catch (e) {
      this.counters.failures++;
      const why =
        ctl.signal.aborted && !signal.aborted
          ? 'timeout'
          : `network: ${(e as Error)?.message ?? e}`;
      return { kind: 'retry', key: batch.key, reason: why };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onStop);
    }
    if (res.ok) {
      await this.outbox.ack(batch.first, batch.last);
      this.counters.batchesSent++;
      this.counters.pointsSent += enc.points;
      this.counters.bytesSent += bodyBytes(enc.body);
      this.emit({
        type: 'sent',
        key: batch.key,
        points: enc.points,
        bytes: bodyBytes(enc.body),
        status: res.status,
      });
      return { kind: 'done' };
    }
    this.counters.failures++;
    // A definite HTTP answer: this attempt was not stored, so only an earlier
    // attempt without an answer can explain a duplicate rejection.
    if (!maybeBefore) {
      await this.outbox.setInflight({ ...batch, attempts: prior + 1, maybeDelivered: false });
    }
    if (isRetryableStatus(res.status)) {
      const ra =
        res.status === 429 || res.status === 503
          ? parseRetryAfter(res.headers.get('retry-after'), this.now())
          : undefined;
      return { kind: 'retry', key: batch.key, reason: `HTTP ${res.status}`, retryAfterMs: ra };
    }
    if (maybeBefore && this.exporter.isDuplicateRejection(res.status, text)) {
      await this.outbox.ack(batch.first, batch.last);
      this.counters.duplicates++;
      this.counters.batchesSent++;
      this.counters.pointsSent += enc.points;
      this.emit({ type: 'duplicate', key: batch.key, points: enc.points, status: res.status });
      return { kind: 'done' };
    }
    if (res.status === 401 || res.status === 403 || res.status === 407) {
      // The credentials are wrong, not the data: keep the batch and keep trying
      // (with backoff) so that nothing is lost while someone fixes the token.
      return {
        kind: 'retry',
        key: batch.key,
        reason: `HTTP ${res.status}: the endpoint refused the credentials; fix bearerToken/headers (the data is kept)`,
      };
    }
    if (entries.length > 1) {
      // Isolate what the backend refuses: send each half on its own (down to one
      // entry), so the good records of a batch are delivered and only the bad
      // entry is parked.
      const half = entries[Math.ceil(entries.length / 2) - 1].seq;
      const rnd = Math.floor(this.random() * 2 ** 32).toString(36);
      await this.outbox.setInflight({
        first: batch.first,
        last: half,
        key: `${batch.first}-${half}-${rnd}`,
        attempts: 0,
        maybeDelivered: false,
      });
      this.counters.splits++;
      this.emit({ type: 'split', key: batch.key, status: res.status, entries: entries.length });
      return { kind: 'done' };
    }
    const error = new EdgewiseError(
      'SYNC_REJECTED',
      `sync: ${this.where} rejected batch ${batch.key} with HTTP ${res.status}: ${text.slice(0, 300)}. ` +
        'Not retried (4xx); the entry is parked: inspect it with outbox.parked(), then retryParked() after fixing the backend, or clearParked().',
    );
    await this.outbox.park({
      key: batch.key,
      first: batch.first,
      last: batch.last,
      status: res.status,
      reason: text.slice(0, 1000),
      at: this.now(),
    });
    this.counters.parked++;
    this.emit({ type: 'parked', key: batch.key, status: res.status, error });
    return { kind: 'done' };
  }

  /**
   * Best-effort send of the batch at the head with `fetch(..., { keepalive: true })`
   * (call from `pagehide`). The batch stays in the outbox, marked in flight, so
   * the next load re-sends it with the same key (the backend deduplicates).
   */
  async flushOnPageHide(): Promise<boolean> {
    const next = await this.nextBatch();
    if (!next) return false;
    const enc = this.encode(next.entries, next.batch.key);
    if (bodyBytes(enc.body) > 64 * 1024) return false;
    await this.outbox.setInflight({ ...next.batch, attempts: next.batch.attempts + 1 });
    try {
      void this.fetchFn(this.endpoint, {
        method: 'POST',
        headers: { ...enc.headers, ...this.headers },
        body: enc.body as BodyInit,
        keepalive: true,
      }).catch(() => {});
      this.counters.requests++;
      return true;
    } catch {
      return false;
    }
  }
}

type StepResult =
  | { kind: 'idle' }
  | { kind: 'done' }
  | { kind: 'retry'; key: string; reason: string; retryAfterMs?: number };

function bodyBytes(b: Uint8Array | string): number {
  return typeof b === 'string' ? new TextEncoder().encode(b).length : b.length;
}

/** `scheme://host[:port]/path` of an endpoint: no user:password, no query string, no fragment. */
export function redactEndpoint(endpoint: string): string {
  try {
    const u = new URL(endpoint);
    const q = u.search ? '?…' : '';
    return `${u.protocol}//${u.host}${u.pathname}${q}`;
  } catch {
    return '(invalid URL)';
  }
}

function isLoopback(endpoint: string): boolean {
  try {
    const h = new URL(endpoint).hostname;
    return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\./.test(h);
  } catch {
    return false;
  }
}
