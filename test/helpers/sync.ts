/**
 * Sender tests against a scripted `fetch`: `scriptedFetch(script)` answers
 * request n with `script(n)` (`'throw'` is a network error) and records every
 * call; `localSender(outbox, fetch, options)` is a `Sender` on a local endpoint
 * without a cross-tab lock; `drain(sender, outbox)` runs it until the outbox is
 * empty (or `done()` holds); `until(cond, ms, what)` polls a condition.
 */
import { type Outbox, Sender, type SenderOptions } from '../../src/sync/index';

/** An endpoint nothing listens on: every request goes to the scripted fetch. */
export const LOCAL_ENDPOINT = 'http://127.0.0.1:1/w';

/** What the sender sent in one request. */
export interface Call {
  key: string;
  auth: string | null;
  body: Uint8Array;
}

export function scriptedFetch(script: (n: number) => Response | 'throw'): {
  f: typeof fetch;
  calls: Call[];
} {
  const calls: Call[] = [];
  const f = (async (_url: string, init: RequestInit) => {
    const h = new Headers(init.headers);
    calls.push({
      key: h.get('idempotency-key')!,
      auth: h.get('authorization'),
      body: init.body as Uint8Array,
    });
    const r = script(calls.length - 1);
    if (r === 'throw') throw new TypeError('fetch failed');
    return r;
  }) as unknown as typeof fetch;
  return { f, calls };
}

/** Polls `cond` every `everyMs` ms; throws after `ms` ms. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'the condition',
  everyMs = 10,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function localSender(
  outbox: Outbox,
  fetch: typeof globalThis.fetch,
  options: Partial<SenderOptions> = {},
): Sender {
  return new Sender({ endpoint: LOCAL_ENDPOINT, outbox, fetch, lock: 'none', ...options });
}

/** Starts `sender`, waits until `outbox` is empty (or `done()` holds), stops it. */
export async function drain(
  sender: Sender,
  outbox: Outbox,
  done: () => boolean | Promise<boolean> = async () => (await outbox.stats()).entries === 0,
): Promise<void> {
  sender.start();
  await until(done, 10_000, 'the outbox to drain');
  await sender.stop();
}
