// Checks every actions/<name>/action.yml: valid against SchemaStore's github-action schema,
// runs on node24, main/post point at bundles that exist, every input and output has a
// description and appears in the action's README.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(join(root, 'scripts/schemas/github-action.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

export function checkAction(actionDir, { expectedName } = {}) {
  const problems = [];
  const file = join(actionDir, 'action.yml');
  const metadata = parse(readFileSync(file, 'utf8'));
  if (!validate(metadata)) {
    for (const error of validate.errors ?? []) problems.push(`${error.instancePath || '/'} ${error.message}`);
  }
  const runs = metadata?.runs ?? {};
  if (runs.using !== 'node24')
    problems.push(`runs.using is ${JSON.stringify(runs.using)}, expected "node24"`);
  for (const key of ['pre', 'main', 'post']) {
    if (runs[key] === undefined) continue;
    const target = resolve(actionDir, runs[key]);
    if (!existsSync(target)) problems.push(`runs.${key} points at ${runs[key]}, which does not exist`);
    if (expectedName && !runs[key].startsWith(`../../dist/${expectedName}/`)) {
      problems.push(`runs.${key} should point into ../../dist/${expectedName}/`);
    }
  }
  const readmePath = join(actionDir, 'README.md');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : undefined;
  if (!readme) problems.push('README.md is missing');
  for (const section of ['inputs', 'outputs']) {
    for (const [name, spec] of Object.entries(metadata?.[section] ?? {})) {
      if (!spec?.description?.trim()) problems.push(`${section}.${name} has no description`);
      if (readme && !readme.includes(`\`${name}\``))
        problems.push(`${section}.${name} is not documented in README.md`);
    }
  }
  return problems.map((problem) => `${file}: ${problem}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const actionsDir = join(root, 'actions');
  const names = existsSync(actionsDir)
    ? readdirSync(actionsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
    : [];
  const problems = names.flatMap((name) => checkAction(join(actionsDir, name), { expectedName: name }));
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`${names.length} action.yml file(s) valid.`);
}
