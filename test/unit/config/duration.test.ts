// Durations in heartline.yaml: numbers are milliseconds, text carries ms or s; the result is a
// whole number of milliseconds or a sentence that says how to write it.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/config/index.js';
import { millis } from '../../../src/lib/index.js';

describe('parseDuration', () => {
  it.each([
    [100, 100],
    [0, 0],
    ['100ms', 100],
    ['100 ms', 100],
    ['2s', 2000],
    ['1.5s', 1500],
    ['0.3s', 300],
    [' 250ms ', 250],
    ['86400s', 86_400_000],
  ])('reads %j as %i ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, value: ms });
  });

  it.each([
    ['2', /not a duration: write milliseconds as a number/],
    ['2 minutes', /not a duration/],
    ['2m', /not a duration/],
    ['-5ms', /not a duration/],
    ['0.5ms', /not a whole number of milliseconds/],
    [1.5, /not a whole number of milliseconds/],
    [-1, /negative/],
    [Number.NaN, /not a whole number/],
    ['86401s', /longer than the maximum of one day/],
    [90_000_000, /longer than the maximum of one day \(a bare number is milliseconds/],
  ])('refuses %j', (input, message) => {
    const result = parseDuration(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [100, '100ms'],
    [1500, '1500ms'],
    [2000, '2s'],
    [120_000, '120s'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatDuration(millis(ms))).toBe(text);
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });
});
