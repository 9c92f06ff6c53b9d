/**
 * The reference program of `heartline bench footprint --baseline`: the least a Node.js process can
 * do to exchange heartbeats at a given rate. It binds one UDP socket per link, and every keepalive
 * sends one frame of `--frame-bytes` (a fresh HMAC-SHA256 tag over the rest) to the peer on every
 * link (or every INTERVAL_MS given for that link, as the daemon probes links after the first), and
 * checks the tag of every frame it receives. No membership, no timers per peer, no
 * logging: what it costs is what Node's event loop, dgram and OpenSSL cost at that packet rate on
 * this machine, which is the floor under the daemon's own figure.
 *
 * Usage (inside a node's namespace): node heartbeat-floor.js KEEPALIVE_MS FRAME_BYTES PORT LOCAL_IP:PEER_IP[:INTERVAL_MS]...
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const [keepaliveArg, frameBytesArg, portArg, ...pairs] = process.argv.slice(2);
const keepaliveMs = Number(keepaliveArg);
const frameBytes = Number(frameBytesArg);
const port = Number(portArg);
if (!(keepaliveMs > 0) || !(frameBytes > 32) || !(port > 0) || pairs.length === 0) {
  process.stderr.write('usage: heartbeat-floor.js KEEPALIVE_MS FRAME_BYTES PORT LOCAL_IP:PEER_IP[:INTERVAL_MS]...\n');
  process.exit(2);
}

const TAG_BYTES = 32;
const key = randomBytes(32);
let rejected = 0;
const links = pairs.map((pair) => {
  const [local, peer, interval] = pair.split(':') as [string, string, string | undefined];
  const socket = createSocket('udp4');
  socket.on('message', (frame) => {
    const body = frame.subarray(0, frame.length - TAG_BYTES);
    // The peer has its own random key: the comparison fails, as a wrong key would; the work is the same.
    if (!createHmac('sha256', key).update(body).digest().equals(frame.subarray(frame.length - TAG_BYTES))) rejected++;
  });
  socket.bind(port, local);
  // Sent at the keepalive tick whose turn it is, as the daemon's ticks carry its probes.
  const everyTicks = Math.max(1, Math.round((interval === undefined ? keepaliveMs : Number(interval)) / keepaliveMs));
  return { socket, peer, everyTicks };
});

let sequence = 0;
let tick = 0;
setInterval(() => {
  tick++;
  for (const link of links) {
    if (tick % link.everyTicks !== 0) continue;
    const body = randomBytes(frameBytes - TAG_BYTES);
    body.writeUInt32BE(sequence++ >>> 0, 0);
    link.socket.send(Buffer.concat([body, createHmac('sha256', key).update(body).digest()]), port, link.peer);
  }
}, keepaliveMs);

process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ sent: sequence, rejected })}\n`);
  process.exit(0);
});
