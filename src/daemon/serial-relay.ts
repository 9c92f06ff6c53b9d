import type { HeartlineConfig } from '../config/index.js';
import { nodeView } from '../config/index.js';
import type { Clock, Logger } from '../lib/index.js';
import type { Link } from '../links/link.js';
import { createLinkAdapter } from './link-factory.js';
import type { RelayToMain, RelayToWorker } from './relayed-link.js';

/**
 * SerialRelay: the main-thread half of RelayedLink. It owns the serial links' real adapters and
 * passes frames between them and the heartbeat worker (see relayed-link.ts for why).
 */
export class SerialRelay {
  private readonly links = new Map<string, Link>();

  constructor(
    private readonly post: (message: RelayToWorker) => void,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The names of this node's links that must be relayed. */
  static relayedLinkNames(config: HeartlineConfig, nodeName: string): string[] {
    const view = nodeView(config, nodeName);
    return view.ok ? view.value.links.filter((l) => l.kind === 'serial').map((l) => l.name) : [];
  }

  handle(message: RelayToMain, config: HeartlineConfig, nodeName: string): void {
    switch (message.type) {
      case 'link-open': {
        const view = nodeView(config, nodeName);
        const linkView = view.ok ? view.value.links.find((l) => l.name === message.link) : undefined;
        if (linkView === undefined) {
          this.post({ type: 'link-opened', link: message.link, error: `no link named ${message.link} on this node` });
          return;
        }
        const link = createLinkAdapter(linkView, this.clock, this.logger);
        link.onReceive((datagram) => this.post({ type: 'link-datagram', link: message.link, bytes: datagram.bytes, source: datagram.source }));
        link.onState((state) => this.post({ type: 'link-state', link: message.link, state }));
        this.links.set(message.link, link);
        link.open().then(
          () => this.post({ type: 'link-opened', link: message.link, error: null }),
          (error: unknown) => this.post({ type: 'link-opened', link: message.link, error: error instanceof Error ? error.message : String(error) }),
        );
        return;
      }
      case 'link-send':
        this.links.get(message.link)?.send(message.bytes);
        return;
      case 'link-close':
        void this.links.get(message.link)?.close();
        this.links.delete(message.link);
        return;
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.close()));
    this.links.clear();
  }
}
