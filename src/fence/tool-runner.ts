/**
 * ToolRunner: how fence drivers run the programs they drive (snmpget, ipmitool, fence_* agents).
 * One call runs one program to completion and answers with what happened as a value; it never
 * rejects. Secrets travel only in `env` or `stdin`, never in `args`, because the argument list of
 * every process is world-readable in /proc while its environment and stdin are not.
 *
 * The production runner starts the program without a shell in a process group of its own and, when
 * the time limit passes or the caller aborts, kills the whole group (SIGKILL): a fence agent that
 * hangs on a dead device must not hold the fence, and must not leave its ipmitool behind. Tests
 * inject a scripted runner instead.
 */
import { spawn } from 'node:child_process';

export interface ToolInvocation {
  readonly file: string;
  readonly args: readonly string[];
  /** Extra environment on top of a minimal one (PATH, LANG=C); the caller's environment is not inherited. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to the program's stdin, which is then closed. */
  readonly stdin?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface ToolOutcome {
  /** The exit code, or null when the program was killed or could not start. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The time limit passed and the program was killed. */
  readonly timedOut: boolean;
  /** The caller aborted and the program was killed. */
  readonly aborted: boolean;
  /** Set when the program could not be started (ENOENT: not installed; EACCES: not executable). */
  readonly spawnError?: string;
  readonly elapsedMs: number;
}

export interface ToolRunner {
  run(invocation: ToolInvocation): Promise<ToolOutcome>;
}

/** Output beyond this many characters per stream is dropped: tools answer in a few lines. */
const OUTPUT_CHARS_MAX = 256 * 1024;

const BASE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
  LC_ALL: 'C',
};

export class ChildToolRunner implements ToolRunner {
  run(invocation: ToolInvocation): Promise<ToolOutcome> {
    const started = performance.now();
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let aborted = false;
      let settled = false;
      const child = spawn(invocation.file, [...invocation.args], {
        env: { ...BASE_ENV, ...invocation.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      const killGroup = (): void => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is gone already.
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, invocation.timeoutMs);
      const onAbort = (): void => {
        aborted = true;
        killGroup();
      };
      invocation.signal?.addEventListener('abort', onAbort, { once: true });
      if (invocation.signal?.aborted === true) onAbort();
      const finish = (outcome: Omit<ToolOutcome, 'elapsedMs'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        invocation.signal?.removeEventListener('abort', onAbort);
        resolve({ ...outcome, elapsedMs: performance.now() - started });
      };
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        if (stdout.length < OUTPUT_CHARS_MAX) stdout += text;
      });
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        if (stderr.length < OUTPUT_CHARS_MAX) stderr += text;
      });
      child.once('error', (error: NodeJS.ErrnoException) => {
        finish({ exitCode: null, stdout, stderr, timedOut, aborted, spawnError: error.code ?? error.message });
      });
      child.once('close', (code) => {
        finish({ exitCode: code, stdout, stderr, timedOut, aborted });
      });
      // A program that exits before reading its input makes the write fail with EPIPE; its exit status says why.
      child.stdin.on('error', () => {});
      child.stdin.end(invocation.stdin ?? '');
    });
  }
}
