import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseFileCommands, parseWorkflowCommands, type WorkflowCommand } from './workflow-commands.js';

/**
 * Runs an action the way the GitHub runner does: the bundle named by action.yml's `runs.main`
 * in a child Node process, inputs as INPUT_* (with action.yml defaults), fresh file-command
 * files, the event payload on disk, then `runs.post` with STATE_* from the main step's state.
 */

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ActionMetadata {
  name: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string; pre?: string };
}

export interface RunOptions {
  /** An action name under actions/, or a directory holding an action.yml. */
  action: string;
  inputs?: Record<string, string | number | boolean | undefined>;
  /** Extra environment for the step (the workflow's `env:`). */
  env?: Record<string, string | undefined>;
  event?: { name: string; payload?: Record<string, unknown> };
  workspace?: string;
  /** Base URL of the (fake) GitHub API; also sets GITHUB_SERVER_URL-style values. */
  githubApiUrl?: string;
  githubToken?: string;
  /** Run the post step when the action has one (default true), as the runner's `post-if: always()`. */
  runPost?: boolean;
  /** Simulates a cancelled job: SIGINT after this many ms, SIGTERM 7.5 s later, as the runner does. */
  cancelAfterMs?: number;
  timeoutMs?: number;
  /** Environment for the post step only (e.g. a server URL that changed between steps). */
  postEnv?: Record<string, string | undefined>;
}

export interface StepResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The runner's cancellation reached the step (SIGINT sent before it ended). */
  cancelled: boolean;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  summary: string;
  commands: WorkflowCommand[];
  annotations: {
    level: 'error' | 'warning' | 'notice';
    message: string;
    properties: Record<string, string>;
  }[];
  masks: string[];
  durationMs: number;
}

export interface ActionRun extends StepResult {
  post?: StepResult;
  workspace: string;
  runnerTemp: string;
  env: Record<string, string>;
  /** The environment the main step ran with (after defaults), for assertions. */
  stepEnv: Record<string, string>;
}

export function actionDir(action: string): string {
  return isAbsolute(action) ? action : join(repoRoot, 'actions', action);
}

export function readMetadata(dir: string): ActionMetadata {
  const file = join(dir, 'action.yml');
  if (!existsSync(file)) throw new Error(`no action.yml in ${dir}`);
  return parseYaml(readFileSync(file, 'utf8')) as ActionMetadata;
}

/** The runner's input variable name: INPUT_ + upper-case, spaces to underscores, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Evaluates the few expressions that appear in input defaults; anything else is a test bug. */
function evaluateDefault(value: string, context: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    if (expression in context) return context[expression]!;
    throw new Error(`harness cannot evaluate \${{ ${expression} }} in an input default`);
  });
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dir = actionDir(options.action);
  const metadata = readMetadata(dir);
  if (metadata.runs.using !== 'node24') throw new Error(`${dir}: runs.using is ${metadata.runs.using}`);
  const base = mkdtempSync(join(tmpdir(), 'action-run-'));
  const workspace = options.workspace ?? join(base, 'workspace');
  const runnerTemp = join(base, 'runner-temp');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(runnerTemp, { recursive: true });

  const event = options.event ?? { name: 'push', payload: {} };
  const eventPath = join(base, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event.payload ?? {}));
  const token = options.githubToken ?? 'ghs_harness_token';
  const apiUrl = options.githubApiUrl ?? 'http://127.0.0.1:9';

  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? base,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: metadata.name.replace(/\W+/g, '_'),
    GITHUB_ACTION_PATH: dir,
    GITHUB_ACTOR: 'octo-dev',
    GITHUB_ACTOR_ID: '1001',
    GITHUB_TRIGGERING_ACTOR: 'octo-dev',
    GITHUB_REPOSITORY: 'caresync/patient-api',
    GITHUB_REPOSITORY_OWNER: 'caresync',
    GITHUB_SHA: '3f2c1e9a8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_RUN_ID: '7001',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_JOB: 'deploy',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'harness',
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete baseEnv[key];
    else baseEnv[key] = value;
  }

  const defaultsContext: Record<string, string> = {
    'github.token': token,
    'github.workspace': workspace,
    'github.repository': baseEnv.GITHUB_REPOSITORY!,
    'github.sha': baseEnv.GITHUB_SHA!,
    'github.ref': baseEnv.GITHUB_REF!,
    'github.actor': baseEnv.GITHUB_ACTOR!,
    'github.run_id': baseEnv.GITHUB_RUN_ID!,
    'github.server_url': baseEnv.GITHUB_SERVER_URL!,
    'runner.temp': runnerTemp,
  };
  const inputEnv: Record<string, string> = {};
  for (const [name, spec] of Object.entries(metadata.inputs ?? {})) {
    if (spec?.default !== undefined)
      inputEnv[inputVariable(name)] = evaluateDefault(String(spec.default), defaultsContext);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    if (value === undefined) continue;
    inputEnv[inputVariable(name)] = String(value);
  }

  const stepEnv = { ...baseEnv, ...inputEnv };
  const main = await runStep(resolve(dir, metadata.runs.main), stepEnv, base, 'main', options);
  const run: ActionRun = { ...main, workspace, runnerTemp, stepEnv };

  if (metadata.runs.post && options.runPost !== false) {
    const stateEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(main.state)) stateEnv[`STATE_${key}`] = value;
    const postEnv = { ...stepEnv, ...main.env, ...stateEnv };
    for (const [key, value] of Object.entries(options.postEnv ?? {})) {
      if (value === undefined) delete postEnv[key];
      else postEnv[key] = value;
    }
    run.post = await runStep(resolve(dir, metadata.runs.post), postEnv, base, 'post', {
      ...options,
      cancelAfterMs: undefined,
    });
  }
  return run;
}

async function runStep(
  script: string,
  env: Record<string, string>,
  base: string,
  stepName: string,
  options: RunOptions,
): Promise<StepResult> {
  if (!existsSync(script)) throw new Error(`bundle ${script} does not exist: run \`npm run build\``);
  const files: Record<string, string> = {};
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_PATH']) {
    files[name] = join(base, `${stepName}-${name.toLowerCase()}`);
    writeFileSync(files[name]!, '');
  }
  const started = Date.now();
  const child = spawn(process.execPath, [script], {
    cwd: env.GITHUB_WORKSPACE,
    env: { ...env, ...files },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const timers: NodeJS.Timeout[] = [];
  let cancelled = false;
  if (options.cancelAfterMs !== undefined) {
    timers.push(
      setTimeout(() => {
        cancelled = true;
        child.kill('SIGINT');
        timers.push(setTimeout(() => child.kill('SIGTERM'), 7500));
      }, options.cancelAfterMs),
    );
  }
  const timeoutMs = options.timeoutMs ?? 120_000;
  timers.push(setTimeout(() => child.kill('SIGKILL'), timeoutMs));

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, sig) => done([code, sig]));
  });
  for (const timer of timers) clearTimeout(timer);

  const read = (name: string) => readFileSync(files[name]!, 'utf8');
  const commands = parseWorkflowCommands(stdout);
  return {
    exitCode,
    signal,
    cancelled,
    stdout,
    stderr,
    outputs: parseFileCommands(read('GITHUB_OUTPUT')),
    state: parseFileCommands(read('GITHUB_STATE')),
    env: parseFileCommands(read('GITHUB_ENV')),
    path: read('GITHUB_PATH').split('\n').filter(Boolean),
    summary: read('GITHUB_STEP_SUMMARY'),
    commands,
    annotations: commands
      .filter((c): c is WorkflowCommand & { command: 'error' | 'warning' | 'notice' } =>
        ['error', 'warning', 'notice'].includes(c.command),
      )
      .map((c) => ({ level: c.command, message: c.message, properties: c.properties })),
    masks: commands.filter((c) => c.command === 'add-mask').map((c) => c.message),
    durationMs: Date.now() - started,
  };
}

/** Every place a secret could leak from a run: logs, outputs, summary, state, env files. */
export function findLeaks(run: ActionRun, secret: string): string[] {
  const places: string[] = [];
  const steps: [string, StepResult | undefined][] = [
    ['main', run],
    ['post', run.post],
  ];
  for (const [name, step] of steps) {
    if (!step) continue;
    const log = step.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    if (log.includes(secret)) places.push(`${name} stdout`);
    if (step.stderr.includes(secret)) places.push(`${name} stderr`);
    if (step.summary.includes(secret)) places.push(`${name} step summary`);
    for (const [key, value] of Object.entries(step.outputs))
      if (value.includes(secret)) places.push(`${name} output ${key}`);
    for (const [key, value] of Object.entries(step.state))
      if (value.includes(secret)) places.push(`${name} state ${key}`);
  }
  return places;
}
