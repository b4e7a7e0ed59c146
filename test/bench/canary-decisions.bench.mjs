// Decision quality of canary analysis, by simulation over synthetic canaries at 5 % traffic.
// For each scenario (total traffic × baseline error rate × regression) it runs many canaries
// for one 30-minute step, one look per minute, and reports per method: how often it rolls
// back (the false-rollback rate on A/A, the detection rate otherwise) and the median number of
// canary requests (and minutes) to the rollback. Methods, side by side on the same counts:
//   ours     — the action's sequential tests (mixture SPRT on errors and on slow requests vs
//              the baseline, plus the error-rate rollback trigger), from the built action code;
//   SPRT     — Wald's SPRT told the true regression, at our test's α and β (the physical limit);
//   Flagger  — the documented threshold rule: each minute a failed check when the canary's
//              success rate < 99 % or its P99 > 500 ms (or no values); rollback at 5 failed checks;
//   Kayenta  — the Mann-Whitney classifier (tolerance 0.25, confidence 0.98) on per-minute error
//              rate and P95 of canary vs baseline, judged every 5 minutes on all minutes so far;
//              a High on either metric scores 50 < 75 (marginal) and fails the canary.
//
// Build the action code first, then run with Node 24 from the repository root:
//   npm run build -- canary-analyze && npx node test/bench/canary-decisions.bench.mjs [--runs 1000] [--aa-runs 3000] [--seed 7]
import { parseArgs } from 'node:util';

const build = new URL('../../build/actions/canary-analyze/', import.meta.url);
const { comparativeTest, thresholdTest, effectGrid } = await import(new URL('sequential.js', build));
const { histogramQuantile, normalizeHistogram, boundAtOrAbove, countAbove, totalCount } = await import(
  new URL('histogram.js', build)
);

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    'aa-runs': { type: 'string', default: '3000' },
    seed: { type: 'string', default: '7' },
    minutes: { type: 'string', default: '30' },
  },
});
const RUNS = Number(values.runs);
const AA_RUNS = Number(values['aa-runs']);
const MINUTES = Number(values.minutes);
const SHARE = 0.05;
const CONFIDENCE = 0.99;
const MAX_RATIO = 1.5;
const BETA = 0.1;
const MEDIAN_MS = 80;
const SIGMA = 0.5;
const BUCKETS_MS = [10, 25, 50, 100, 200, 250, 300, 400, 500, 1000, 2500, 5000, Number.POSITIVE_INFINITY];

// --- random numbers (seeded) -------------------------------------------------------------
let state = Number(values.seed) >>> 0 || 1;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function normal() {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
function poisson(lambda) {
  if (lambda <= 0) return 0;
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}
function binomial(n, p) {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 30) {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  }
  const mean = n * p;
  if (mean < 20) {
    // Inversion from zero: expected iterations ≈ mean.
    const q = p / (1 - p);
    let pmf = (1 - p) ** n;
    let cdf = pmf;
    const u = random();
    let k = 0;
    while (u > cdf && k < n) {
      pmf *= (q * (n - k)) / (k + 1);
      cdf += pmf;
      k++;
    }
    return k;
  }
  if (n - mean < 20) return n - binomial(n, 1 - p);
  return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal())));
}

// --- latency model --------------------------------------------------------------------------
function erf(x) {
  const sign = Math.sign(x);
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  return (
    sign *
    (1 -
      ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
        t *
        Math.exp(-x * x))
  );
}
const cdf = (ms, median) =>
  ms === Number.POSITIVE_INFINITY ? 1 : 0.5 * (1 + erf(Math.log(ms / median) / (SIGMA * Math.SQRT2)));
/** Probability of each bucket cell (between consecutive bounds). */
function cells(median) {
  let below = 0;
  return BUCKETS_MS.map((bound) => {
    const c = cdf(bound, median);
    const p = c - below;
    below = c;
    return p;
  });
}
/** A cumulative histogram of n requests, by a multinomial draw over the cells. */
function histogram(n, cellProbabilities) {
  const counts = [];
  let left = n;
  let rest = 1;
  let running = 0;
  for (const p of cellProbabilities) {
    const k = rest <= 0 ? 0 : binomial(left, Math.min(1, p / rest));
    left -= k;
    rest -= p;
    running += k;
    counts.push(running);
  }
  counts[counts.length - 1] = n;
  return { bounds: BUCKETS_MS, counts };
}

// --- one synthetic canary ------------------------------------------------------------------
function simulate(scenario) {
  const canaryCells = cells(MEDIAN_MS * (1 + scenario.latencyShift));
  const baselineCells = cells(MEDIAN_MS);
  const minutes = [];
  for (let m = 0; m < MINUTES; m++) {
    const nc = poisson(scenario.rps * SHARE * 60);
    const nb = poisson(scenario.rps * (1 - SHARE) * 60);
    minutes.push({
      nc,
      nb,
      xc: binomial(nc, Math.min(1, scenario.baseError * scenario.errorRatio)),
      xb: binomial(nb, scenario.baseError),
      hc: histogram(nc, canaryCells),
      hb: histogram(nb, baselineCells),
    });
  }
  return minutes;
}

// --- methods: each returns the minute index of the rollback (or -1), and ours also promote --
const comparing = { alpha: (1 - CONFIDENCE) / 4, beta: BETA, grid: effectGrid(MAX_RATIO) };
const absolute = { alpha: (1 - CONFIDENCE) / 6, beta: BETA, grid: effectGrid(MAX_RATIO) };

function ours(minutes) {
  let slowBound;
  let promotedAt = -1;
  for (let m = 1; m <= minutes.length; m++) {
    const seen = minutes.slice(0, m);
    const errors = comparativeTest(
      seen.map((x) => ({
        canaryRequests: x.nc,
        canaryEvents: x.xc,
        baselineRequests: x.nb,
        baselineEvents: x.xb,
      })),
      comparing,
    );
    const trigger = thresholdTest(
      seen.map((x) => ({ requests: x.nc, events: x.xc })),
      0.01,
      absolute,
    );
    if (slowBound === undefined) {
      const hb = normalizeHistogram(sumCells(seen.map((x) => x.hb)));
      if (totalCount(hb) >= 100) slowBound = boundAtOrAbove(histogramQuantile(0.95, hb), hb);
    }
    let slow = { state: 'accept' };
    if (slowBound !== undefined) {
      slow = comparativeTest(
        seen.map((x) => ({
          canaryRequests: x.nc,
          canaryEvents: x.nc ? countAbove(slowBound, x.hc) : 0,
          baselineRequests: x.nb,
          baselineEvents: x.nb ? countAbove(slowBound, x.hb) : 0,
        })),
        comparing,
      );
    }
    if (errors.state === 'reject' || trigger.state === 'reject' || slow.state === 'reject')
      return { rollback: m - 1, promotedAt };
    // The action's promote needs 100 canary requests, 10 minutes and both comparisons accepted.
    const requests = seen.reduce((a, x) => a + x.nc, 0);
    if (promotedAt < 0 && m >= 10 && requests >= 100 && errors.state === 'accept' && slow.state === 'accept')
      promotedAt = m - 1;
  }
  return { rollback: -1, promotedAt };
}

function sumCells(histograms) {
  const merged = new Map();
  for (const h of histograms) {
    h.bounds.forEach((b, i) => {
      merged.set(b, (merged.get(b) ?? 0) + h.counts[i]);
    });
  }
  return merged;
}

/**
 * Wald's SPRT with the true alternative on the same conditional counts (log A = log((1−β)/α)),
 * at the same α and β as our comparison test: the fewest requests any test with those error
 * probabilities needs on average (Wald–Wolfowitz).
 */
function oracle(minutes, scenario, trueSlowRatio, slowBound) {
  const alpha = comparing.alpha;
  const upper = Math.log((1 - BETA) / alpha);
  const lower = Math.log(BETA / (1 - alpha));
  const errorTheta = scenario.errorRatio;
  const latencyTheta = trueSlowRatio;
  const theta = errorTheta > 1 ? errorTheta : latencyTheta;
  if (!(theta > 1)) return -1;
  let llr = 0;
  for (let m = 0; m < minutes.length; m++) {
    const x = minutes[m];
    const ce = errorTheta > 1 ? x.xc : countAbove(slowBound, x.hc);
    const be = errorTheta > 1 ? x.xb : countAbove(slowBound, x.hb);
    const total = ce + be;
    if (x.nc > 0 && x.nb > 0 && total > 0) {
      const q0 = x.nc / (x.nc + x.nb);
      const q1 = (theta * x.nc) / (theta * x.nc + x.nb);
      llr += ce * Math.log(q1 / q0) + (total - ce) * Math.log((1 - q1) / (1 - q0));
    }
    if (llr >= upper) return m;
    if (llr <= lower) return -1;
  }
  return -1;
}

function flagger(minutes) {
  let failed = 0;
  for (let m = 0; m < minutes.length; m++) {
    const x = minutes[m];
    const noValues = x.nc === 0;
    const successRate = noValues ? 0 : 1 - x.xc / x.nc;
    const p99 = noValues ? Number.NaN : histogramQuantile(0.99, x.hc);
    if (noValues || successRate < 0.99 || p99 > 500) failed++;
    if (failed >= 5) return m;
  }
  return -1;
}

// Mann-Whitney (Wilcoxon rank-sum) confidence interval for the location shift and the
// Hodges-Lehmann estimate, normal approximation, as Kayenta's classifier uses them.
const Z98 = 2.3263478740408408; // two-sided 98 %
function mannWhitneyHigh(canary, baseline) {
  const n = canary.length;
  const m = baseline.length;
  if (n < 3 || m < 3) return false;
  const diffs = [];
  for (const c of canary) for (const b of baseline) diffs.push(c - b);
  diffs.sort((a, b) => a - b);
  const nm = diffs.length;
  const estimate = nm % 2 ? diffs[(nm - 1) / 2] : (diffs[nm / 2 - 1] + diffs[nm / 2]) / 2;
  const k = Math.max(0, Math.floor(nm / 2 - Z98 * Math.sqrt((nm * (n + m + 1)) / 12)));
  const lowerConfidence = diffs[k];
  const meanC = canary.reduce((a, v) => a + v, 0) / n;
  const meanB = baseline.reduce((a, v) => a + v, 0) / m;
  const deviation = meanB === 0 ? 1 : meanC / meanB;
  if (canary.every((v, i) => v === baseline[i]) && n === m) return false;
  if (new Set([...canary, ...baseline]).size === 1) return false;
  return lowerConfidence > 0.25 * Math.abs(estimate) && deviation >= 1;
}

function kayenta(minutes) {
  for (let m = 5; m <= minutes.length; m += 5) {
    const seen = minutes.slice(0, m);
    // NaN (no requests in a minute) is removed, as Kayenta's default NaN strategy does.
    const errC = seen.filter((x) => x.nc > 0).map((x) => x.xc / x.nc);
    const errB = seen.filter((x) => x.nb > 0).map((x) => x.xb / x.nb);
    const latC = seen.filter((x) => x.nc > 0).map((x) => histogramQuantile(0.95, x.hc));
    const latB = seen.filter((x) => x.nb > 0).map((x) => histogramQuantile(0.95, x.hb));
    if (mannWhitneyHigh(errC, errB) || mannWhitneyHigh(latC, latB)) return m - 1;
  }
  return -1;
}

// --- scenarios and the table ---------------------------------------------------------------
const effects = [
  { name: 'A/A', errorRatio: 1, latencyShift: 0 },
  { name: 'errors ×1.5', errorRatio: 1.5, latencyShift: 0 },
  { name: 'errors ×2', errorRatio: 2, latencyShift: 0 },
  { name: 'errors ×5', errorRatio: 5, latencyShift: 0 },
  { name: 'latency +10%', errorRatio: 1, latencyShift: 0.1 },
  { name: 'latency +30%', errorRatio: 1, latencyShift: 0.3 },
];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function summarise(results, scenario) {
  const detected = results.filter((r) => r >= 0).length / results.length;
  // Undetected runs count as "never": the median exists only when at least half detect.
  const requests = results.map((r) => (r >= 0 ? r : Number.POSITIVE_INFINITY));
  return {
    rate: detected,
    medianMinutes: median(requests.map((r) => r + 1)),
    perMinute: scenario.rps * SHARE * 60,
  };
}

function cell({ rate, medianMinutes, perMinute }) {
  const pct = `${(rate * 100).toFixed(1)}%`;
  if (!Number.isFinite(medianMinutes)) return `${pct}, —`;
  return `${pct}, ${Math.round(medianMinutes * perMinute)} (${medianMinutes}m)`;
}

const started = Date.now();
const rows = [];
for (const rps of [10, 100, 1000]) {
  for (const baseError of [0.001, 0.01]) {
    for (const effect of effects) {
      const scenario = { rps, baseError, ...effect };
      const runs = effect.name === 'A/A' ? AA_RUNS : RUNS;
      const slowBound = boundAtOrAbove(MEDIAN_MS * Math.exp(1.6448536 * SIGMA), {
        bounds: BUCKETS_MS,
        counts: [],
      });
      const trueSlowRatio =
        (1 - cdf(slowBound, MEDIAN_MS * (1 + effect.latencyShift))) / (1 - cdf(slowBound, MEDIAN_MS));
      const out = { ours: [], promote: [], oracle: [], flagger: [], kayenta: [] };
      for (let i = 0; i < runs; i++) {
        const minutes = simulate(scenario);
        const o = ours(minutes);
        out.ours.push(o.rollback);
        out.promote.push(o.promotedAt);
        out.oracle.push(oracle(minutes, scenario, trueSlowRatio, slowBound));
        out.flagger.push(flagger(minutes));
        out.kayenta.push(kayenta(minutes));
      }
      const ourSummary = summarise(out.ours, scenario);
      const oracleSummary = summarise(out.oracle, scenario);
      const ratio =
        effect.name === 'A/A' ||
        !Number.isFinite(ourSummary.medianMinutes) ||
        !Number.isFinite(oracleSummary.medianMinutes)
          ? '—'
          : (ourSummary.medianMinutes / oracleSummary.medianMinutes).toFixed(2);
      rows.push([
        `${rps} req/s, ${baseError * 100}%`,
        effect.name,
        cell(ourSummary),
        effect.name === 'A/A'
          ? `promoted ${((out.promote.filter((p) => p >= 0).length / runs) * 100).toFixed(1)}%`
          : cell(oracleSummary),
        ratio,
        cell(summarise(out.flagger, scenario)),
        cell(summarise(out.kayenta, scenario)),
      ]);
    }
  }
}

const headers = [
  'traffic, baseline errors',
  'canary',
  'ours: rollback %, median canary requests (min)',
  'SPRT with the true effect (A/A: ours promoted)',
  'ours / SPRT',
  'Flagger (99 % success, P99 500 ms, 5 checks)',
  'Kayenta (MW, tol 0.25, conf 0.98)',
];
console.log(
  `node ${process.version}; ${RUNS} canaries per regression, ${AA_RUNS} per A/A; ${MINUTES}-minute step at ${SHARE * 100}% weight, one look per minute; seed ${values.seed}`,
);
console.log(`| ${headers.join(' | ')} |`);
console.log(`| ${headers.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s`);
