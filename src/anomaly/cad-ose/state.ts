import { checkSnapshot, isCount } from '../../core/state-codec';
import { describeValue, EdgewiseError } from '../../errors';
import { type CalibratorSnapshot, ScoreCalibrator } from '../calibration';
import type { DetectorSnapshot } from '../streaming';
import { type Config, KIND, NEURON_BASE, SENSOR_BASE, VERSION } from './options';
import { growI32, hHi, hLo, IntDict, Side, tupleHash } from './structures';

export let emptyCal: CalibratorSnapshot | undefined;
export function emptyCalibrator(): CalibratorSnapshot {
  emptyCal ??= new ScoreCalibrator().snapshot();
  return structuredClone(emptyCal);
}

/** The checked parts of a CadOseDetector snapshot, rebuilt into fresh structures. */
export interface ParsedState {
  n: number;
  rejected: number;
  left: Side;
  right: Side;
  dicts: IntDict[];
  rightMask: Int32Array<ArrayBuffer>;
  nCtx: number;
  ctxLeft: Int32Array<ArrayBuffer>;
  ctxRight: Int32Array<ArrayBuffer>;
  ctxZero: Uint8Array<ArrayBuffer>;
  hasZero: Uint8Array<ArrayBuffer>;
  ctxAct: Float64Array<ArrayBuffer>;
  leftGroup: Uint32Array<ArrayBuffer>;
  hist: number[];
  lastRaw: number;
  lo: number;
  hi: number;
}

/**
 * Checks every field of a snapshot (counts, fact lists and their order, the
 * contexts, the score history, the range) and rebuilds the semi-context
 * structures; throws CORRUPT_STATE on the first problem, so a refused
 * snapshot changes nothing.
 */
export function parseCadOseState(
  snapshot: DetectorSnapshot,
  c: Config,
  want: Record<string, unknown>,
): ParsedState {
  const bad = (what: string): never => {
    throw new EdgewiseError(
      'CORRUPT_STATE',
      `${KIND}.restore: the snapshot is damaged (${what}); pass an unmodified snapshot() of a ${KIND}.`,
    );
  };
  const s = snapshot as DetectorSnapshot | null | undefined;
  checkSnapshot(s, { kind: KIND, version: VERSION, where: `${KIND}.restore` });
  // the score is not calibrated: the snapshot's calibrator is always the empty one
  if (JSON.stringify(s.calibrator) !== JSON.stringify(emptyCalibrator())) {
    bad('the calibrator is not the empty one');
  }
  if (!isCount(s.n) || !isCount(s.rejected)) bad('record counts');
  const st = s.state as Record<string, unknown> | null;
  if (!st || typeof st !== 'object') bad('no state');
  const S = st as Record<string, unknown>;
  const cfg = S.config as Record<string, unknown> | null;
  if (
    !cfg ||
    typeof cfg !== 'object' ||
    (Object.keys(want) as (keyof typeof want)[]).some((k) => cfg[k] !== want[k])
  ) {
    throw new EdgewiseError(
      'CORRUPT_STATE',
      `${KIND}.restore: the snapshot was taken with other options (${JSON.stringify(cfg)}); build the detector with the same options as the one that took it.`,
    );
  }
  const intArray = (v: unknown, what: string, lo: number, hi: number): number[] => {
    if (!Array.isArray(v)) return bad(`${what} is not an array`);
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) {
        bad(`${what} holds ${describeValue(x)}`);
      }
    }
    return v as number[];
  };
  const numArray = (v: unknown, what: string): number[] => {
    if (!Array.isArray(v)) return bad(`${what} is not an array`);
    for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) bad(`${what}`);
    return v as number[];
  };
  const nSens = 2 * c.valueBits;
  const leftLen = intArray(S.leftLen, 'leftLen', 1, 1e6);
  const leftFacts = intArray(S.leftFacts, 'leftFacts', SENSOR_BASE, 2 ** 32 - 1);
  const rightLen = intArray(S.rightLen, 'rightLen', 1, nSens);
  const rightFacts = intArray(S.rightFacts, 'rightFacts', SENSOR_BASE, SENSOR_BASE + nSens - 1);
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  if (sum(leftLen) !== leftFacts.length || sum(rightLen) !== rightFacts.length) {
    bad('fact list lengths');
  }
  const nCtx = (S.ctxLeft as unknown[] | undefined)?.length ?? -1;
  const ctxLeft = intArray(S.ctxLeft, 'ctxLeft', 0, leftLen.length - 1);
  const ctxRight = intArray(S.ctxRight, 'ctxRight', 0, rightLen.length - 1);
  const ctxZero = intArray(S.ctxZero, 'ctxZero', 0, 1);
  const ctxAct = intArray(S.ctxAct, 'ctxAct', 0, Number.MAX_SAFE_INTEGER);
  for (const a of [ctxRight, ctxZero, ctxAct]) {
    if (a.length !== nCtx) bad('context arrays of different lengths');
  }
  const leftGroup = intArray(S.leftGroup, 'leftGroup', SENSOR_BASE, NEURON_BASE + nCtx - 1);
  for (let i = 1; i < leftGroup.length; i++) {
    if (leftGroup[i] <= leftGroup[i - 1]) bad('leftGroup is not sorted');
  }
  const hist = numArray(S.hist, 'hist');
  if (hist.length < 1 || hist.length > c.restPeriod) bad('score history length');
  // scores are shares of unrecognised facts: in [0, 1]
  if (!Array.from(hist).every((x) => x >= 0 && x <= 1)) bad('score history values');
  const lastRaw = S.lastRaw;
  if (typeof lastRaw !== 'number' || !(lastRaw >= 0 && lastRaw <= 1)) bad('lastRaw');
  const lo = S.lo ?? Number.POSITIVE_INFINITY;
  const hi = S.hi ?? Number.NEGATIVE_INFINITY;
  if (
    typeof lo !== 'number' ||
    typeof hi !== 'number' ||
    (S.lo === null) !== (S.hi === null) ||
    (S.lo !== null && !(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi))
  ) {
    bad('range');
  }

  // rebuild into fresh structures, then swap in (a refused snapshot changes nothing)
  const left = new Side();
  const right = new Side();
  const dicts: IntDict[] = [];
  let rightMask = new Int32Array(Math.max(256, rightLen.length));
  let off = 0;
  for (const len of leftLen) {
    for (let k = 1; k < len; k++) if (leftFacts[off + k] <= leftFacts[off + k - 1]) bad('order');
    tupleHash(leftFacts, off, len);
    if (left.byHash.get(hHi, hLo) !== -1) bad('duplicate left semi-context');
    left.add(leftFacts, off, len, hHi, hLo);
    dicts.push(new IntDict());
    off += len;
  }
  off = 0;
  for (let r = 0; r < rightLen.length; r++) {
    const len = rightLen[r];
    let m = 0;
    for (let k = 0; k < len; k++) {
      if (k > 0 && rightFacts[off + k] <= rightFacts[off + k - 1]) bad('order');
      m |= 1 << (rightFacts[off + k] - SENSOR_BASE);
    }
    tupleHash(rightFacts, off, len);
    if (right.byHash.get(hHi, hLo) !== -1) bad('duplicate right semi-context');
    right.add(rightFacts, off, len, hHi, hLo);
    rightMask = growI32(rightMask, r + 1);
    rightMask[r] = m;
    off += len;
  }
  for (let i = 0; i < nCtx; i++) {
    if (dicts[ctxLeft[i]].setdefault(ctxRight[i], i) !== i) bad('duplicate context');
  }
  const cap = Math.max(256, nCtx);
  const i32 = (a: number[]) => {
    const x = new Int32Array(cap);
    x.set(a);
    return x;
  };
  const f64 = new Float64Array(cap);
  f64.set(ctxAct);
  const zero = new Uint8Array(cap);
  zero.set(ctxZero);
  const hasZero = new Uint8Array(Math.max(256, leftLen.length));
  for (let i = 0; i < nCtx; i++) if (ctxZero[i] === 1) hasZero[ctxLeft[i]] = 1;
  return {
    n: s.n,
    rejected: s.rejected,
    left,
    right,
    dicts,
    rightMask,
    nCtx,
    ctxLeft: i32(ctxLeft),
    ctxRight: i32(ctxRight),
    ctxZero: zero,
    hasZero,
    ctxAct: f64,
    leftGroup: Uint32Array.from(leftGroup),
    hist,
    lastRaw: lastRaw as number,
    lo: lo as number,
    hi: hi as number,
  };
}
