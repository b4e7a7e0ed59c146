import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { type LoadEnvironmentConfigOptions, loadEnvironmentConfig } from '../../../shared/config/index.js';
import { ConfigError } from '../../../shared/errors.js';

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway workspace holding `files` (path → text), removed after the test. */
export function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'config-test-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** YAML text from indented template lines, so line numbers in tests are easy to count. */
export function yaml(lines: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: lines }, ...values).replace(/^\n/, '');
  const indent = /^ */.exec(text)?.[0].length ?? 0;
  return text
    .split('\n')
    .map((line) => line.slice(indent))
    .join('\n');
}

type LoadOptions = Partial<LoadEnvironmentConfigOptions> & { workspace: string };

export const load = (options: LoadOptions) =>
  loadEnvironmentConfig({ environment: 'production', env: {}, ...options });

/** The problems of a failed load, one formatted line each. */
export async function loadProblems(options: LoadOptions): Promise<string[]> {
  const error = await load(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.split('\n');
}

export const PRODUCTION = 'deploy/environments/production.yml';
