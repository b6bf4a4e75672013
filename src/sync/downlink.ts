/**
 * Model downlink: polls a URL for model updates with `If-None-Match`, checks
 * the SHA-256 the backend announces (`X-Content-SHA256: <hex>` or
 * `Digest: sha-256=<base64>`) against the bytes received, and only then hands
 * them to `onCandidate` (e.g. to register a candidate model). Tampered or
 * unannounced bytes are refused with an `INTEGRITY` error.
 */
import { EdgewiseError } from '../errors';

/** A verified model download: bytes, SHA-256, ETag and URL. */
export interface ModelUpdate {
  bytes: Uint8Array;
  /** Hex SHA-256 of `bytes` (verified). */
  sha256: string;
  etag: string | undefined;
  url: string;
}

/**
 * Options of `ModelDownlink`: URL, polling interval, credentials and the callback for verified
 * bytes.
 */
export interface ModelDownlinkOptions {
  url: string;
  /** Called with verified bytes; awaited before the ETag is remembered. */
  onCandidate: (update: ModelUpdate) => void | Promise<void>;
  /** Called when a response is refused (integrity) or the request fails. */
  onError?: (error: unknown) => void;
  /** Poll interval for `start()` (default 5 min). */
  intervalMs?: number;
  bearerToken?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Start from a known ETag (e.g. of the model in use). */
  etag?: string;
}

const hex = (b: ArrayBuffer) =>
  [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** SHA-256 of bytes as lower-case hex (Web Crypto). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle)
    throw new EdgewiseError('INVALID_STATE', 'downlink: WebCrypto (crypto.subtle) is unavailable.');
  return hex(await subtle.digest('SHA-256', bytes as BufferSource));
}

/** The announced SHA-256 (lowercase hex) of a response, or undefined. */
export function announcedSha256(headers: Headers): string | undefined {
  const h = headers.get('x-content-sha256');
  if (h && /^[0-9a-fA-F]{64}$/.test(h.trim())) return h.trim().toLowerCase();
  const d = headers.get('digest');
  const m = d && /sha-256=([A-Za-z0-9+/=]+)/i.exec(d);
  if (m) {
    const bin = atob(m[1]);
    let out = '';
    for (let i = 0; i < bin.length; i++) out += bin.charCodeAt(i).toString(16).padStart(2, '0');
    if (out.length === 64) return out;
  }
  return undefined;
}

/** What `registerCandidate` needs of a model registry (`edgewise/ml`'s ModelRegistry fits). */
export interface CandidateRegistry {
  register(
    name: string,
    bytes: Uint8Array,
    options?: { format?: 'edgewise' | 'onnx' },
  ): Promise<{ version: number; sha256: string }>;
}

/**
 * An `onCandidate` that registers verified bytes as a new candidate version of
 * `name` in `registry` (e.g. `await ModelRegistry.open()` from `edgewise/ml`),
 * and checks the registry stored the same SHA-256.
 */
export function registerCandidate(
  registry: CandidateRegistry,
  name: string,
  options: { format?: 'edgewise' | 'onnx'; onRegistered?: (version: number) => void } = {},
): (u: ModelUpdate) => Promise<void> {
  return async (u) => {
    const rec = await registry.register(name, u.bytes, { format: options.format ?? 'onnx' });
    if (rec.sha256 !== u.sha256) {
      throw new EdgewiseError(
        'INTEGRITY',
        `downlink: registry stored SHA-256 ${rec.sha256}, expected ${u.sha256}.`,
      );
    }
    options.onRegistered?.(rec.version);
  };
}

/**
 * Polls a model URL with `If-None-Match`; bytes whose SHA-256 does not match the announced hash
 * are refused (`INTEGRITY`).
 */
export class ModelDownlink {
  private etag: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly o: ModelDownlinkOptions) {
    if (typeof o?.url !== 'string' || !/^https?:\/\//.test(o.url)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `downlink: url must be an http(s) URL, got ${String(o?.url)}.`,
      );
    }
    if (typeof o.onCandidate !== 'function') {
      throw new EdgewiseError('INVALID_ARGUMENT', 'downlink: pass onCandidate(update).');
    }
    this.etag = o.etag;
    this.fetchFn = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  get currentEtag(): string | undefined {
    return this.etag;
  }

  /** One poll: 'not-modified', 'updated', or throws (`INTEGRITY` for tampered bytes). */
  async poll(): Promise<'not-modified' | 'updated'> {
    const headers: Record<string, string> = { ...this.o.headers };
    if (this.o.bearerToken !== undefined) headers.Authorization = `Bearer ${this.o.bearerToken}`;
    if (this.etag) headers['If-None-Match'] = this.etag;
    const res = await this.fetchFn(this.o.url, { headers, cache: 'no-store' });
    if (res.status === 304) return 'not-modified';
    if (!res.ok) {
      throw new EdgewiseError(
        'SYNC_REJECTED',
        `downlink: ${this.o.url} answered HTTP ${res.status}.`,
      );
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    const want = announcedSha256(res.headers);
    if (!want) {
      throw new EdgewiseError(
        'INTEGRITY',
        'downlink: the response announces no SHA-256 (X-Content-SHA256 or Digest: sha-256=); refusing the model.',
      );
    }
    const got = await sha256Hex(bytes);
    if (got !== want) {
      throw new EdgewiseError(
        'INTEGRITY',
        `downlink: SHA-256 mismatch (announced ${want}, received ${got}); refusing tampered model bytes.`,
      );
    }
    await this.o.onCandidate({
      bytes,
      sha256: got,
      etag: res.headers.get('etag') ?? undefined,
      url: this.o.url,
    });
    this.etag = res.headers.get('etag') ?? undefined;
    return 'updated';
  }

  start(): void {
    if (this.timer) return;
    const run = () => this.poll().catch((e) => this.o.onError?.(e));
    void run();
    this.timer = setInterval(run, this.o.intervalMs ?? 300_000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
