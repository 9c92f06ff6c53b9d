import type { NodeLinkView } from '../config/index.js';
import type { Clock, Logger } from '../lib/index.js';
import type { Link } from '../links/link.js';
import { SerialLink } from '../links/serial-link.js';
import { UdpLink } from '../links/udp-link.js';

/** Builds the production adapter for one of this node's configured links. */
export function createLinkAdapter(view: NodeLinkView, clock: Clock, logger: Logger): Link {
  const log = logger.child(`links:${view.name}`);
  switch (view.kind) {
    case 'udp-unicast':
      return new UdpLink({ kind: 'udp-unicast', name: view.name, port: view.port, clock, logger: log, localAddress: view.localAddress, peers: new Map(view.peers.map((p) => [p.nodeId, p.address])) });
    case 'udp-broadcast':
      return new UdpLink({ kind: 'udp-broadcast', name: view.name, port: view.port, clock, logger: log, broadcastAddress: view.broadcastAddress });
    case 'udp-multicast':
      return new UdpLink({ kind: 'udp-multicast', name: view.name, port: view.port, clock, logger: log, group: view.group, interfaceAddress: view.localAddress, ttl: view.ttl });
    case 'serial':
      return new SerialLink({ name: view.name, path: view.device, baudRate: view.baud, clock, logger: log });
  }
}
