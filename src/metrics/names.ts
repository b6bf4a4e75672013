/**
 * Naming and label rules (Prometheus data model, OpenMetrics 1.0), checked when
 * an instrument is created or a label set is first seen.
 */
import { describeValue, EdgewiseError } from '../errors';

/** The Prometheus metric name grammar. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** The Prometheus label name grammar. */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** The characters a metric unit may use. */
export const UNIT_RE = /^[a-zA-Z0-9_]+$/;
/** The label given to the one series that collects label sets past the cardinality limit. */
export const OVERFLOW_LABEL = 'otel_metric_overflow';

/** Label values as callers pass them: strings, or numbers / booleans (stringified). */
export type LabelValue = string | number | boolean;
/** A label set: label name to value. */
export type Labels = Readonly<Record<string, LabelValue>>;

/** Returns `name` when it is a valid Prometheus metric name; throws `INVALID_NAME` otherwise. */
export function checkMetricName(name: unknown, where: string): string {
  if (typeof name !== 'string' || !METRIC_NAME_RE.test(name)) {
    throw new EdgewiseError(
      'INVALID_NAME',
      `${where}: metric name ${describeValue(name)} is invalid; use [a-zA-Z_:][a-zA-Z0-9_:]* (e.g. 'http_requests_total').`,
    );
  }
  if (name.startsWith('__')) {
    throw new EdgewiseError(
      'INVALID_NAME',
      `${where}: metric name '${name}' starts with '__', which is reserved; drop the leading underscores.`,
    );
  }
  return name;
}

/**
 * Returns the label names when they are valid, unique and not reserved; throws `INVALID_NAME`
 * otherwise.
 */
export function checkLabelNames(
  labelNames: unknown,
  reserved: readonly string[],
  where: string,
): readonly string[] {
  if (labelNames === undefined) return [];
  if (!Array.isArray(labelNames)) {
    throw new EdgewiseError(
      'INVALID_NAME',
      `${where}: labelNames must be an array of strings, got ${describeValue(labelNames)}.`,
    );
  }
  const seen = new Set<string>();
  for (const l of labelNames) {
    if (typeof l !== 'string' || !LABEL_NAME_RE.test(l)) {
      throw new EdgewiseError(
        'INVALID_NAME',
        `${where}: label name ${describeValue(l)} is invalid; use [a-zA-Z_][a-zA-Z0-9_]*.`,
      );
    }
    if (l.startsWith('__')) {
      throw new EdgewiseError(
        'INVALID_NAME',
        `${where}: label name '${l}' starts with '__', which is reserved.`,
      );
    }
    if (l === OVERFLOW_LABEL || reserved.includes(l)) {
      throw new EdgewiseError(
        'INVALID_NAME',
        `${where}: label name '${l}' is reserved for this instrument type; choose another name.`,
      );
    }
    if (seen.has(l)) {
      throw new EdgewiseError('INVALID_NAME', `${where}: label name '${l}' is listed twice.`);
    }
    seen.add(l);
  }
  return Object.freeze([...labelNames] as string[]);
}

/**
 * Returns the unit when it is valid and the metric name ends in `_<unit>` (OpenMetrics); throws
 * otherwise.
 */
export function checkUnit(unit: unknown, base: string, where: string): string {
  if (unit === undefined || unit === '') return '';
  if (typeof unit !== 'string' || !UNIT_RE.test(unit)) {
    throw new EdgewiseError(
      'INVALID_NAME',
      `${where}: unit ${describeValue(unit)} is invalid; use [a-zA-Z0-9_]+ (e.g. 'seconds', 'bytes').`,
    );
  }
  if (!base.endsWith(`_${unit}`)) {
    throw new EdgewiseError(
      'INVALID_NAME',
      `${where}: OpenMetrics requires the name to end with the unit; rename '${base}' to '${base}_${unit}' or drop the unit.`,
    );
  }
  return unit;
}

function toLabelString(v: unknown, name: string, where: string): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
  else {
    throw new EdgewiseError(
      'LABEL_MISMATCH',
      `${where}: label '${name}' must be a string, number or boolean, got ${describeValue(v)}.`,
    );
  }
  if (LONE_SURROGATE_RE.test(s)) {
    throw new EdgewiseError(
      'LABEL_MISMATCH',
      `${where}: label '${name}' is not valid UTF-8 (lone surrogate); pass well-formed text.`,
    );
  }
  return s;
}

/**
 * Validates `labels` against `labelNames` (exactly the declared names, no more,
 * no fewer) and returns the values in declared order.
 */
export function labelValuesOf(
  labelNames: readonly string[],
  labels: Labels | undefined,
  where: string,
): string[] {
  const out: string[] = new Array(labelNames.length);
  if (labels === undefined || labels === null) {
    if (labelNames.length === 0) return out;
    throw new EdgewiseError(
      'LABEL_MISMATCH',
      `${where}: this metric needs labels {${labelNames.join(', ')}}; pass them as an object.`,
    );
  }
  if (typeof labels !== 'object') {
    throw new EdgewiseError(
      'LABEL_MISMATCH',
      `${where}: labels must be an object like {${labelNames.map((l) => `${l}: '...'`).join(', ')}}, got ${describeValue(labels)}.`,
    );
  }
  let given = 0;
  for (const k in labels) {
    if (Object.hasOwn(labels, k)) given++;
  }
  for (let i = 0; i < labelNames.length; i++) {
    const n = labelNames[i];
    const v = labels[n];
    if (v === undefined) {
      throw new EdgewiseError(
        'LABEL_MISMATCH',
        `${where}: missing label '${n}'; this metric's labels are {${labelNames.join(', ')}}.`,
      );
    }
    out[i] = toLabelString(v, n, where);
  }
  if (given !== labelNames.length) {
    const extra = Object.keys(labels).filter((k) => !labelNames.includes(k));
    throw new EdgewiseError(
      'LABEL_MISMATCH',
      `${where}: unknown label(s) ${extra.map((e) => `'${e}'`).join(', ')}; this metric's labels are {${labelNames.join(', ')}}.`,
    );
  }
  return out;
}

/** Unambiguous map key for a list of label values. */
export function seriesKey(values: readonly string[]): string {
  let k = '';
  for (let i = 0; i < values.length; i++) k += `${values[i].length}:${values[i]}`;
  return k;
}
