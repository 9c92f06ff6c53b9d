/**
 * Last-resort cleanup: synchronous undo actions that run when the process exits without its own
 * cleanup (a test's afterAll, a benchmark's finally) having run them: a crash, a timeout that
 * kills a test worker, Ctrl-C on `heartline bench detect`. Every testbed part registers what it
 * made (a namespace, a socat, a child process, a temporary folder) right after making it and
 * unregisters it once its own cleanup has succeeded, so a normal run leaves nothing here. Actions
 * run newest first, so processes die before the namespaces they live in are deleted.
 *
 * On SIGINT, SIGTERM and SIGHUP the actions run and the process then dies of the same signal, as
 * it would have without the handler (exit status 128 + signal for the shell).
 *
 * What this cannot cover: a process killed with SIGKILL runs no code at all. For that, child
 * processes are also tied to their parent (setpriv --pdeathsig, and the JSON-lines children exit
 * when stdin closes); namespaces of such a run stay behind under their unique prefix.
 */
const actions = new Map<number, { readonly what: string; readonly run: () => void }>();
let nextId = 1;
let installed = false;

/**
 * Registers `run` (synchronous: only sync calls work inside 'exit') to undo `what` at process
 * exit. Returns the function that unregisters it, which the caller invokes once it has cleaned up
 * by itself. `run` must not throw; if it does, the error is printed and the next action runs.
 */
export function registerLastResortCleanup(what: string, run: () => void): () => void {
  install();
  const id = nextId++;
  actions.set(id, { what, run });
  return () => {
    actions.delete(id);
  };
}

function runAll(): void {
  const pending = [...actions.entries()].reverse();
  actions.clear();
  for (const [, action] of pending) {
    try {
      action.run();
    } catch (error) {
      // stderr directly: this runs while the process exits, after every logger may be gone.
      process.stderr.write(`last-resort cleanup of ${action.what} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Clean up, then die of the same signal as we would have without this handler.
    process.once(signal, () => {
      runAll();
      process.kill(process.pid, signal);
    });
  }
}
