import { describeValue, EdgewiseError } from '../../errors';
import { type CalibratorSnapshot, ScoreCalibrator } from '../calibration';
import { KIND } from './options';

/** The serialisable state inside an ARTimeDetector snapshot (version 1). */
export interface ARTimeState {
  config: {
    probation: number;
    min: number | null;
    max: number | null;
    rangeMargin: number;
    maxCategories: number;
  };
  last: number;
  lo: number | null;
  hi: number | null;
  dsBuf: number[];
  dsi: number;
  dsAvg: number;
  train: number[];
  medbin: number[];
  medlevel: number;
  below: number;
  above: number;
  fwin: number[];
  categories: number;
  rhoLb: number;
  rhoUb: number;
  lastBest: number;
  w: number[];
  used: number[];
  lastAnomalyI: number;
  lastAnomalySim: number;
  lastRhoUpdateI: number;
  maskAfterCat: boolean;
  noNewCat: number;
  history: number[];
  simDiff: number[];
  simDiffHead: number;
  sim: number[];
  simHead: number;
  meanN: number;
  meanMu: number;
}

export const corrupt = (what: string): EdgewiseError =>
  new EdgewiseError('CORRUPT_STATE', `${KIND}.restore: ${what}; pass an unaltered snapshot().`);

export function num(
  v: unknown,
  name: string,
  lo = -Number.MAX_VALUE,
  hi = Number.MAX_VALUE,
): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) {
    throw corrupt(`${name} must be a number in [${lo}, ${hi}], got ${describeValue(v)}`);
  }
  return v;
}

export function int(v: unknown, lo: number, hi: number, name: string): number {
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) {
    throw corrupt(`${name} must be an integer in [${lo}, ${hi}], got ${describeValue(v)}`);
  }
  return v as number;
}

/** A Float64Array from a number[] of the given length (-1: any), every element finite and in [lo, hi]. */
export function floats(
  v: unknown,
  len: number,
  name: string,
  lo = -Number.MAX_VALUE,
  hi = Number.MAX_VALUE,
): Float64Array {
  if (!Array.isArray(v) || (len >= 0 && v.length !== len)) {
    throw corrupt(`${name} must be an array of ${len >= 0 ? len : 'any number of'} numbers`);
  }
  const out = new Float64Array(v.length);
  for (let k = 0; k < v.length; k++) out[k] = num(v[k], `${name}[${k}]`, lo, hi);
  return out;
}

export let emptyCal: CalibratorSnapshot | undefined;
export function emptyCalibrator(): CalibratorSnapshot {
  emptyCal ??= new ScoreCalibrator().snapshot();
  return structuredClone(emptyCal);
}
