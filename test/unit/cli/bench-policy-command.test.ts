// `heartline bench policy`, run in-process with tiny sizes: one JSON document with a report per
// case (timings, what the engine decided, memory), a text table, --emit-xml files that import,
// and bad sizes rejected as usage.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importCibXml } from '../../../src/ha/cib/index.js';
import { cli } from './run-cli-in-process.js';

interface CaseJson {
  readonly nodes: number;
  readonly resources: number;
  readonly scheduleMs: { readonly median: number; readonly samples: readonly number[] };
  readonly importMs: number;
  readonly maxRssMiB: number;
  readonly result: { readonly instances: number; readonly placed: number; readonly unplaced: number; readonly actions: number };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('heartline bench policy', () => {
  it('prints one JSON document with a report per case', async () => {
    const { code, out, err } = await cli('bench', 'policy', '--sizes', '2x30,3x60', '--runs', '3', '--in-process', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out) as { runs: number; cases: CaseJson[]; targets: unknown[] };
    expect(report.runs).toBe(3);
    expect(report.cases.map((c) => [c.nodes, c.resources])).toEqual([
      [2, 30],
      [3, 60],
    ]);
    for (const c of report.cases) {
      expect(c.scheduleMs.samples).toHaveLength(3);
      expect(c.scheduleMs.median).toBeGreaterThan(0);
      expect(c.maxRssMiB).toBeGreaterThan(0);
      expect(c.result.unplaced).toBe(0);
      expect(c.result.placed).toBe(c.result.instances);
    }
    // No acceptance target applies to these sizes.
    expect(report.targets).toEqual([]);
    expect(err).toContain('bench policy: 2 nodes x 30 resources: schedule run 1/3');
  });

  it('prints a table, and writes the generated CIBs with --emit-xml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heartline-bench-policy-'));
    dirs.push(dir);
    const { code, out } = await cli('bench', 'policy', '--sizes', '2x20', '--runs', '1', '--in-process', '--emit-xml', dir);
    expect(code).toBe(0);
    expect(out).toMatch(/^nodes\s+resources\s+instances\s+median ms/m);
    expect(out).toMatch(/^2\s+20\s/m);
    expect(readdirSync(dir)).toEqual(['policy-2x20.xml']);
    const imported = importCibXml(readFileSync(join(dir, 'policy-2x20.xml'), 'utf8'));
    expect(imported.ok).toBe(true);
  });

  it.each([['16x'], ['0x100'], ['2x100,abc']])('rejects --sizes %s with exit code 2', async (sizes) => {
    const { code, err } = await cli('bench', 'policy', '--sizes', sizes);
    expect(code).toBe(2);
    expect(err).toContain('expected NODESxRESOURCES');
  });
});
