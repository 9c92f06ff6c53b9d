/**
 * The writer service of the storage tests and demos, run by ocf:heartline:RecordWriter as
 * `node writer-service.js FILE IP PORT NODE READY_FILE`: it appends numbered records to FILE (on
 * the shared filesystem) and acknowledges each to the client that asked, only after fdatasync.
 *
 * Protocol (TCP, one line each way): the client sends `append`, the service appends record N+1,
 * syncs it and answers `ack N+1 NODE`; on a failed write or sync it answers `error TEXT` and exits
 * with status 1 (its filesystem is gone: the monitor then reports the failure). Appends are
 * serialised across clients. At start the service reads FILE, cuts a torn last line (a crash
 * mid-append) and continues after the last complete record. It writes READY_FILE once it listens.
 * SIGTERM closes the file and exits 0.
 */
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { formatRecord, parseRecordFile } from './writer-records.js';

const [file, ip, port, node, readyFile] = process.argv.slice(2);
if (file === undefined || ip === undefined || port === undefined || node === undefined || readyFile === undefined) {
  process.stderr.write('usage: writer-service FILE IP PORT NODE READY_FILE\n');
  process.exit(2);
}

function fail(message: string): never {
  process.stderr.write(`ocf-exit-reason:${message}\n`);
  process.exit(1);
}

let fd: number;
let next: number;
try {
  fd = openSync(file, 'a+');
  const existing = parseRecordFile(readFileSync(file, 'utf8'));
  if (existing.malformed.length > 0) fail(`${file} holds lines that are not records, e.g. ${JSON.stringify(existing.malformed[0])}`);
  // A torn last line is cut, so that the next record starts on a line of its own.
  ftruncateSync(fd, existing.completeLength);
  fdatasyncSync(fd);
  next = (existing.records.at(-1)?.seq ?? 0) + 1;
} catch (error) {
  fail(`cannot open the record file ${file}: ${(error as Error).message}`);
}

/** Appends one record and syncs it; returns its number. Synchronous: appends never interleave. */
function append(): number {
  const seq = next;
  writeSync(fd, formatRecord({ seq, node: node as string, atMs: Date.now() }));
  fdatasyncSync(fd);
  next += 1;
  return seq;
}

const server = createServer((socket: Socket) => {
  socket.on('error', () => socket.destroy());
  createInterface({ input: socket }).on('line', (line) => {
    if (line.trim() !== 'append') {
      socket.write(`error unknown request ${JSON.stringify(line.slice(0, 40))}\n`);
      return;
    }
    let seq: number;
    try {
      seq = append();
    } catch (error) {
      const message = `cannot append to ${file}: ${(error as Error).message}`;
      socket.end(`error ${message}\n`);
      fail(message);
    }
    socket.write(`ack ${seq} ${node}\n`);
  });
});
server.on('error', (error) => fail(`cannot listen on ${ip}:${port}: ${error.message}`));
server.listen(Number(port), ip, () => writeFileSync(readyFile, String(process.pid)));
process.on('SIGTERM', () => {
  closeSync(fd);
  process.exit(0);
});
