/**
 * The command that replays one simulation run from a clean checkout. Every failing seed is reported
 * with it, so that a failure in CI is one copy and paste away from its full trace.
 */
export function replayCommand(scenario: string, seed: number, extraArguments: readonly string[] = []): string {
  return ['npm run build --silent && node dist/cli/main.js sim', scenario, '--seed', String(seed), ...extraArguments, '--trace'].join(' ');
}
