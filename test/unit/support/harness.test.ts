import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../../support/fake-github.js';
import { findLeaks, inputVariable, repoRoot, runAction } from '../../support/harness.js';
import { parseFileCommands, parseWorkflowCommands } from '../../support/workflow-commands.js';

const probe = join(repoRoot, 'test/fixtures/actions/harness-probe');

describe('runner harness', () => {
  it('names inputs as the runner does', () => {
    expect(inputVariable('repeat count')).toBe('INPUT_REPEAT_COUNT');
    expect(inputVariable('lock-wait')).toBe('INPUT_LOCK-WAIT');
  });

  it('runs main then post with inputs, defaults, outputs, state, env, summary and annotations', async () => {
    const run = await runAction({
      action: probe,
      inputs: { greeting: 'hello', 'strict-flag': true },
      event: { name: 'push', payload: { ref: 'refs/tags/v1.2.3' } },
      githubToken: 'ghs_probe_secret_123',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.echo).toBe('hello');
    expect(run.outputs.multiline).toBe('hello 1\nhello 2');
    expect(run.outputs.strict).toBe('true');
    expect(run.outputs.event).toBe('push:refs/tags/v1.2.3');
    expect(run.outputs.cwd).toBe(run.workspace);
    expect(run.state).toEqual({ saved: 'state for hello' });
    expect(run.env).toEqual({ PROBE_EXPORTED: 'from-main' });
    expect(run.path).toEqual(['/opt/probe/bin']);
    expect(run.summary).toContain('<h1>Probe</h1>');
    expect(run.summary).toContain('Greeting: hello');
    expect(run.annotations).toEqual([
      {
        level: 'error',
        message: 'first error, with 100% certainty',
        properties: { file: 'src/a.ts', line: '3', title: 'Probe, error' },
      },
      { level: 'warning', message: 'a warning\nover two lines', properties: {} },
      { level: 'notice', message: 'a notice', properties: {} },
    ]);
    // The default `${{ github.token }}` was evaluated and masked by the action.
    expect(run.masks).toContain('ghs_probe_secret_123');
    expect(findLeaks(run, 'ghs_probe_secret_123')).toEqual(['main stdout']);

    expect(run.post?.exitCode).toBe(0);
    expect(run.post?.stdout).toContain('post saw: state for hello; cancelled=no');
    expect(run.post?.stdout).toContain('post env: from-main');
    expect(run.post?.summary).toContain('post step ran');
  });

  it('reports a failed step and still runs post', async () => {
    const run = await runAction({ action: probe, inputs: { greeting: 'x', fail: 'it broke' } });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.at(-1)).toEqual({ level: 'error', message: 'it broke', properties: {} });
    expect(run.post?.exitCode).toBe(0);
  });

  it('fails a required input the way the runner-side toolkit does', async () => {
    const run = await runAction({ action: probe, inputs: {} });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('Input required and not supplied: greeting');
  });

  it('delivers SIGINT on cancellation and gives post the state saved while cancelling', async () => {
    const run = await runAction({
      action: probe,
      inputs: { greeting: 'c', 'wait-for-cancel': true },
      cancelAfterMs: 500,
    });
    expect(run.exitCode).toBe(1);
    expect(run.state.cancelled).toBe('SIGINT');
    expect(run.post?.stdout).toContain('cancelled=SIGINT');
  });

  it('refuses input defaults it cannot evaluate rather than guessing', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'bad-action-'));
    writeFileSync(
      join(dir, 'action.yml'),
      [
        'name: x',
        'description: x',
        'inputs:',
        '  a:',
        '    description: x',
        `    default: \${{ secrets.NOPE }}`,
        'runs:',
        '  using: node24',
        '  main: m.js',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'm.js'), '');
    await expect(runAction({ action: dir })).rejects.toThrow(/cannot evaluate \$\{\{ secrets.NOPE \}\}/);
  });
});

describe('workflow command parsing', () => {
  it('parses heredoc and key=value file commands', () => {
    expect(parseFileCommands('a=1\nb<<EOF_1\nx\ny\nEOF_1\nc=\n')).toEqual({ a: '1', b: 'x\ny', c: '' });
    expect(() => parseFileCommands('b<<D\nx\n')).toThrow(/closing delimiter/);
  });

  it('unescapes data and properties', () => {
    expect(parseWorkflowCommands('::error file=a%2Cb.ts,line=1::50%25 done%0Anext\nplain')).toEqual([
      { command: 'error', properties: { file: 'a,b.ts', line: '1' }, message: '50% done\nnext' },
    ]);
  });
});

describe('fake GitHub API', () => {
  const github = new FakeGitHub();
  beforeAll(() => github.start());
  afterAll(() => github.stop());

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${github.url}${path}`, {
      ...init,
      headers: {
        authorization: `token ${github.token}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });

  it('creates deployments and statuses and marks earlier ones inactive', async () => {
    const first = await call('/repos/o/r/deployments', {
      method: 'POST',
      body: JSON.stringify({ ref: 'main', environment: 'staging', production_environment: false }),
    });
    expect(first.status).toBe(201);
    const d1 = (await first.json()) as { id: number };
    await call(`/repos/o/r/deployments/${d1.id}/statuses`, {
      method: 'POST',
      body: JSON.stringify({ state: 'success' }),
    });
    const second = (await (
      await call('/repos/o/r/deployments', {
        method: 'POST',
        body: JSON.stringify({ ref: 'main', environment: 'staging', production_environment: false }),
      })
    ).json()) as { id: number };
    const ok = await call(`/repos/o/r/deployments/${second.id}/statuses`, {
      method: 'POST',
      body: JSON.stringify({ state: 'success', environment_url: 'https://staging.example' }),
    });
    expect(ok.status).toBe(201);
    const history = (await (await call(`/repos/o/r/deployments/${d1.id}/statuses`)).json()) as {
      state: string;
    }[];
    expect(history.map((s) => s.state)).toEqual(['inactive', 'success']);
    const bad = await call(`/repos/o/r/deployments/${second.id}/statuses`, {
      method: 'POST',
      body: JSON.stringify({ state: 'done' }),
    });
    expect(bad.status).toBe(422);
  });

  it('answers 401 without a token, 404 for unknown paths, 202/409 modes and queued faults', async () => {
    expect((await fetch(`${github.url}/repos/o/r/deployments`)).status).toBe(401);
    expect((await call('/repos/o/r/unknown')).status).toBe(404);
    github.deploymentCreateMode = 'conflict';
    expect((await call('/repos/o/r/deployments', { method: 'POST', body: '{"ref":"x"}' })).status).toBe(409);
    github.deploymentCreateMode = 'auto-merged';
    expect((await call('/repos/o/r/deployments', { method: 'POST', body: '{"ref":"x"}' })).status).toBe(202);
    github.deploymentCreateMode = 'created';
    github.fault(/deployments$/, { status: 500, body: { message: 'boom' } }, { method: 'POST' });
    expect((await call('/repos/o/r/deployments', { method: 'POST', body: '{"ref":"x"}' })).status).toBe(500);
    expect((await call('/repos/o/r/deployments', { method: 'POST', body: '{"ref":"x"}' })).status).toBe(201);
    expect(github.requests.filter((r) => r.method === 'POST').length).toBeGreaterThan(4);
  });
});
