/** SHA-256 (SubtleCrypto) and canonical JSON, shared by features, registry and ONNX loading. */
import { EdgewiseError } from '../errors';

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new EdgewiseError(
      'INVALID_STATE',
      'SHA-256 needs SubtleCrypto (globalThis.crypto.subtle): use a secure context (https or localhost) or Node >= 20.',
    );
  }
  return s;
}

/** SHA-256 of bytes or a string (UTF-8), as lower-case hex. */
export async function sha256Hex(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const digest = await subtle().digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  const b = new Uint8Array(digest);
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

/** Base64 of SHA-256, the form used by Subresource Integrity (`sha256-...`). */
export function hexToBase64(hex: string): string {
  let bin = '';
  for (let i = 0; i < hex.length; i += 2)
    bin += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return btoa(bin);
}

/** JSON with object keys sorted at every level (stable across engines and key order). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((key) => o[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(o[key])}`)
    .join(',')}}`;
}

/** Checks `bytes` against an expected hex or SRI ('sha256-<base64>') digest. */
export async function verifySha256(
  bytes: Uint8Array,
  expected: string,
  where: string,
): Promise<string> {
  const hex = await sha256Hex(bytes);
  const ok = expected.startsWith('sha256-')
    ? expected.slice(7) === hexToBase64(hex)
    : expected.toLowerCase() === hex;
  if (!ok) {
    throw new EdgewiseError(
      'CORRUPT_STATE',
      `${where}: SHA-256 mismatch: expected ${expected}, the bytes hash to ${hex}. The model was altered or the wrong file was served; refusing to load it.`,
    );
  }
  return hex;
}
