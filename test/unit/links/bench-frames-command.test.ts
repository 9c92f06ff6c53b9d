// `heartline bench frames`, run in-process: it prints the fuzz report and throughput as text or
// as one JSON document, exits 0 when every promise held, and rejects a bad count as usage.
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/run-cli-in-process.js';


describe('heartline bench frames', () => {
  it('prints one JSON document with the counts and the throughput', async () => {
    const { code, out } = await cli('bench', 'frames', '--count', '3000', '--seed', '5', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out) as Record<string, unknown>;
    expect(report).toMatchObject({ seed: 5, ok: true, exceptions: 0, forgedAccepted: 0, replaysAccepted: 0 });
    expect(report['validAccepted']).toBe(report['validExpected']);
    expect(report['throughput']).toMatchObject({ receiverFramesPerSecond: expect.any(Number) as unknown });
  });

  it('prints a text summary ending with the throughput', async () => {
    const { code, out } = await cli('bench', 'frames', '--count', '2000', '--seed', '5');
    expect(code).toBe(0);
    expect(out).toMatch(/^seed 5: 2,0\d\d inputs, ok$/m);
    expect(out).toMatch(/forged accepted\s+0\s+ok/);
    expect(out.trim().split('\n').at(-1)).toMatch(/throughput: [\d,]+ frames\/s through the receiver/);
  });

  it('rejects a bad count with exit code 2', async () => {
    const { code, err } = await cli('bench', 'frames', '--count', '0');
    expect(code).toBe(2);
    expect(err).toContain('expected a whole number from 1 to 10000000');
  });
});
