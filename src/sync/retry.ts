/** Backoff with full jitter, and `Retry-After` parsing. */

export interface BackoffOptions {
  /** First retry's cap (default 500 ms). */
  baseMs?: number;
  /** Largest delay (default 30 s); also caps `Retry-After`. */
  maxMs?: number;
}

/**
 * "Full jitter" (AWS architecture blog): delay = random() * min(maxMs, baseMs * 2^attempt).
 * `attempt` counts from 0 (the first retry).
 */
export function backoffDelay(
  attempt: number,
  o: Required<BackoffOptions>,
  random: () => number,
): number {
  const cap = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempt, 52));
  return Math.floor(random() * cap);
}

/**
 * `Retry-After`: delta-seconds or an HTTP-date; undefined when absent or invalid.
 * Returns milliseconds from `now` (never negative).
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

/** Statuses worth retrying: 408, 429 and every 5xx. Other 4xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
