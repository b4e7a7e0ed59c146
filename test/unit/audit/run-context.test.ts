import { describe, expect, it } from 'vitest';
import { readRunContext } from '../../../shared/run-context.js';

describe('readRunContext', () => {
  it('reads who and where from the runner environment', () => {
    const context = readRunContext({
      GITHUB_ACTOR: 'jane-doe',
      GITHUB_TRIGGERING_ACTOR: 'release-bot',
      GITHUB_REPOSITORY: 'caresync/patient-portal',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: 'abc123',
      GITHUB_WORKFLOW: 'Deploy',
      GITHUB_JOB: 'deploy',
      GITHUB_RUN_ID: '42',
      GITHUB_RUN_ATTEMPT: '3',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SERVER_URL: 'https://github.example.com/',
    });
    expect(context).toEqual({
      actor: 'jane-doe',
      triggeringActor: 'release-bot',
      repository: 'caresync/patient-portal',
      ref: 'refs/heads/main',
      sha: 'abc123',
      workflow: 'Deploy',
      job: 'deploy',
      runId: '42',
      runAttempt: '3',
      runUrl: 'https://github.example.com/caresync/patient-portal/actions/runs/42/attempts/3',
      eventName: 'push',
      serverUrl: 'https://github.example.com',
    });
  });

  it('leaves missing or blank values undefined and never throws', () => {
    const context = readRunContext({ GITHUB_ACTOR: '  ', GITHUB_RUN_ID: '42' });
    expect(Object.values(context).every((value) => value === undefined)).toBe(false);
    expect(context.actor).toBeUndefined();
    expect(context.runId).toBe('42');
    expect(context.runUrl).toBeUndefined();
    expect(readRunContext({})).toEqual(
      expect.objectContaining({ actor: undefined, repository: undefined, runUrl: undefined }),
    );
  });

  it('builds a run URL without the attempt when the attempt is unknown', () => {
    const context = readRunContext({
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_RUN_ID: '7',
    });
    expect(context.runUrl).toBe('https://github.com/o/r/actions/runs/7');
  });
});
