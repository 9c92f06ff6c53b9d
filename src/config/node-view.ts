/**
 * NodeView: the configuration as one node sees it: who it is, who its peers are, and for each
 * heartbeat link it is on, its own address (or device) and its peers' addresses. The daemon
 * builds its links and its membership core from this; nothing in it needs another lookup.
 */
import { err, ok, type NodeId, type Result } from '../lib/index.js';
import type { HeartlineConfig, LinkConfig, NodeConfig, SerialEndpoint, UdpEndpoint } from './heartline-config.js';

export interface NodeView {
  readonly clusterName: string;
  readonly clusterId: number;
  readonly self: NodeConfig;
  /** Every other configured node, in file order. */
  readonly peers: readonly NodeConfig[];
  /** The links this node has an end of, in file order (a serial link between two others is not among them). */
  readonly links: readonly NodeLinkView[];
}

/** A peer's end of a UDP link. */
export interface UdpPeerEndpoint {
  readonly nodeId: NodeId;
  readonly nodeName: string;
  readonly address: string;
}

export interface UdpUnicastLinkView {
  readonly kind: 'udp-unicast';
  readonly name: string;
  readonly port: number;
  /** The address to bind, this node's own on the link. */
  readonly localAddress: string;
  /** Where to send: every peer's address (each gets its own copy of a frame). */
  readonly peers: readonly UdpPeerEndpoint[];
}

export interface UdpBroadcastLinkView {
  readonly kind: 'udp-broadcast';
  readonly name: string;
  readonly port: number;
  readonly localAddress: string;
  readonly broadcastAddress: string;
  /** The peers' addresses, to recognize their frames' sources; frames go to the broadcast address. */
  readonly peers: readonly UdpPeerEndpoint[];
}

export interface UdpMulticastLinkView {
  readonly kind: 'udp-multicast';
  readonly name: string;
  readonly port: number;
  /** The interface address on which to join the group and send. */
  readonly localAddress: string;
  readonly group: string;
  readonly ttl: number;
  readonly peers: readonly UdpPeerEndpoint[];
}

export interface SerialLinkView {
  readonly kind: 'serial';
  readonly name: string;
  readonly device: string;
  readonly baud: number;
  /** The node at the other end of the cable. */
  readonly peer: { readonly nodeId: NodeId; readonly nodeName: string };
}

export type NodeLinkView = UdpUnicastLinkView | UdpBroadcastLinkView | UdpMulticastLinkView | SerialLinkView;

/**
 * The view of the node named `nodeName` (normally this machine's hostname). The error, when the
 * name is not configured, is a sentence listing the configured names.
 */
export function nodeView(config: HeartlineConfig, nodeName: string): Result<NodeView, string> {
  const self = config.nodes.find((node) => node.name === nodeName);
  if (self === undefined) {
    return err(`node '${nodeName}' is not in the configuration (its nodes are ${config.nodes.map((node) => node.name).join(', ')}): name this node with --node, or add it to nodes:`);
  }
  return ok({
    clusterName: config.cluster.name,
    clusterId: config.cluster.id,
    self,
    peers: config.nodes.filter((node) => node !== self),
    links: config.links.flatMap((link) => linkView(link, self.id)),
  });
}

function linkView(link: LinkConfig, self: NodeId): NodeLinkView[] {
  if (link.kind === 'serial') {
    const [first, second] = link.endpoints;
    const [own, other] = first.nodeId === self ? [first, second] : second.nodeId === self ? [second, first] : [undefined, undefined];
    if (own === undefined || other === undefined) return [];
    return [{ kind: 'serial', name: link.name, device: own.device, baud: link.baud, peer: peerOf(other) }];
  }
  const own = link.endpoints.find((endpoint) => endpoint.nodeId === self);
  if (own === undefined) return [];
  const peers = link.endpoints.filter((endpoint) => endpoint !== own).map((endpoint) => ({ ...peerOf(endpoint), address: endpoint.address }));
  const common = { name: link.name, port: link.port, localAddress: own.address, peers };
  switch (link.kind) {
    case 'udp-unicast':
      return [{ kind: link.kind, ...common }];
    case 'udp-broadcast':
      return [{ kind: link.kind, ...common, broadcastAddress: link.broadcastAddress }];
    case 'udp-multicast':
      return [{ kind: link.kind, ...common, group: link.group, ttl: link.ttl }];
  }
}

function peerOf(endpoint: UdpEndpoint | SerialEndpoint): { readonly nodeId: NodeId; readonly nodeName: string } {
  return { nodeId: endpoint.nodeId, nodeName: endpoint.nodeName };
}
