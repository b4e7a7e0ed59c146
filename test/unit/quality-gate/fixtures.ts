import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/harness.js';

/** The real-world reports and the figures a correct parser extracts from each. */
export const REPORTS = join(repoRoot, 'test/fixtures/reports');
export const report = (name: string) => join(REPORTS, name);
export const reportText = (name: string) => readFileSync(report(name), 'utf8');
export const reportJson = (name: string): unknown => JSON.parse(reportText(name));

// biome-ignore lint/suspicious/noExplicitAny: the facts file is loosely typed JSON.
export const facts: Record<string, any> = JSON.parse(
  readFileSync(join(REPORTS, 'expected-facts.json'), 'utf8'),
);

export function filesIn(folder: string): string[] {
  return Object.keys(facts).filter((key) => key.startsWith(`${folder}/`));
}
