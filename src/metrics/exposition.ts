/**
 * Text exposition: Prometheus 0.0.4 and OpenMetrics 1.0. The label part of
 * every line is built once per series and cached, so rendering a registry is
 * a walk over numbers plus string concatenation.
 */
import type {
  AnyMetric,
  ExponentialHistogramSeries,
  HistogramSeries,
  SeriesBase,
  SummarySeries,
} from './instruments';
import { OVERFLOW_LABEL } from './names';

/** Label value escaping (both formats): backslash, double quote, line feed. */
export function escapeLabelValue(v: string): string {
  if (!/[\\"\n]/.test(v)) return v;
  return v.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** HELP escaping: Prometheus 0.0.4 escapes backslash and line feed only. */
export function escapeHelpPrometheus(v: string): string {
  if (!/[\\\n]/.test(v)) return v;
  return v.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** HELP escaping: OpenMetrics escapes backslash, double quote and line feed. */
export const escapeHelpOpenMetrics = escapeLabelValue;

/**
 * Formats a sample value for the exposition formats: `+Inf`, `-Inf`, `NaN`, otherwise
 * JavaScript's shortest round-trip decimal.
 */
export function formatValue(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v); // NaN -> 'NaN'; Go's ParseFloat reads JS's exponent form (1e+21).
}

/** OpenMetrics wants canonical floats in `le` / `quantile` ("1.0", not "1"). */
function formatBound(v: number, om: boolean): string {
  const s = formatValue(v);
  if (om && Number.isInteger(v) && !/[e.]/.test(s)) return `${s}.0`;
  return s;
}

/** `a="x",b="y"` (no braces) for a series, or '' when it has no labels. */
function labelPairs(m: AnyMetric, s: SeriesBase): string {
  if (s.overflow) return `${OVERFLOW_LABEL}="true"`;
  let out = '';
  for (let i = 0; i < m.labelNames.length; i++) {
    if (i) out += ',';
    out += `${m.labelNames[i]}="${escapeLabelValue(s.labelValues[i])}"`;
  }
  return out;
}

const braces = (pairs: string): string => (pairs ? `{${pairs}}` : '');

/** Line prefixes for one series (cached on the series; names and labels never change). */
function prefixes(m: AnyMetric, s: SeriesBase, om: boolean): string[] {
  const hit = om ? s._om : s._prom;
  if (hit) return hit;
  const pairs = labelPairs(m, s);
  const l = braces(pairs);
  const base = m.baseName();
  let p: string[];
  switch (m.type) {
    case 'counter':
      p = om ? [`${base}_total${l} `, `${base}_created${l} `] : [`${base}_total${l} `];
      break;
    case 'histogram': {
      const sep = pairs ? `${pairs},` : '';
      p = [];
      if (m.kind === 'exponential') {
        p.push(`${base}_bucket{${sep}le="`, `${base}_sum${l} `, `${base}_count${l} `);
        if (om) p.push(`${base}_created${l} `);
        break;
      }
      for (const b of m.buckets) p.push(`${base}_bucket{${sep}le="${formatBound(b, om)}"} `);
      p.push(`${base}_bucket{${sep}le="+Inf"} `, `${base}_sum${l} `, `${base}_count${l} `);
      if (om) p.push(`${base}_created${l} `);
      break;
    }
    case 'summary': {
      const sep = pairs ? `${pairs},` : '';
      p = [];
      for (const q of m.quantiles) p.push(`${base}{${sep}quantile="${formatBound(q, om)}"} `);
      p.push(`${base}_sum${l} `, `${base}_count${l} `);
      if (om) p.push(`${base}_created${l} `);
      break;
    }
    default:
      p = [`${base}${l} `];
  }
  if (om) s._om = p;
  else s._prom = p;
  return p;
}

function promFamilyName(m: AnyMetric): string {
  return m.type === 'counter' ? `${m.baseName()}_total` : m.name;
}

function promType(m: AnyMetric): string {
  return m.type === 'updowncounter' ? 'gauge' : m.type;
}

function renderSeries(m: AnyMetric, s: SeriesBase, om: boolean): string {
  const p = prefixes(m, s, om);
  switch (m.type) {
    case 'counter': {
      const v = (s as SeriesBase & { value: number }).value;
      return om
        ? `${p[0]}${formatValue(v)}\n${p[1]}${s.created / 1000}\n`
        : `${p[0]}${formatValue(v)}\n`;
    }
    case 'histogram': {
      if (m.kind === 'exponential')
        return renderExponential(s as ExponentialHistogramSeries, p, om);
      const h = s as HistogramSeries;
      const c = h.counts;
      let out = '';
      let cum = 0;
      for (let i = 0; i < c.length; i++) {
        cum += c[i];
        out += `${p[i]}${cum}\n`;
      }
      const n = c.length;
      out += `${p[n]}${formatValue(h.sum)}\n${p[n + 1]}${h.count}\n`;
      if (om) out += `${p[n + 2]}${s.created / 1000}\n`;
      return out;
    }
    case 'summary': {
      const x = s as SummarySeries;
      const qs = m.quantiles;
      const v = x.quantiles(qs);
      let out = '';
      for (let i = 0; i < qs.length; i++) out += `${p[i]}${formatValue(v[i])}\n`;
      const n = qs.length;
      out += `${p[n]}${formatValue(x.sum)}\n${p[n + 1]}${x.count}\n`;
      if (om) out += `${p[n + 2]}${s.created / 1000}\n`;
      return out;
    }
    default:
      return `${p[0]}${formatValue((s as SeriesBase & { value: number }).value)}\n`;
  }
}

/**
 * An exponential histogram as classic cumulative buckets: negative buckets
 * (le = -base^index), the zero bucket (le = 0), positive buckets
 * (le = base^(index + 1)), then +Inf. Negative values exactly on a boundary are
 * counted one bucket late (the exponential buckets are lower-exclusive there).
 */
function renderExponential(s: ExponentialHistogramSeries, p: string[], om: boolean): string {
  const pt = s.point();
  const base = 2 ** (2 ** -pt.scale);
  let out = '';
  let cum = 0;
  const neg = pt.negative;
  for (let j = neg.bucketCounts.length - 1; j >= 0; j--) {
    cum += neg.bucketCounts[j];
    out += `${p[0]}${formatBound(-(base ** (neg.offset + j)), om)}"} ${cum}\n`;
  }
  cum += pt.zeroCount;
  out += `${p[0]}${om ? '0.0' : '0'}"} ${cum}\n`;
  const pos = pt.positive;
  for (let j = 0; j < pos.bucketCounts.length; j++) {
    cum += pos.bucketCounts[j];
    out += `${p[0]}${formatBound(base ** (pos.offset + j + 1), om)}"} ${cum}\n`;
  }
  out += `${p[0]}+Inf"} ${pt.count}\n`;
  out += `${p[1]}${formatValue(pt.sum)}\n${p[2]}${pt.count}\n`;
  if (om) out += `${p[3]}${s.created / 1000}\n`;
  return out;
}

export function renderPrometheus(metrics: readonly AnyMetric[]): string {
  let out = '';
  for (const m of metrics) {
    const fam = promFamilyName(m);
    if (m.help) out += `# HELP ${fam} ${escapeHelpPrometheus(m.help)}\n`;
    out += `# TYPE ${fam} ${promType(m)}\n`;
    for (const s of m._series.values()) out += renderSeries(m, s, false);
    if (m._overflow) out += renderSeries(m, m._overflow, false);
  }
  return out;
}

export function renderOpenMetrics(metrics: readonly AnyMetric[]): string {
  let out = '';
  for (const m of metrics) {
    const fam = m.baseName();
    out += `# TYPE ${fam} ${promType(m)}\n`;
    if (m.unit) out += `# UNIT ${fam} ${m.unit}\n`;
    if (m.help) out += `# HELP ${fam} ${escapeHelpOpenMetrics(m.help)}\n`;
    for (const s of m._series.values()) out += renderSeries(m, s, true);
    if (m._overflow) out += renderSeries(m, m._overflow, true);
  }
  return `${out}# EOF\n`;
}
