/**
 * npx tsx scripts/probe-long-series.ts [--weeks N]
 *
 * A probe, not a test: how often the default `StreamingDetector` alarms on long clean series.
 * Five seeds x N weeks (default 8) of 5-minute records: a daily cycle (amplitude 0.5 around 1)
 * with multiplicative Gaussian noise (5% or 15%) and a weekend level drop (0, 20 or 40%), no
 * anomaly. Prints, per setting, the alarms (score >= 0.996, `edgewise score`'s threshold) after
 * the first 1,000 records, and which member contributed most to each
 * (docs/anomaly-nab.md, "Measured with the one-day quiet period, not taken").
 */
import { StreamingDetector } from '../src/anomaly/index';

const argv = process.argv.slice(2);
const wi = argv.indexOf('--weeks');
const weeks = wi >= 0 ? Number(argv[wi + 1]) : 8;
if (!(Number.isInteger(weeks) && weeks >= 1 && weeks <= 52)) {
  console.error('probe-long-series: --weeks must be an integer in [1, 52].');
  process.exit(2);
}

/** A seeded linear congruential generator and Box-Muller normal draws. */
function normals(seed: number): () => number {
  let s = seed;
  const u = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const DAY = 288;
const t0 = Date.UTC(2026, 0, 5); // a Monday
console.log(`| weekend drop | noise | alarms in 5 series x ${weeks} weeks | by member |`);
console.log('| --- | --- | --- | --- |');
for (const drop of [0, 0.2, 0.4]) {
  for (const sd of [0.05, 0.15]) {
    let alarms = 0;
    const by: Record<string, number> = {};
    for (let seed = 1; seed <= 5; seed++) {
      const gauss = normals(seed * 7919 + Math.round(drop * 100) + Math.round(sd * 1000));
      const d = new StreamingDetector();
      const names = d.memberNames;
      const n = weeks * 7 * DAY;
      for (let i = 0; i < n; i++) {
        const t = t0 + i * 300_000;
        const dow = new Date(t).getUTCDay();
        const level =
          (dow === 0 || dow === 6 ? 1 - drop : 1) * (1 + 0.5 * Math.sin((2 * Math.PI * i) / DAY));
        const s = d.update(level * (1 + sd * gauss()), t);
        if (i >= 1000 && s >= 0.996) {
          alarms++;
          const c = Array.from(d.contributions);
          const top = names[c.indexOf(Math.max(...c))];
          by[top] = (by[top] ?? 0) + 1;
        }
      }
    }
    const who = Object.entries(by)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(`| ${drop * 100}% | ${sd * 100}% | ${alarms} | ${who || '-'} |`);
  }
}
