import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness.js';

/**
 * Runs the real tools (vitest with v8 coverage, ESLint, tsc) on a temporary copy of
 * test/fixtures/sample-project and returns the paths of the reports they wrote. Every tool runs
 * on the Node that runs the tests, from its JS entry point, with argument arrays (no shell).
 */

export const sampleProject = join(repoRoot, 'test/fixtures/sample-project');

const require = createRequire(join(repoRoot, 'package.json'));

/** The JS entry points of the tools, resolved from the repository's dev dependencies. */
export const toolEntries = {
  vitest: join(repoRoot, 'node_modules/vitest/vitest.mjs'),
  eslint: join(repoRoot, 'node_modules/eslint/bin/eslint.js'),
  tsc: join(repoRoot, 'node_modules/typescript/bin/tsc'),
};

export interface ToolRun {
  tool: string;
  args: string[];
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface SampleReports {
  /** The temporary copy of the sample project; the reports live under reports/ in it. */
  dir: string;
  coverageSummary: string;
  lcov: string;
  cobertura: string;
  junit: string;
  eslintJson: string;
  eslintSarif: string;
  runs: ToolRun[];
}

/** A tool that could not run, or did not write its report: the reason, with its output. */
export class ToolFailure extends Error {
  override name = 'ToolFailure';
}

function run(tool: keyof typeof toolEntries, args: string[], cwd: string): ToolRun {
  const entry = toolEntries[tool];
  if (!existsSync(entry)) throw new ToolFailure(`${tool} is not installed: ${entry} does not exist`);
  const result = spawnSync(process.execPath, [entry, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 120_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  if (result.error) throw new ToolFailure(`${tool} could not run: ${result.error.message}`);
  return { tool, args, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The report a tool run should have written, or a failure naming the run and its output. */
function written(path: string, by: ToolRun): string {
  if (existsSync(path)) return path;
  throw new ToolFailure(
    `${by.tool} ${by.args.join(' ')} exited ${by.status} without writing ${path}\n` +
      `stdout:\n${by.stdout}\nstderr:\n${by.stderr}`,
  );
}

/** Fails unless the run exited with one of the expected codes. */
function exited(by: ToolRun, expected: number[]): ToolRun {
  if (by.status !== null && expected.includes(by.status)) return by;
  throw new ToolFailure(
    `${by.tool} ${by.args.join(' ')} exited ${by.status}, expected ${expected.join(' or ')}\n` +
      `stdout:\n${by.stdout}\nstderr:\n${by.stderr}`,
  );
}

/** Copies the sample project into a fresh temporary directory that resolves the repository's packages. */
export function copySampleProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sample-project-'));
  cpSync(sampleProject, dir, { recursive: true });
  // The sample's tests import vitest; from outside the repository they resolve through this link.
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

export function produceSampleReports(): SampleReports {
  // The SARIF formatter is loaded by ESLint by package name; fail early and clearly if it is missing.
  try {
    require.resolve('@microsoft/eslint-formatter-sarif');
  } catch (error) {
    throw new ToolFailure(`@microsoft/eslint-formatter-sarif is not installed: ${(error as Error).message}`);
  }
  const dir = copySampleProject();
  const reports = join(dir, 'reports');
  const coverageDir = join(reports, 'coverage');
  mkdirSync(reports, { recursive: true });
  const junit = join(reports, 'junit.xml');
  const eslintJson = join(reports, 'eslint.json');
  const eslintSarif = join(reports, 'eslint.sarif');

  // One sample test fails on purpose, so vitest exits 1; reportOnFailure keeps the coverage.
  const vitest = exited(
    run(
      'vitest',
      [
        'run',
        '--config',
        join(dir, 'vitest.config.js'),
        '--coverage.enabled',
        '--coverage.provider=v8',
        '--coverage.reporter=json-summary',
        '--coverage.reporter=lcov',
        '--coverage.reporter=cobertura',
        '--coverage.reportOnFailure',
        `--coverage.reportsDirectory=${coverageDir}`,
        '--reporter=junit',
        `--outputFile=${junit}`,
      ],
      dir,
    ),
    [1],
  );
  // ESLint exits 1 when it finds errors, which the sample has on purpose.
  const eslintJsonRun = exited(run('eslint', ['-f', 'json', '-o', eslintJson, '.'], dir), [1]);
  const eslintSarifRun = exited(
    run('eslint', ['-f', '@microsoft/eslint-formatter-sarif', '-o', eslintSarif, '.'], dir),
    [1],
  );

  return {
    dir,
    coverageSummary: written(join(coverageDir, 'coverage-summary.json'), vitest),
    lcov: written(join(coverageDir, 'lcov.info'), vitest),
    cobertura: written(join(coverageDir, 'cobertura-coverage.xml'), vitest),
    junit: written(junit, vitest),
    eslintJson: written(eslintJson, eslintJsonRun),
    eslintSarif: written(eslintSarif, eslintSarifRun),
    runs: [vitest, eslintJsonRun, eslintSarifRun],
  };
}

/** Runs tsc on the sample copy (checkJs), with extra compiler flags. */
export function runTsc(dir: string, extra: string[] = []): ToolRun {
  return run('tsc', ['-p', join(dir, 'tsconfig.json'), ...extra], dir);
}
