import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/errors.js';
import {
  getBoolean,
  getDuration,
  getEnum,
  getInteger,
  getJsonObject,
  getList,
  getNumber,
  getString,
  inputEnvName,
  parseDuration,
} from '../../../shared/inputs.js';

const set = (name: string, value: string) => {
  process.env[inputEnvName(name)] = value;
};

afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});

describe('typed inputs', () => {
  it('follows the runner naming rule', () => {
    expect(inputEnvName('dry run')).toBe('INPUT_DRY_RUN');
    expect(inputEnvName('lock-wait')).toBe('INPUT_LOCK-WAIT');
    set('dry run', ' yes-please ');
    expect(getString('dry run')).toBe('yes-please');
  });

  it('treats empty as absent and names a missing required input', () => {
    expect(getString('missing')).toBeUndefined();
    expect(() => getString('environment', { required: true })).toThrow(
      new UserError('input "environment" is required and was not given'),
    );
  });

  it('reads booleans strictly', () => {
    expect(getBoolean('flag', true)).toBe(true);
    set('flag', 'FALSE');
    expect(getBoolean('flag', true)).toBe(false);
    set('flag', 'yes');
    expect(() => getBoolean('flag', false)).toThrow('input "flag": expected true or false, got "yes"');
  });

  it('reads integers and numbers within ranges', () => {
    set('replicas', '3');
    expect(getInteger('replicas', { min: 1 })).toBe(3);
    set('replicas', '3.5');
    expect(() => getInteger('replicas', { min: 1, max: 10 })).toThrow(
      'input "replicas": expected an integer between 1 and 10, got "3.5"',
    );
    set('weight', '12.5');
    expect(getNumber('weight', { min: 0, max: 100 })).toBe(12.5);
    set('weight', '120');
    expect(() => getNumber('weight', { min: 0, max: 100 })).toThrow(
      'expected a number between 0 and 100, got "120"',
    );
  });

  it('reads enums, lists, durations and JSON objects', () => {
    set('strategy', 'canary');
    expect(getEnum('strategy', ['rolling', 'canary'] as const)).toBe('canary');
    set('strategy', 'big-bang');
    expect(() => getEnum('strategy', ['rolling', 'canary'] as const)).toThrow(
      'input "strategy": expected one of rolling, canary, got "big-bang"',
    );
    set('files', 'a.yml\n# comment\nb.yml, c.yml\n\n');
    expect(getList('files')).toEqual(['a.yml', 'b.yml', 'c.yml']);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5 minutes')).toBeUndefined();
    set('lock-wait', '2m');
    expect(getDuration('lock-wait')).toBe(120_000);
    set('lock-wait', '2 minutes');
    expect(() => getDuration('lock-wait')).toThrow(
      'input "lock-wait": expected a duration such as 500ms, 30s, 5m or 1h',
    );
    set('payload', '{"a":1}');
    expect(getJsonObject('payload')).toEqual({ a: 1 });
    set('payload', '[1]');
    expect(() => getJsonObject('payload')).toThrow('expected a JSON object');
    set('payload', '{a:1}');
    expect(() => getJsonObject('payload')).toThrow(/not valid JSON/);
  });
});
