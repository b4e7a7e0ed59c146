// Benchmark of quality-gate: parse + gate of large inputs, each in its own process so its peak
// RSS is its own. Inputs are synthesised from the real-world fixtures: a ~50 MB SARIF (the
// CodeQL juice-shop results repeated) and a 100,000-file lcov (the istanbul sections repeated
// under new file names). Target: under 5 s and 300 MB each.
//
// It runs the compiled JavaScript, so build first (Node 24, from the repository root):
//   npm run build -- quality-gate && npx node test/bench/quality-gate.bench.mjs [--sarif-mb 50] [--lcov-files 100000]
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const build = new URL('../../build/actions/quality-gate/', import.meta.url);
const fixtures = new URL('../fixtures/reports/', import.meta.url);

const { values } = parseArgs({
  options: {
    phase: { type: 'string' },
    file: { type: 'string' },
    category: { type: 'string' },
    'sarif-mb': { type: 'string', default: '50' },
    'lcov-files': { type: 'string', default: '100000' },
  },
});

if (values.phase === 'gate') {
  const { loadReport } = await import(new URL('load-report.js', build));
  const { evaluate } = await import(new URL('gates.js', build));
  const { allowListState } = await import(new URL('allow-list.js', build));
  const { environmentConfigSchema } = await import(new URL('../../shared/config/index.js', build));
  const { withDefaults } = await import(new URL('gates.js', build));
  const thresholds = withDefaults(environmentConfigSchema.parse({ environment: { name: 'bench' } }).quality);
  const started = performance.now();
  const loaded = await loadReport(values.category, values.file, 'bench', tmpdir());
  const evaluation = evaluate(
    [
      {
        category: values.category,
        patterns: ['bench'],
        reports: [loaded],
        errors: [],
        missing: false,
        optional: false,
      },
    ],
    { thresholds, allowList: allowListState([], '2026-01-01') },
  );
  const ms = performance.now() - started;
  const gate = evaluation.gates[0];
  console.log(
    JSON.stringify({
      ms: Math.round(ms),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      gate: `${gate.name} ${gate.verdict}: ${gate.actual}`,
    }),
  );
  process.exit(0);
}

async function write(path, chunks) {
  const out = createWriteStream(path);
  for (const chunk of chunks()) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
}

/** The CodeQL log with its results repeated until the file reaches the target size. */
async function bigSarif(path, targetMb) {
  const log = JSON.parse(
    readFileSync(new URL('sarif/codeql-2.9.2_juice-shop_javascript.sarif', fixtures), 'utf8'),
  );
  const run = log.runs[0];
  const results = run.results.map((r) => JSON.stringify(r));
  const perResult = results.reduce((n, r) => n + r.length + 1, 0) / results.length;
  const count = Math.ceil((targetMb * 1024 * 1024) / perResult);
  run.results = [];
  const [head, tail] = JSON.stringify(log).split('"results":[]');
  await write(path, function* () {
    yield `${head}"results":[`;
    for (let i = 0; i < count; i++) yield `${i ? ',' : ''}${results[i % results.length]}`;
    yield `]${tail}`;
  });
  return count;
}

/** The istanbul lcov sections repeated under distinct file names. */
async function bigLcov(path, files) {
  const text = readFileSync(new URL('lcov/grandlinex-core_istanbul_lcov.info', fixtures), 'utf8');
  const sections = text.split('end_of_record\n').filter((s) => s.trim());
  await write(path, function* () {
    for (let i = 0; i < files; i++) {
      const section = sections[i % sections.length];
      yield `${section.replace(/^SF:(.*)$/m, `SF:src/generated/${i}/$1`)}end_of_record\n`;
    }
  });
}

function phase(category, file) {
  const result = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--phase', 'gate', '--category', category, '--file', file],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

const dir = mkdtempSync(join(tmpdir(), 'quality-gate-bench-'));
try {
  const sarif = join(dir, 'big.sarif');
  const results = await bigSarif(sarif, Number(values['sarif-mb']));
  const lcov = join(dir, 'big.info');
  await bigLcov(lcov, Number(values['lcov-files']));
  const rows = [
    [`SARIF ${(statSync(sarif).size / 2 ** 20).toFixed(1)} MB, ${results} results`, phase('sarif', sarif)],
    [
      `lcov ${(statSync(lcov).size / 2 ** 20).toFixed(1)} MB, ${values['lcov-files']} files`,
      phase('coverage', lcov),
    ],
  ];
  console.log(`quality-gate parse + gate (Node ${process.version}); target < 5000 ms and < 300 MB each`);
  for (const [name, r] of rows) {
    const ok = r.ms < 5000 && r.peakRssMb < 300 ? 'ok' : 'OVER TARGET';
    console.log(
      `${name.padEnd(40)} ${String(r.ms).padStart(6)} ms  ${String(r.peakRssMb).padStart(5)} MB peak RSS  ${ok}  (${r.gate})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
