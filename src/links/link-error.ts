/**
 * LinkError: why a link could not be opened, as a value the daemon can show an operator. It names
 * the link, the address or device it tried and the underlying cause, and its `code` is Heartline's
 * own vocabulary (not the errno), so that callers can switch on it without knowing whether the
 * failure came from the socket layer or from serialport. Only `Link.open()` produces it: after a
 * successful open, failures are link states (see link.ts), never exceptions.
 */

/** What went wrong, in the words an operator fixes it by. */
export type LinkErrorCode =
  /** The local address (or the broadcast address, or the interface of a multicast group) is not on this node (EADDRNOTAVAIL). */
  | 'address-not-available'
  /** Another socket already has this address and port (EADDRINUSE): a second daemon, or two links configured alike. */
  | 'address-in-use'
  /** The port is privileged (694 needs root or CAP_NET_BIND_SERVICE) or the device is not readable and writable (EACCES, EPERM). */
  | 'permission-denied'
  /** The serial device (or a multicast interface) does not exist (ENOENT, ENODEV): unplugged adapter, wrong path, or a null-modem pty that is not up. */
  | 'device-not-found'
  /** The serial device is held by another process (EBUSY, or serialport's lock). */
  | 'device-busy'
  /** The link's own configuration is malformed (not an IPv4 address, not a multicast group, an empty device path). */
  | 'invalid-configuration'
  /** Anything else; the message and cause carry the detail. */
  | 'open-failed';

/** The facts a LinkError carries besides its code. */
export interface LinkErrorContext {
  /** The link's configured name, e.g. "eth1-unicast". */
  readonly link: string;
  /** What the link tried to open: `ip:port`, `group:port via ifaceIp`, or a device path. */
  readonly target: string;
  /** The errno name when one was known (EADDRNOTAVAIL, ENOENT, ...). */
  readonly errno?: string;
  /** A sentence that helps fix it, appended to the message ("ports below 1024 need root ..."). */
  readonly hint?: string;
}

/**
 * The error `Link.open()` rejects with. Its message reads as a whole sentence for a log line or the
 * CLI: `link eth1: cannot bind 10.0.0.1:694: address not available on this node (EADDRNOTAVAIL)`.
 */
export class LinkError extends Error {
  override readonly name = 'LinkError';
  readonly link: string;
  readonly target: string;
  readonly errno: string | undefined;

  constructor(
    readonly code: LinkErrorCode,
    context: LinkErrorContext & { readonly action: string; readonly cause?: unknown },
  ) {
    const errnoText = context.errno === undefined ? '' : ` (${context.errno})`;
    const hintText = context.hint === undefined ? '' : `; ${context.hint}`;
    super(`link ${context.link}: ${context.action} ${context.target}: ${describeLinkErrorCode(code, context.cause)}${errnoText}${hintText}`, {
      cause: context.cause,
    });
    this.link = context.link;
    this.target = context.target;
    this.errno = context.errno;
  }

  /**
   * Converts whatever a socket or serialport threw while opening into a LinkError. `action` is the
   * verb phrase of what was attempted ("cannot bind", "cannot open"); `hints` maps a code to a
   * sentence that helps fix it. Never throws.
   */
  static fromCause(
    cause: unknown,
    context: Omit<LinkErrorContext, 'errno' | 'hint'> & { readonly action: string; readonly hints?: Partial<Record<LinkErrorCode, string>> },
  ): LinkError {
    const errno = errnoOf(cause);
    const code = codeForErrno(errno);
    const hint = context.hints?.[code];
    return new LinkError(code, {
      link: context.link,
      target: context.target,
      action: context.action,
      cause,
      ...(errno === undefined ? {} : { errno }),
      ...(hint === undefined ? {} : { hint }),
    });
  }
}

/** The errno name of a Node system error, or, for serialport's native messages ("Error: No such file or directory, cannot open X"), the one its strerror text names. */
export function errnoOf(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
  const message = (cause as { message?: unknown }).message;
  if (typeof message !== 'string') return undefined;
  for (const [text, name] of strerrorTexts) if (message.includes(text)) return name;
  return undefined;
}

// serialport's native binding reports open failures as strerror() text without an errno code, so
// these are the texts glibc prints for the errors an operator can meet while opening a device.
const strerrorTexts: readonly (readonly [string, string])[] = [
  ['No such file or directory', 'ENOENT'],
  ['No such device', 'ENODEV'],
  ['Permission denied', 'EACCES'],
  ['Operation not permitted', 'EPERM'],
  ['Device or resource busy', 'EBUSY'],
  ['Resource temporarily unavailable', 'EAGAIN'],
  ['Cannot lock port', 'EBUSY'],
  ['Port is locked', 'EBUSY'],
];

const codeByErrno: ReadonlyMap<string, LinkErrorCode> = new Map([
  ['EADDRNOTAVAIL', 'address-not-available'],
  ['ENODEV', 'device-not-found'],
  ['EADDRINUSE', 'address-in-use'],
  ['EACCES', 'permission-denied'],
  ['EPERM', 'permission-denied'],
  ['ENOENT', 'device-not-found'],
  ['EBUSY', 'device-busy'],
  ['EAGAIN', 'device-busy'],
  ['EINVAL', 'invalid-configuration'],
]);

function codeForErrno(errno: string | undefined): LinkErrorCode {
  return (errno === undefined ? undefined : codeByErrno.get(errno)) ?? 'open-failed';
}

function describeLinkErrorCode(code: LinkErrorCode, cause: unknown): string {
  switch (code) {
    case 'address-not-available':
      return 'address not available on this node';
    case 'address-in-use':
      return 'address and port already in use';
    case 'permission-denied':
      return 'permission denied';
    case 'device-not-found':
      return 'no such device';
    case 'device-busy':
      return 'device busy (held by another process)';
    case 'invalid-configuration':
    case 'open-failed':
      return cause instanceof Error ? cause.message : String(cause);
  }
}
