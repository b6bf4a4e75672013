import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Benchmark harness: every implementation of a workload runs in this process
 * on the same data, interleaved round by round (so machine noise hits all of
 * them alike); we report medians, values/s and ratios to each peer.
 */
export interface Impl {
  /** Display name, e.g. 'edgewise', 'jstat'. */
  name: string;
  /** One full run of the workload. May return a value to keep it alive / check agreement. */
  run: () => unknown | Promise<unknown>;
}

export interface Workload {
  suite: string;
  name: string;
  /** Items processed per run (values, events, points), for the throughput column. */
  items: number;
  unit: string;
  /** The implementation the ratios are computed for (ours). */
  ours: string;
  impls: Impl[];
  /** Rounds (default 9) and warm-up rounds (default 2). */
  rounds?: number;
  warmup?: number;
  /** Optional extra columns per implementation (e.g. relative error). */
  notes?: Record<string, string>;
}

export interface ImplResult {
  name: string;
  medianMs: number;
  minMs: number;
  /**
   * Median CPU time of the process over a run (user + system, all threads).
   * On a shared machine, wall time includes the time other processes held
   * the core; CPU time does not (it still includes GC threads and page faults).
   */
  cpuMedianMs?: number;
  perSecond: number;
  /** peer median / our median (> 1 means we are faster). Only on peers. */
  speedup?: number;
  note?: string;
}

export interface WorkloadResult {
  suite: string;
  name: string;
  items: number;
  unit: string;
  ours: string;
  results: ImplResult[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function runWorkload(w: Workload): Promise<WorkloadResult> {
  const rounds = w.rounds ?? 9;
  const warmup = w.warmup ?? 2;
  const times = new Map<string, number[]>(w.impls.map((i) => [i.name, []]));
  const cpu = new Map<string, number[]>(w.impls.map((i) => [i.name, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (const impl of w.impls) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await impl.run();
      const dt = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (r >= warmup) {
        times.get(impl.name)!.push(dt);
        cpu.get(impl.name)!.push((c.user + c.system) / 1000);
      }
    }
  }
  const ourMedian = median(times.get(w.ours)!);
  const results = w.impls.map((impl): ImplResult => {
    const ts = times.get(impl.name)!;
    const med = median(ts);
    return {
      name: impl.name,
      medianMs: med,
      minMs: Math.min(...ts),
      cpuMedianMs: median(cpu.get(impl.name)!),
      perSecond: (w.items / med) * 1000,
      speedup: impl.name === w.ours ? undefined : med / ourMedian,
      note: w.notes?.[impl.name],
    };
  });
  return { suite: w.suite, name: w.name, items: w.items, unit: w.unit, ours: w.ours, results };
}

export function formatRate(perSecond: number, unit: string): string {
  if (perSecond >= 1e9) return `${(perSecond / 1e9).toFixed(2)} G ${unit}/s`;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M ${unit}/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k ${unit}/s`;
  return `${perSecond.toFixed(1)} ${unit}/s`;
}

export function printResult(r: WorkloadResult): void {
  console.log(`\n## ${r.suite}: ${r.name} (${r.items.toLocaleString('en')} ${r.unit})`);
  const rows = r.results.map((x) => [
    x.name,
    `${x.medianMs.toFixed(2)} ms`,
    x.cpuMedianMs === undefined ? '' : `cpu ${x.cpuMedianMs.toFixed(2)} ms`,
    formatRate(x.perSecond, r.unit),
    x.speedup === undefined ? '(ours)' : `${r.ours} ${x.speedup.toFixed(2)}x faster`,
    x.note ?? '',
  ]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows)
    console.log(`  ${row.map((cell, c) => cell.padEnd(widths[c])).join('  ')}`);
}

/** Throughput and median wall time of our implementation (and CPU time when recorded). */
function oursCell(ours: ImplResult, r: WorkloadResult): string {
  const cpu = ours.cpuMedianMs === undefined ? '' : `, CPU ${ours.cpuMedianMs.toFixed(2)} ms`;
  return `${formatRate(ours.perSecond, r.unit)} (${ours.medianMs.toFixed(2)} ms${cpu})`;
}

const cpuOf = (x: ImplResult): string =>
  x.cpuMedianMs === undefined ? '' : ` (CPU ${x.cpuMedianMs.toFixed(2)} ms)`;
/** The speed-up in CPU time (robust to other processes holding the core), when both were recorded. */
const cpuRatio = (p: ImplResult, ours: ImplResult): string =>
  p.cpuMedianMs === undefined || !ours.cpuMedianMs
    ? ''
    : ` (CPU ${(p.cpuMedianMs / ours.cpuMedianMs).toFixed(2)}x)`;

/** Markdown table of all suites' results (ours vs each peer). */
export function markdownTable(suites: Record<string, WorkloadResult[]>): string {
  const lines = [
    '| suite | workload | edgewise | peer | peer median | edgewise speed-up | note |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [suite, results] of Object.entries(suites)) {
    for (const r of results) {
      const ours = r.results.find((x) => x.name === r.ours)!;
      if (r.results.length === 1 || ours.note) {
        // Workloads without an in-process peer (or with an external reference in the note).
        lines.push(
          `| ${suite} | ${r.name} | ${oursCell(ours, r)} | ` +
            `${ours.note ? '(reference in note)' : '(no peer)'} | | | ${ours.note ?? ''} |`,
        );
      }
      for (const p of r.results) {
        if (p.name === r.ours) continue;
        lines.push(
          `| ${suite} | ${r.name} | ${oursCell(ours, r)} | ` +
            `${p.name} | ${p.medianMs.toFixed(2)} ms${cpuOf(p)} | **${p.speedup!.toFixed(2)}x**${cpuRatio(p, ours)} | ${p.note ?? ''} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

/**
 * Rewrites the generated benchmark table of a Markdown file (docs/benchmarks.md)
 * in place, between its `<!-- bench:start` and `<!-- bench:end -->` markers.
 */
export function updateReadme(path: string, suites: Record<string, WorkloadResult[]>): void {
  if (!existsSync(path)) {
    console.warn(`bench: ${path} is missing; the table was not written`);
    return;
  }
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('<!-- bench:start');
  const end = text.indexOf('<!-- bench:end -->');
  if (start < 0 || end < 0) {
    console.warn(`bench: no bench:start / bench:end markers in ${path}; the table was not written`);
    return;
  }
  const head = text.slice(0, text.indexOf('\n', start) + 1);
  writeFileSync(path, `${head}${markdownTable(suites)}\n${text.slice(end)}`);
}

/** Prevents dead-code elimination of benchmark results. */
export let sink: unknown;
export function consume(v: unknown): void {
  sink = v;
}
