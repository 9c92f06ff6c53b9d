// Runs the heartline CLI in this process with a terminal that records what it prints, restoring
// process.exitCode afterwards: the way every CLI unit test calls a command.
import { runCli } from '../../../src/cli/program.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function cli(...argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await runCli(argv, { out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`), err: (t) => (err += t.endsWith('\n') ? t : `${t}\n`) });
    return { code, out, err };
  } finally {
    process.exitCode = saved;
  }
}
