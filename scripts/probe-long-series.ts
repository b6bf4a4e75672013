/**
 * npx tsx scripts/probe-long-series.ts [--weeks N]
 *
 * A probe, not a test: how often the default `StreamingDetector` alarms on long clean series.
 * Five seeds x N weeks (default 8) of 5-minute records: a daily cycle (amplitude 0.5 around 1)
 * with multiplicative Gaussian noise (5% or 15%) and a weekend level drop (0, 20 or 40%), no
 * anomaly. Prints, per setting, the alarms (score >= 0.996, `edgewise score`'s threshold) after
 * the first 1,000 records, and which member contributed most to each; then the same for irregular
 * sampling (records dropped, outages of up to two days, jittered timestamps), for Poisson
 * counts with overdispersion (docs/anomaly-nab.md, "Measured with the one-day quiet period, not
 * taken" and "The other options, the log scale and count data"), and for a scheduled job whose
 * minute moves ("The seasonal member's slot tolerance (0.7)").
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

/**
 * Feeds `n` records (`record(i)`: value and timestamp) to a fresh default detector; returns the
 * alarms (score >= 0.996) after the first 1,000 records and counts each under the member that
 * contributed most.
 */
function alarmsOf(
  n: number,
  by: Record<string, number>,
  record: (i: number) => [number, number],
): number {
  const d = new StreamingDetector();
  const names = d.memberNames;
  let alarms = 0;
  for (let i = 0; i < n; i++) {
    const [v, t] = record(i);
    if (d.update(v, t) >= 0.996 && i >= 1000) {
      alarms++;
      const c = Array.from(d.contributions);
      const top = names[c.indexOf(Math.max(...c))];
      by[top] = (by[top] ?? 0) + 1;
    }
  }
  return alarms;
}

/** "member count, ..." of a tally, or "-". */
const members = (by: Record<string, number>): string =>
  Object.entries(by)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

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
      alarms += alarmsOf(weeks * 7 * DAY, by, (i) => {
        const t = t0 + i * 300_000;
        const dow = new Date(t).getUTCDay();
        const level =
          (dow === 0 || dow === 6 ? 1 - drop : 1) * (1 + 0.5 * Math.sin((2 * Math.PI * i) / DAY));
        return [level * (1 + sd * gauss()), t];
      });
    }
    console.log(`| ${drop * 100}% | ${sd * 100}% | ${alarms} | ${members(by)} |`);
  }
}

// Irregular sampling: the same daily cycle (5% noise, no weekend drop), its phase from the
// timestamp, with records dropped at random (30%) or with outages (each record starts one with
// probability 0.2%, lasting 0-47 whole hours), or with timestamps jittered by up to 2 minutes.
console.log(`\n| sampling | alarms in 5 series x ${weeks} weeks |`);
console.log('| --- | --- |');
for (const mode of ['regular', 'drop 30%', 'outages', 'jitter']) {
  let alarms = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const gauss = normals(seed * 101);
    let u = seed * 7;
    const uniform = (): number => {
      u = (u * 1103515245 + 12345) % 2147483648;
      return u / 2147483648;
    };
    const d = new StreamingDetector();
    let t = t0;
    let k = 0;
    for (let i = 0; i < weeks * 7 * DAY; i++) {
      t += 300_000;
      if (mode === 'drop 30%' && uniform() < 0.3) continue;
      if (mode === 'outages' && uniform() < 0.002) t += Math.floor(uniform() * 48) * 3_600_000;
      const tt = mode === 'jitter' ? t + Math.floor((uniform() - 0.5) * 240_000) : t;
      const phase = ((tt / 86_400_000) % 1) * 2 * Math.PI;
      const s = d.update(1 + 0.5 * Math.sin(phase) + 0.05 * gauss(), tt);
      if (++k > 1000 && s >= 0.996) alarms++;
    }
  }
  console.log(`| ${mode} | ${alarms} |`);
}

// Counts (tweet-volume-like, no anomaly): Poisson counts around a daily cycle (amplitude 0.6 around
// the mean), the rate multiplied per record by lognormal noise (log-SD 0, 0.3 or 0.6: overdispersed,
// heavy right tail). Poisson draws by inversion up to a rate of 50, a rounded normal above.
console.log(
  `\n| counts: mean | lognormal noise (log-SD) | alarms in 5 series x ${weeks} weeks | by member |`,
);
console.log('| --- | --- | --- | --- |');
for (const base of [3, 20, 200]) {
  for (const od of [0, 0.3, 0.6]) {
    let alarms = 0;
    const by: Record<string, number> = {};
    for (let seed = 1; seed <= 5; seed++) {
      const gauss = normals(seed * 31337 + base * 7 + Math.round(od * 100));
      let u = seed * 104729 + base;
      const uniform = (): number => {
        u = (u * 1103515245 + 12345) % 2147483648;
        return (u + 0.5) / 2147483648;
      };
      const poisson = (lam: number): number => {
        if (lam > 50) return Math.max(0, Math.round(lam + Math.sqrt(lam) * gauss()));
        const l = Math.exp(-lam);
        let k = 0;
        for (let p = uniform(); p > l; p *= uniform()) k++;
        return k;
      };
      alarms += alarmsOf(weeks * 7 * DAY, by, (i) => {
        const rate =
          base *
          (1 + 0.6 * Math.sin((2 * Math.PI * i) / DAY)) *
          Math.exp(od * gauss() - (od * od) / 2);
        return [poisson(rate), t0 + i * 300_000];
      });
    }
    console.log(`| ${base} | ${od} | ${alarms} | ${members(by)} |`);
  }
}

// A scheduled job (AWS-CPU-like, no anomaly): around 30% +- 1 with a one-record spike to 70-100 every
// hour or every 3 hours, whose minute moves to a random one every 3 days or every day (or never).
// The seasonal member's slot tolerance (0.7) is for this: a run a little early or late is not a
// seasonal deviation (docs/anomaly-nab.md, "The seasonal member's slot tolerance (0.7)").
console.log(
  `\n| job every | its minute moves every | alarms in 5 series x ${weeks} weeks | by member |`,
);
console.log('| --- | --- | --- | --- |');
for (const every of [12, 36]) {
  for (const moveDays of [0, 3, 1]) {
    let alarms = 0;
    const by: Record<string, number> = {};
    for (let seed = 1; seed <= 5; seed++) {
      const gauss = normals(seed * 977 + every);
      let u = seed * 31 + every;
      const uniform = (): number => {
        u = (u * 1103515245 + 12345) % 2147483648;
        return u / 2147483648;
      };
      let phase = 0;
      alarms += alarmsOf(weeks * 7 * DAY, by, (i) => {
        if (moveDays > 0 && i > 0 && i % (moveDays * DAY) === 0) {
          phase = Math.floor(uniform() * every);
        }
        const v = (i + phase) % every === 0 ? 70 + 30 * uniform() : 30 + gauss();
        return [v, t0 + i * 300_000];
      });
    }
    console.log(
      `| ${every * 5} min | ${moveDays === 0 ? 'never' : `${moveDays} days`} | ${alarms} | ${members(by)} |`,
    );
  }
}
