/**
 * The client of the writer service (writer-service.ts), run by the storage tests in the switch's
 * namespace as a host on the LAN: `node writer-client.js IP PORT PAUSE_MS`. It asks for one append
 * at a time, every PAUSE_MS, reconnecting whenever the connection fails (a takeover), and prints
 * one JSON line per attempt: `{"at":MS,"ack":SEQ,"node":NODE}` or `{"at":MS,"error":TEXT}`. The
 * caller keeps the highest acknowledged number; a record is acknowledged only after it was synced.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseWriterAnswer } from './writer-records.js';

const [ip, port, pauseText] = process.argv.slice(2);
const pauseMs = Number(pauseText ?? '20');
if (ip === undefined || port === undefined || !(pauseMs >= 0)) {
  process.stderr.write('usage: writer-client IP PORT PAUSE_MS\n');
  process.exit(2);
}

const print = (line: object): void => {
  process.stdout.write(`${JSON.stringify({ at: Date.now(), ...line })}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One connection: appends until it fails; resolves then. */
async function session(): Promise<void> {
  const socket: Socket = connect({ host: ip as string, port: Number(port) });
  const lines = createInterface({ input: socket })[Symbol.asyncIterator]();
  const connectTimer = setTimeout(() => socket.destroy(new Error('no connection within 1 s')), 1000);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
  } finally {
    clearTimeout(connectTimer);
  }
  socket.on('error', () => {});
  for (;;) {
    socket.write('append\n');
    // A takeover can leave a connection half-open (the old node's address is simply gone):
    // an answer that does not come in time ends the session.
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 1 s')), 1000);
    const next = await lines.next();
    clearTimeout(timer);
    if (next.done === true) throw new Error('connection closed');
    const answer = parseWriterAnswer(next.value);
    if (answer === undefined) throw new Error(`unexpected answer ${JSON.stringify(next.value.slice(0, 60))}`);
    if (answer.kind === 'error') throw new Error(answer.message);
    print({ ack: answer.seq, node: answer.node });
    await sleep(pauseMs);
  }
}

for (;;) {
  try {
    await session();
  } catch (error) {
    print({ error: (error as Error).message });
  }
  await sleep(50);
}
