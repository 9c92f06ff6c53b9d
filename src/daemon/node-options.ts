/**
 * The options node runs the daemon with (the systemd unit's ExecStart and the test bed use the
 * same list). An idle node's footprint is mostly V8's: a young generation of 1 MiB semi-spaces
 * instead of up to 16 MiB keeps the resident set small, at the cost of more frequent (and
 * short) scavenges; the heap holds a CIB and a few graphs, not a workload. NODE_OPTIONS accepts
 * it, which is how systemd/heartline.service passes it; keep the two the same.
 */
export const DAEMON_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=1'];
