/**
 * The OCF exit codes 0-9, the vocabulary in which every agent class reports an operation's outcome
 * (LSB, Heartbeat v1 and systemd results are mapped into it by their classes). 0-7 are the OCF
 * 1.1 draft's; 8 and 9 are Pacemaker's promotable-clone extension (`ocf-returncodes` names them
 * RUNNING_MASTER and FAILED_MASTER). The names follow Pacemaker's results.h in today's words.
 */
export const OcfRc = {
  SUCCESS: 0,
  ERR_GENERIC: 1,
  ERR_ARGS: 2,
  ERR_UNIMPLEMENTED: 3,
  ERR_PERM: 4,
  ERR_INSTALLED: 5,
  ERR_CONFIGURED: 6,
  NOT_RUNNING: 7,
  RUNNING_PROMOTED: 8,
  FAILED_PROMOTED: 9,
} as const;

export type OcfRc = (typeof OcfRc)[keyof typeof OcfRc];

const NAMES: readonly string[] = [
  'OCF_SUCCESS',
  'OCF_ERR_GENERIC',
  'OCF_ERR_ARGS',
  'OCF_ERR_UNIMPLEMENTED',
  'OCF_ERR_PERM',
  'OCF_ERR_INSTALLED',
  'OCF_ERR_CONFIGURED',
  'OCF_NOT_RUNNING',
  'OCF_RUNNING_PROMOTED',
  'OCF_FAILED_PROMOTED',
];

export function isOcfRc(value: number): value is OcfRc {
  return Number.isInteger(value) && value >= 0 && value <= 9;
}

/** `OCF_NOT_RUNNING` for 7, for logs and messages. */
export function ocfRcName(rc: OcfRc): string {
  return NAMES[rc] ?? `OCF_RC_${String(rc)}`;
}
