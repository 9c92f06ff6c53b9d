import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { fuzzFrames, type FrameFuzzReport } from '../../links/frame-fuzz.js';
import { ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';
import { parseCount, parseSeed } from './sim.js';

interface BenchFramesOptions extends JsonOption {
  readonly count: number;
  readonly seed?: number;
}

const DEFAULT_COUNT = 1_000_000;

/**
 * `heartline bench frames`: runs the frame fuzzer (src/links/frame-fuzz.ts) and reports its counts
 * and the receiver's throughput. Exits 1 when the receiver threw, accepted a forged or replayed
 * frame, or lost a genuine one: those are bugs in the wire format code, never tuning matters.
 */
export function registerBenchFramesCommand(bench: Command, terminal: Terminal): void {
  withJsonOption(
    bench
      .command('frames')
      .summary('fuzz the heartbeat frame receiver and measure its throughput')
      .description(
        'Feed the heartbeat frame receiver (decode, HMAC, AES-GCM, anti-replay, reassembly) a seeded ' +
          'mix of genuine frames and bad input: random bytes, truncations, bit flips, forged tags, ' +
          'tampered headers, replays and looped-back frames. Prints how many of each were fed, the ' +
          'drops by reason and the frames per second through the receiver. Exits 1 if the receiver ' +
          'threw, accepted any forged or replayed frame, or lost a genuine one.',
      )
      .option('--count <n>', `how many inputs to feed (default ${DEFAULT_COUNT.toLocaleString('en-US')})`, parseCount, DEFAULT_COUNT)
      .option('--seed <n>', 'the seed of the input mix; random when omitted', parseSeed),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  heartline bench frames                        a million inputs, random seed\n' +
        '  heartline bench frames --count 10000 --seed 7 --json\n',
    )
    .action((options: BenchFramesOptions) => {
      const seed = options.seed ?? randomInt(0, 2 ** 31);
      const startedAt = performance.now();
      const report = fuzzFrames({ count: options.count, seed, now: () => performance.now() });
      const elapsedMs = performance.now() - startedAt;
      const acceptMs = report.acceptMs ?? elapsedMs;
      const throughput = {
        elapsedMs: Math.round(elapsedMs),
        receiverMs: Math.round(acceptMs),
        receiverFramesPerSecond: Math.round((report.inputs / acceptMs) * 1000),
        inputsPerSecond: Math.round((report.inputs / elapsedMs) * 1000),
      };
      printResult(terminal, options, { ...report, throughput }, () => renderText(report, throughput));
      if (!report.ok) {
        terminal.err(`heartline: error: the frame receiver broke a promise (seed ${seed}): see the counts above`);
        terminal.err(`heartline: hint: replay it with: heartline bench frames --count ${options.count} --seed ${seed}`);
        process.exitCode = ExitCode.failed;
      }
    });
}

function renderText(report: FrameFuzzReport, throughput: { readonly elapsedMs: number; readonly receiverFramesPerSecond: number; readonly inputsPerSecond: number }): string {
  const number = (value: number): string => value.toLocaleString('en-US');
  const mark = (good: boolean): string => (good ? 'ok' : 'FAILED');
  const lines = [
    `seed ${report.seed}: ${number(report.inputs)} inputs, ${report.ok ? 'ok' : 'FAILED'}`,
    `  inputs:  ${Object.entries(report.inputsByKind).map(([kind, count]) => `${kind} ${number(count)}`).join(', ')}`,
    `  decoded (tag verified)   ${number(report.decoded)}`,
    `  exceptions               ${number(report.exceptions)}  ${mark(report.exceptions === 0)}${report.firstException === undefined ? '' : `  first: ${report.firstException}`}`,
    `  forged accepted          ${number(report.forgedAccepted)}  ${mark(report.forgedAccepted === 0)}`,
    `  replays accepted         ${number(report.replaysAccepted)}  ${mark(report.replaysAccepted === 0)}`,
    `  valid accepted           ${number(report.validAccepted)} of ${number(report.validExpected)}  ${mark(report.validAccepted === report.validExpected)}`,
    `  messages delivered       ${number(report.messagesDelivered)} of ${number(report.messagesExpected)}  ${mark(report.messagesDelivered === report.messagesExpected)}`,
    '  drops by reason:',
    ...Object.entries(report.drops)
      .filter(([, count]) => count > 0)
      .map(([reason, count]) => `    ${reason.padEnd(22)} ${number(count)}`),
    `  throughput: ${number(throughput.receiverFramesPerSecond)} frames/s through the receiver; ${number(throughput.inputsPerSecond)} inputs/s with generation; ${(throughput.elapsedMs / 1000).toFixed(1)} s in all`,
  ];
  return lines.join('\n');
}
