/**
 * The child process of `heartline bench policy`: runs one case (argv[2], JSON PolicyCaseOptions)
 * and sends its progress and result to the parent over IPC, then exits, so that the case's peak
 * memory is its own.
 */
import { runPolicyCase, type PolicyCaseOptions, type PolicyWorkerMessage } from './policy.js';

function send(message: PolicyWorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      process.stderr.write('policy-worker: run by `heartline bench policy`, not directly\n');
      process.exitCode = 2;
      resolve();
      return;
    }
    process.send(message, () => resolve());
  });
}

const options = JSON.parse(process.argv[2] ?? '{}') as PolicyCaseOptions;
const result = await runPolicyCase(options, (line) => void send({ kind: 'progress', line }));
await send({ kind: 'done', result });
process.disconnect?.();
