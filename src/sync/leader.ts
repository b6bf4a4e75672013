import { EdgewiseError } from '../errors';

/**
 * One syncing tab per origin. With the Web Locks API the sender runs while it
 * holds an exclusive lock (released by the browser when the tab closes or
 * crashes; the next tab waiting gets it). Without it, a BroadcastChannel
 * heartbeat election: the leader beats every `heartbeatMs`; when none has
 * been heard for 3 beats, instances claim and the lowest id wins. The
 * fallback is best effort (a paused leader can overlap a new one briefly).
 */

/** How tabs elect the one that syncs: 'auto' (Web Locks where available, else 'broadcast'), 'web-locks', 'broadcast' or 'none'. */
export type LockMode = 'auto' | 'web-locks' | 'broadcast' | 'none';

interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal; mode?: 'exclusive' },
    fn: () => Promise<void>,
  ): Promise<void>;
}

function webLocks(): LockManagerLike | undefined {
  const n = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return n?.locks;
}

/** Which mechanism 'auto' picks here. */
export function resolveLockMode(mode: LockMode): Exclude<LockMode, 'auto'> {
  if (mode !== 'auto') return mode;
  if (webLocks()) return 'web-locks';
  if (typeof BroadcastChannel === 'function') return 'broadcast';
  return 'none';
}

/**
 * Runs `lead(signal)` whenever this instance is the leader, until `stop` aborts.
 * `lead` must return when its signal aborts (leadership lost or stopped).
 */
export async function runAsLeader(
  name: string,
  mode: Exclude<LockMode, 'auto'>,
  stop: AbortSignal,
  lead: (signal: AbortSignal) => Promise<void>,
  heartbeatMs = 1000,
): Promise<void> {
  if (mode === 'none') {
    await lead(stop);
    return;
  }
  if (mode === 'web-locks') {
    const locks = webLocks();
    if (!locks)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        "runAsLeader: lock 'web-locks' but the Web Locks API is unavailable here; pass lock 'auto', 'broadcast' or 'none'.",
      );
    try {
      await locks.request(name, { signal: stop, mode: 'exclusive' }, () => lead(stop));
    } catch (e) {
      if (!stop.aborted) throw e;
    }
    return;
  }
  await broadcastElection(name, stop, lead, heartbeatMs);
}

type Msg = { t: 'beat' | 'claim' | 'bye'; id: string };

async function broadcastElection(
  name: string,
  stop: AbortSignal,
  lead: (signal: AbortSignal) => Promise<void>,
  hb: number,
): Promise<void> {
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const ch = new BroadcastChannel(name);
  let lastBeat = 0;
  let beater = '';
  // When a claim from a lower id was last heard: kept as a time, not a flag
  // reset at our own claim, so a claim that arrived just before ours (the two
  // crossed) still counts.
  let lowerClaimAt = Number.NEGATIVE_INFINITY;
  let leading = false;
  const beat = () => ch.postMessage({ t: 'beat', id } satisfies Msg);
  ch.onmessage = (ev: MessageEvent<Msg>) => {
    const m = ev.data;
    if (m.t === 'beat') {
      lastBeat = Date.now();
      beater = m.id;
    } else if (m.t === 'claim') {
      if (m.id < id) lowerClaimAt = Date.now();
      // a sitting leader answers a claim at once, so the claimant hears it
      // before its own wait ends
      if (leading) beat();
    } else if (m.t === 'bye' && m.id === beater) lastBeat = 0;
  };
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      stop.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          r();
        },
        { once: true },
      );
    });
  // Listen one period before claiming, to hear a sitting leader.
  await sleep(hb * 1.5);
  try {
    while (!stop.aborted) {
      if (Date.now() - lastBeat < 3 * hb) {
        await sleep(hb);
        continue;
      }
      const claimAt = Date.now();
      ch.postMessage({ t: 'claim', id } satisfies Msg);
      await sleep(hb);
      if (stop.aborted) break;
      // Defer to a lower id that claimed within the last two periods, and to
      // any leader heard since our claim.
      if (Date.now() - lowerClaimAt < 2 * hb || lastBeat >= claimAt) continue;
      // Leader: beat until stopped or a lower-id leader appears.
      const ac = new AbortController();
      const onStop = () => ac.abort();
      stop.addEventListener('abort', onStop, { once: true });
      leading = true;
      beat();
      const timer = setInterval(() => {
        if (beater && beater < id && Date.now() - lastBeat < hb) ac.abort();
        else beat();
      }, hb);
      try {
        await lead(ac.signal);
      } finally {
        leading = false;
        clearInterval(timer);
        stop.removeEventListener('abort', onStop);
        ch.postMessage({ t: 'bye', id } satisfies Msg);
      }
      lastBeat = Date.now();
    }
  } finally {
    ch.close();
  }
}
