import type { Logger } from '../lib/index.js';
import type { LinkDatagram, LinkState } from './link.js';

export const LINK_DOWN_NOT_OPEN: LinkState = { state: 'down', reason: 'not open' };

/**
 * The part every Link adapter shares: its handlers and its local state. State handlers hear
 * changes only (a link is up without an event once open() resolves), and nothing is delivered
 * once the adapter is no longer open, even to handlers later in the list.
 */
export class LinkListeners {
  private readonly receiveHandlers: ((datagram: LinkDatagram) => void)[] = [];
  private readonly stateHandlers: ((state: LinkState) => void)[] = [];
  private current: LinkState = LINK_DOWN_NOT_OPEN;

  constructor(
    private readonly log: Logger,
    private readonly isOpen: () => boolean,
  ) {}

  get state(): LinkState {
    return this.current;
  }

  onReceive(handler: (datagram: LinkDatagram) => void): void {
    this.receiveHandlers.push(handler);
  }

  onState(handler: (state: LinkState) => void): void {
    this.stateHandlers.push(handler);
  }

  /** Sets the state without telling anyone: after open() and close(), which their callers see. */
  reset(state: LinkState): void {
    this.current = state;
  }

  /** Reports a change of state (logged, then passed to every handler); the same state again is ignored. */
  change(next: LinkState): void {
    if (next.state === this.current.state) return;
    this.current = next;
    if (next.state === 'down') this.log.warn('link down', { reason: next.reason });
    else this.log.info('link up');
    for (const handler of this.stateHandlers) {
      if (!this.isOpen()) return;
      handler(next);
    }
  }

  deliver(datagram: LinkDatagram): void {
    for (const handler of this.receiveHandlers) {
      if (!this.isOpen()) return;
      handler(datagram);
    }
  }
}
