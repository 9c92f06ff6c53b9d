// The heartbeat worker thread: hosts the links, the membership core's driver and the reliable
// channel beside it (it needs membership's node-up/node-down and the links), so that heartbeats
// go out and come in on time whatever the main thread is doing. It talks to the daemon's main thread
// only through messages (heartbeat-worker-protocol.ts).
import { parentPort, workerData } from 'node:worker_threads';
// node-view.js, not the config index: the index pulls in zod and yaml, which the worker never uses.
import { nodeView } from '../config/node-view.js';
import type { MembershipConfig } from '../ha/membership/index.js';
import { createFrameKeyring } from '../links/frame-keyring.js';
import { PinoLogger, SystemClock } from '../platform/index.js';
import type { FromHeartbeatWorker, HeartbeatWorkerData, ToHeartbeatWorker } from './heartbeat-worker-protocol.js';
import { createLinkAdapter } from './link-factory.js';
import { MembershipDriver } from './membership-driver.js';
import { PingProber } from './ping-prober.js';
import { RelayedLink } from './relayed-link.js';
import { SERIAL_FRAME_PAYLOAD_BYTES_MAX } from '../links/serial-framing.js';
import { startHeapTrim } from './heap-trim.js';

const port = parentPort;
if (port === null) throw new Error('heartbeat-worker.js runs only as a worker thread of the daemon');
// Its own isolate, its own committed pages: trimmed as the main thread's are.
startHeapTrim();
const data = workerData as HeartbeatWorkerData;
const post = (message: FromHeartbeatWorker): void => port.postMessage(message);

const logger = PinoLogger.create({ level: data.logLevel, name: 'heartline' }).child('ha:membership');
const clock = new SystemClock();
const view = nodeView(data.config, data.nodeName);
if (!view.ok) {
  post({ type: 'fatal', message: view.error });
} else {
  const membership: MembershipConfig = {
    self: view.value.self.id,
    nodes: data.config.nodes.map((n) => ({ id: n.id, votes: n.votes })),
    links: view.value.links.map((l) => l.name),
    timing: data.config.timing,
    quorum: {
      expectedVotes: data.config.quorum.expectedVotes,
      twoNode: data.config.quorum.twoNode,
      waitForAll: data.config.quorum.waitForAll,
      pingTargets: data.config.quorum.pingTargets.length > 0,
    },
  };
  const relayedLinks = new Map<string, RelayedLink>();
  const driver = new MembershipDriver({
    view: view.value,
    membership,
    incarnation: data.incarnation,
    keyring: createFrameKeyring(data.authKeys, data.config.cluster.id),
    encryption: data.config.cluster.encryption,
    clock,
    logger,
    // serialport cannot run in a worker thread: its links are relayed to the main thread.
    createLink: (link) => {
      if (link.kind !== 'serial') return createLinkAdapter(link, clock, logger);
      const relayed = new RelayedLink(link.name, 'serial', SERIAL_FRAME_PAYLOAD_BYTES_MAX, post, clock);
      relayedLinks.set(link.name, relayed);
      return relayed;
    },
    onEvent: (event) => post({ type: 'event', event }),
    onView: (clusterView) => post({ type: 'view', view: clusterView }),
    onChannelDeliver: (from, payload) => post({ type: 'channel-deliver', from, payload }),
  });
  const prober = data.config.quorum.pingTargets.length === 0 ? undefined : new PingProber(data.config.quorum.pingTargets, clock, (reachable) => driver.pingTargets(reachable));
  port.on('message', (message: ToHeartbeatWorker) => {
    switch (message.type) {
      case 'status':
        post({ type: 'status', id: message.id, status: driver.status() });
        return;
      case 'stop':
        void (async () => {
          prober?.stop();
          await driver.stop();
          post({ type: 'stopped' });
        })();
        return;
      case 'channel-send':
        driver.channelSend(message.to, message.payload);
        return;
      case 'link-opened':
      case 'link-datagram':
      case 'link-state':
        relayedLinks.get(message.link)?.deliver(message);
        return;
    }
  });
  driver.start().then(
    () => {
      prober?.start();
      post({ type: 'ready' });
    },
    (error: unknown) => post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) }),
  );
}
