import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../../src/sim/index.js';

describe('replayCommand', () => {
  it('builds and replays the scenario with the seed and any extra arguments, printing the trace', () => {
    expect(replayCommand('ping-pong', 17, ['--variant', 'no-retry'])).toBe('npm run build --silent && node dist/cli/main.js sim ping-pong --seed 17 --variant no-retry --trace');
  });
});
