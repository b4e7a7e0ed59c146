import { describe, expect, test } from 'vitest';
import { didYouMean, levenshtein } from '../../../shared/config/did-you-mean.js';
import { formatDuration, formatPercent, parseDuration, parsePercent } from '../../../shared/config/index.js';

describe('durations', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    [' 2s ', 2000],
    ['0s', 0],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', '500', '5 m', '1x', 'ms', '-1s', '1h 30m', 's5'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  test.each([
    [500, '500ms'],
    [30_000, '30s'],
    [5_400_000, '1h30m'],
    [90_061_001, '1d1h1m1s1ms'],
    [0, '0s'],
  ])('%i ms is written %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('percentages', () => {
  test.each([
    ['0.1%', 0.001],
    ['1%', 0.01],
    ['10 %', 0.1],
    ['100%', 1],
    ['0%', 0],
  ])('%s is the fraction %f', (text, fraction) => {
    expect(parsePercent(text)).toBeCloseTo(fraction, 12);
  });

  test.each(['0.1', '%', '-1%', '1%%', 'ten%'])('%j is not a percentage', (text) => {
    expect(parsePercent(text)).toBeUndefined();
  });

  test.each([
    [0.001, '0.1%'],
    [0.01, '1%'],
    [0.1, '10%'],
    [0.0005, '0.05%'],
  ])('%f is written %s', (fraction, text) => {
    expect(formatPercent(fraction)).toBe(text);
  });
});

describe('did you mean', () => {
  test('edit distance', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
  });

  const keys = ['strategy', 'healthChecks', 'backupBeforeDeploy', 'rollbackOnFailure'];

  test.each([
    ['rollbackOnFailur', 'rollbackOnFailure'],
    ['rollback-on-failure', 'rollbackOnFailure'],
    ['rollback_on_failure', 'rollbackOnFailure'],
    ['HealthChecks', 'healthChecks'],
    ['stratgey', 'strategy'],
    ['backupBeforeDeplyo', 'backupBeforeDeploy'],
  ])('%s → %s', (typo, meant) => {
    expect(didYouMean(typo, keys)).toBe(meant);
  });

  test('nothing close means no suggestion', () => {
    expect(didYouMean('colour', keys)).toBeUndefined();
    expect(didYouMean('url', ['ssl', 'host'])).toBeUndefined();
  });
});
