/**
 * How the daemon's process is started (the systemd unit and the test bed use the same settings;
 * test/unit/daemon/node-options.test.ts holds the unit to them). An idle node's footprint is
 * mostly V8's and the allocator's:
 *
 * - `--max-semi-space-size=1`: a young generation of 1 MiB semi-spaces instead of up to 16 MiB
 *   keeps the resident set small, at the cost of more frequent (and short) scavenges; the heap
 *   holds a CIB and a few graphs, not a workload.
 * - `--single-threaded`: no V8 helper threads. Their scavenges, marking and compiles run on the
 *   thread that needs them instead, which for heaps this small costs less than waking helpers to
 *   share the work (`bench footprint`: ~2 MiB less RSS, a little less CPU), and each helper thread
 *   no longer holds a stack and an allocator arena. Heartbeats are unaffected: the heartbeat
 *   worker has its own isolate and its own small heap.
 *
 * - `--expose-gc`: for the heap trim (heap-trim.ts), a full collection once a minute that keeps
 *   V8's committed pages, and so the RSS, from creeping up over an idle node's first half hour.
 * - `--no-sparkplug`: no baseline-compiled copy of every warm function; code runs interpreted
 *   until TurboFan takes the hot part. 1-3 MiB less RSS at the same CPU (`bench footprint`, same
 *   window), a takeover as fast (`bench failover` median 926 against 933 ms) and the policy
 *   engine ~5 % slower (16 x 10,000: 443 against 413-427 ms, target 1 s).
 *
 * NODE_OPTIONS does not accept `--single-threaded`, so the unit passes these as
 * HEARTLINE_NODE_FLAGS, which /usr/bin/heartline puts on node's command line.
 */
export const DAEMON_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=1', '--single-threaded', '--expose-gc', '--no-sparkplug'];

/**
 * The daemon's environment beyond the caller's. glibc gives each thread that allocates an arena
 * of its own (up to 8 per core); one arena is enough for a process this quiet and keeps about
 * 3 MiB less resident (`bench footprint`).
 */
export const DAEMON_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };
