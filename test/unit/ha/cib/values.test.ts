// The value types of the CIB model: scores (parse, clamp, canonical text, saturating addition),
// roles (current and legacy names), durations (Pacemaker's units; bare numbers are seconds) and
// booleans. Tables of inputs and expected values, plus round trips of the canonical spellings.
import { describe, expect, it } from 'vitest';
import { millis } from '../../../../src/lib/index.js';
import {
  SCORE_INFINITY,
  addScores,
  formatDuration,
  formatPacemakerBoolean,
  formatScore,
  parseDuration,
  parsePacemakerBoolean,
  parseRole,
  parseScore,
} from '../../../../src/ha/cib/index.js';

describe('parseScore / formatScore', () => {
  const cases: readonly [string, number | undefined][] = [
    ['0', 0],
    ['100', 100],
    ['-5000', -5000],
    ['+7', 7],
    [' 12 ', 12],
    ['INFINITY', SCORE_INFINITY],
    ['+INFINITY', SCORE_INFINITY],
    ['-INFINITY', -SCORE_INFINITY],
    ['infinity', SCORE_INFINITY],
    ['2000000', SCORE_INFINITY],
    ['-99999999', -SCORE_INFINITY],
    ['-0', 0],
    ['1.5', undefined],
    ['', undefined],
    ['red', undefined],
    ['abc', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => {
      expect(parseScore(text)).toBe(expected);
    });
  }

  it('formats the infinities by name and round-trips every canonical text', () => {
    expect(formatScore(SCORE_INFINITY)).toBe('INFINITY');
    expect(formatScore(-SCORE_INFINITY)).toBe('-INFINITY');
    expect(formatScore(-3)).toBe('-3');
    for (const s of [0, 1, -1, 999_999, -999_999, SCORE_INFINITY, -SCORE_INFINITY]) expect(parseScore(formatScore(s))).toBe(s);
  });
});

describe('addScores', () => {
  const cases: readonly [number, number, number][] = [
    [1, 2, 3],
    [SCORE_INFINITY, -SCORE_INFINITY, -SCORE_INFINITY],
    [-SCORE_INFINITY, SCORE_INFINITY, -SCORE_INFINITY],
    [SCORE_INFINITY, -5, SCORE_INFINITY],
    [999_999, 5, SCORE_INFINITY],
    [-999_999, -5, -SCORE_INFINITY],
    [-SCORE_INFINITY, 100, -SCORE_INFINITY],
  ];
  for (const [a, b, sum] of cases) {
    it(`${a} + ${b} = ${sum}`, () => {
      expect(addScores(a, b)).toBe(sum);
    });
  }
});

describe('parseRole', () => {
  const cases: readonly [string, ReturnType<typeof parseRole>][] = [
    ['Started', { role: 'Started', legacy: false }],
    ['stopped', { role: 'Stopped', legacy: false }],
    ['Promoted', { role: 'Promoted', legacy: false }],
    ['UNPROMOTED', { role: 'Unpromoted', legacy: false }],
    ['Master', { role: 'Promoted', legacy: true }],
    ['Slave', { role: 'Unpromoted', legacy: true }],
    ['Running', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${text}`, () => {
      expect(parseRole(text)).toEqual(expected);
    });
  }
});

describe('parseDuration / formatDuration', () => {
  const cases: readonly [string, number | undefined][] = [
    ['0', 0],
    ['0s', 0],
    ['10', 10_000], // a bare number is seconds, as in Pacemaker
    ['10s', 10_000],
    ['500ms', 500],
    ['500 ms', 500],
    ['2min', 120_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1hr', 3_600_000],
    ['15SEC', 15_000],
    ['1500us', 1],
    ['PT10S', 10_000],
    ['P1DT2H', 93_600_000],
    ['P1W', 604_800_000],
    ['P', undefined],
    ['PT', undefined],
    ['P1Y', undefined],
    ['10x', undefined],
    ['-5s', undefined],
    ['1.5s', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => {
      expect(parseDuration(text)).toBe(expected);
    });
  }

  it('formats canonically and round-trips', () => {
    expect(formatDuration(millis(0))).toBe('0');
    expect(formatDuration(millis(10_000))).toBe('10s');
    expect(formatDuration(millis(1500))).toBe('1500ms');
    for (const d of [0, 1, 999, 1000, 1001, 60_000, 86_400_000]) expect(parseDuration(formatDuration(millis(d)))).toBe(d);
  });
});

describe('parsePacemakerBoolean', () => {
  const cases: readonly [string, boolean | undefined][] = [
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['y', true],
    ['on', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['no', false],
    ['n', false],
    ['off', false],
    ['0', false],
    ['2', undefined],
    ['maybe', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${text}`, () => {
      expect(parsePacemakerBoolean(text)).toBe(expected);
    });
  }

  it('formats as true/false', () => {
    expect([formatPacemakerBoolean(true), formatPacemakerBoolean(false)]).toEqual(['true', 'false']);
  });
});
