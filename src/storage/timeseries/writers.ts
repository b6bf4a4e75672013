/**
 * Writer slots: every open `TimeSeriesStore` on a shared database holds one
 * small integer slot for as long as it is open, and writes each series as its
 * own per-writer stream (slot 0 is the plain series, as written before several
 * writers were supported). In browsers a slot is an exclusive Web Lock
 * (`navigator.locks`, shared by every tab of the origin and released when a tab
 * dies); without Web Locks (Node, where a database is not shared between
 * processes) the slots are counted in this module.
 */

/** A claimed writer slot; `release` gives it back (on close). */
export interface WriterSlot {
  readonly slot: number;
  release(): void;
}

interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>;
}

const byName = new Map<string, Set<number>>();
const byObject = new WeakMap<object, Set<number>>();

function webLocks(): LockManagerLike | undefined {
  return (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
}

function inProcess(scope: string | object, slot: number): WriterSlot | undefined {
  let held = typeof scope === 'string' ? byName.get(scope) : byObject.get(scope);
  if (!held) {
    held = new Set();
    if (typeof scope === 'string') byName.set(scope, held);
    else byObject.set(scope, held);
  }
  if (held.has(slot)) return undefined;
  const set = held;
  set.add(slot);
  let done = false;
  return {
    slot,
    release: () => {
      if (done) return;
      done = true;
      set.delete(slot);
    },
  };
}

/**
 * Claims `slot` of the database `scope` (a name, or the backend object when
 * it is not shared by name) if no other open store holds it.
 */
export function tryClaimWriter(
  scope: string | object,
  slot: number,
): Promise<WriterSlot | undefined> {
  const locks = typeof scope === 'string' ? webLocks() : undefined;
  if (!locks) return Promise.resolve(inProcess(scope, slot));
  return new Promise((resolve) => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    locks
      .request(`edgewise-ts-writer/${scope}/${slot}`, { ifAvailable: true }, async (lock) => {
        if (!lock) {
          resolve(undefined);
          return;
        }
        resolve({ slot, release });
        await released;
      })
      // Web Locks refused (e.g. an opaque origin): count slots in this module.
      .catch(() => resolve(inProcess(scope, slot)));
  });
}

/** Claims the lowest free writer slot of `scope`. */
export async function claimWriter(scope: string | object): Promise<WriterSlot> {
  for (let slot = 0; ; slot++) {
    const w = await tryClaimWriter(scope, slot);
    if (w) return w;
  }
}
