/**
 * What both outbox backends share: option checks, record validation on append
 * (a bad record is refused before anything is stored), splitting records into
 * entries of bounded size, and the size cap's drop order and counters.
 */
import { describeValue, EdgewiseError } from '../../errors';
import {
  type DropCounts,
  type EntryKind,
  type OutboxEntry,
  recordBytes,
  recordPoints,
  type SeriesRecord,
  type SyncRecord,
} from '../types';
import type { OutboxOptions } from './interface';

/** Drop counters at zero for every entry kind. */
export function emptyDrops(): Record<EntryKind, DropCounts> {
  return {
    sample: { entries: 0, samples: 0, bytes: 0 },
    rollup: { entries: 0, samples: 0, bytes: 0 },
    event: { entries: 0, samples: 0, bytes: 0 },
  };
}

/** Checks the options and fills in the defaults (INVALID_ARGUMENT). */
export function checkOptions(o: OutboxOptions): Required<OutboxOptions> {
  const maxBytes = o.maxBytes ?? 16 * 1024 * 1024;
  const maxEntryBytes = o.maxEntryBytes ?? 16 * 1024;
  if (!(Number.isFinite(maxBytes) && maxBytes > 0)) {
    throw new EdgewiseError('INVALID_ARGUMENT', `outbox: maxBytes must be > 0, got ${maxBytes}.`);
  }
  if (!(Number.isFinite(maxEntryBytes) && maxEntryBytes >= 256)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `outbox: maxEntryBytes must be >= 256, got ${maxEntryBytes}.`,
    );
  }
  return { maxBytes, maxEntryBytes };
}

function checkRecord(r: SyncRecord): void {
  if (typeof r !== 'object' || r === null || typeof r.name !== 'string' || r.name === '') {
    throw new EdgewiseError('INVALID_ARGUMENT', 'outbox: every record needs a non-empty name.');
  }
  if (typeof r.labels !== 'object' || r.labels === null || Array.isArray(r.labels)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `outbox: record ${r.name} needs labels (an object of string values).`,
    );
  }
  for (const k in r.labels) {
    const v = (r.labels as Record<string, unknown>)[k];
    if (typeof v !== 'string') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `outbox: record ${r.name}: label '${k}' is ${describeValue(v)}; label values must be strings (use String(value)).`,
      );
    }
  }
  if (r.type === 'series') {
    if (
      !(r.ts instanceof Float64Array) ||
      !(r.v instanceof Float64Array) ||
      r.ts.length !== r.v.length
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `outbox: series ${r.name} needs ts and v as Float64Arrays of equal length.`,
      );
    }
    for (let i = 0; i < r.ts.length; i++) {
      if (!Number.isFinite(r.ts[i])) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `outbox: series ${r.name} has a non-finite timestamp at ${i}.`,
        );
      }
    }
  } else if (r.type === 'histogram' || r.type === 'exphistogram' || r.type === 'event') {
    if (typeof r.ts !== 'number' || !Number.isFinite(r.ts)) {
      throw new EdgewiseError('INVALID_ARGUMENT', `outbox: ${r.type} ${r.name} needs a finite ts.`);
    }
    const bad = (what: string): never => {
      throw new EdgewiseError('INVALID_ARGUMENT', `outbox: ${r.type} ${r.name}: ${what}.`);
    };
    const nums = (a: unknown, what: string): void => {
      if (!Array.isArray(a) || a.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        bad(`${what} must be an array of finite numbers`);
      }
    };
    if (r.type === 'event') {
      if (typeof r.value !== 'number') bad(`value must be a number, got ${describeValue(r.value)}`);
    } else {
      if (typeof r.count !== 'number' || !(r.count >= 0)) bad('count must be a number >= 0');
      if (typeof r.sum !== 'number') bad('sum must be a number');
      if (r.type === 'histogram') {
        nums(r.bounds, 'bounds');
        nums(r.counts, 'counts');
        if (r.counts.length !== r.bounds.length + 1) {
          bad(`needs bounds.length + 1 counts (${r.bounds.length + 1}), got ${r.counts.length}`);
        }
      } else {
        if (!Number.isInteger(r.scale) || !Number.isFinite(r.zeroCount)) {
          bad('scale must be an integer and zeroCount a finite number');
        }
        for (const side of ['positive', 'negative'] as const) {
          const b = r[side] as { offset?: unknown; counts?: unknown } | undefined;
          if (!b || !Number.isInteger(b.offset)) bad(`${side}.offset must be an integer`);
          nums(b?.counts, `${side}.counts`);
        }
      }
    }
  } else {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `outbox: record type must be series, histogram, exphistogram or event, got ${String((r as { type?: unknown }).type)}.`,
    );
  }
}

/** Splits records into entries of at most `maxEntryBytes` (long series are cut). Validates first. */
export function toEntries(
  records: readonly SyncRecord[],
  kind: EntryKind,
  maxEntryBytes: number,
): Omit<OutboxEntry, 'seq'>[] {
  for (const r of records) checkRecord(r);
  const out: Omit<OutboxEntry, 'seq'>[] = [];
  let cur: SyncRecord[] = [];
  let bytes = 0;
  const push = (r: SyncRecord, b: number) => {
    if (bytes + b > maxEntryBytes && cur.length) {
      out.push({ kind, bytes, records: cur });
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += b;
  };
  for (const r of records) {
    const b = recordBytes(r);
    if (r.type === 'series' && b > maxEntryBytes && r.ts.length > 1) {
      const per = Math.max(
        1,
        Math.floor(
          (maxEntryBytes - recordBytes({ ...r, ts: new Float64Array(0), v: new Float64Array(0) })) /
            20,
        ),
      );
      for (let i = 0; i < r.ts.length; i += per) {
        const part: SeriesRecord = { ...r, ts: r.ts.slice(i, i + per), v: r.v.slice(i, i + per) };
        push(part, recordBytes(part));
      }
    } else push(r, b);
  }
  if (cur.length) out.push({ kind, bytes, records: cur });
  return out;
}

/** Points (samples) in an entry. */
export function entryPoints(e: Omit<OutboxEntry, 'seq'>): number {
  let n = 0;
  for (const r of e.records) n += recordPoints(r);
  return n;
}

/** What the size cap drops, in order: raw samples, then events (roll-ups never). */
export const DROP_ORDER: EntryKind[] = ['sample', 'event'];
