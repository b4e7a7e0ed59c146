import { isAbsolute, join, relative, sep } from 'node:path';
import * as glob from '@actions/glob';
import { errorMessage } from '../../shared/errors.js';
import { type Category, type LoadedReport, loadReport } from './load-report.js';

/** What one report input yielded: the parsed reports and every problem, so all are shown at once. */
export interface CategoryReports {
  category: Category;
  patterns: string[];
  reports: LoadedReport[];
  /** Files that could not be used, each message naming the file. */
  errors: string[];
  /** True when no file matched any pattern. */
  missing: boolean;
  optional: boolean;
}

function display(path: string, workspace: string): string {
  const rel = relative(workspace, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
}

/** Patterns are relative to the workspace, as users write them in a workflow. */
function anchored(pattern: string, workspace: string): string {
  const negated = pattern.startsWith('!');
  const body = negated ? pattern.slice(1) : pattern;
  const absolute = isAbsolute(body) ? body : join(workspace, body);
  return negated ? `!${absolute}` : absolute;
}

export async function expandPatterns(patterns: readonly string[], workspace: string): Promise<string[]> {
  const globber = await glob.create(patterns.map((p) => anchored(p, workspace)).join('\n'), {
    matchDirectories: false,
    implicitDescendants: false,
  });
  return (await globber.glob()).sort();
}

/** Expands each input's globs and parses every match, recording rather than throwing. */
export async function collectReports(
  patterns: Partial<Record<Category, string[]>>,
  optional: readonly Category[],
  workspace: string,
  options: { keepFiles?: boolean } = {},
): Promise<CategoryReports[]> {
  const out: CategoryReports[] = [];
  for (const [category, given] of Object.entries(patterns) as [Category, string[]][]) {
    const entry: CategoryReports = {
      category,
      patterns: given,
      reports: [],
      errors: [],
      missing: false,
      optional: optional.includes(category),
    };
    const files = await expandPatterns(given, workspace);
    entry.missing = files.length === 0;
    for (const file of files) {
      try {
        entry.reports.push(await loadReport(category, file, display(file, workspace), workspace, options));
      } catch (error) {
        entry.errors.push(errorMessage(error));
      }
    }
    out.push(entry);
  }
  return out;
}
