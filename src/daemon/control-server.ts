import { chmod, chown, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Logger } from '../lib/index.js';
import { lookupGroupId } from '../platform/unix-group.js';
import { controlRequestSchema, type ControlRequest, type ControlResponse } from './control-protocol.js';

const REQUEST_BYTES_MAX = 64 * 1024;
/** The group whose members may use the CLI without root (Pacemaker's name for it). */
const CLIENT_GROUP = 'haclient';

/**
 * ControlServer: the daemon's end of the local control socket. One JSON request per line, one
 * JSON response per line. Requests that do not parse or do not match the schema get an error
 * response naming the problem; the daemon never dies of a bad request. The socket is created
 * mode 0660 in a 0750 folder, so only root and group `haclient` (when it exists: the package
 * creates it) can talk to the daemon: both the socket and a folder the daemon created belong to
 * that group.
 */
export class ControlServer {
  private server: Server | undefined;

  constructor(
    private readonly path: string,
    private readonly handle: (request: ControlRequest) => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  async listen(): Promise<void> {
    const created = await mkdir(dirname(this.path), { recursive: true, mode: 0o750 });
    if (await isAlive(this.path)) throw new Error(`another heartline daemon is already listening on ${this.path}: stop it first, or give this one another --socket`);
    await unlink(this.path).catch(() => undefined);
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(this.path, 0o660);
    this.server = server;
    await this.giveToGroup(created);
  }

  /** Socket (and the folder, when this daemon created it) to group haclient, when it exists. */
  private async giveToGroup(createdFolder: string | undefined): Promise<void> {
    const gid = await lookupGroupId(CLIENT_GROUP);
    if (gid === undefined || process.getuid === undefined) return;
    const uid = process.getuid();
    try {
      if (createdFolder !== undefined) await chown(dirname(this.path), uid, gid);
      await chown(this.path, uid, gid);
    } catch (error) {
      this.logger.warn('the control socket stays root-only: it could not be given to its group', { group: CLIENT_GROUP, error: error instanceof Error ? error.message : String(error) });
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(this.path).catch(() => undefined);
  }

  private serve(socket: Socket): void {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > REQUEST_BYTES_MAX) {
        socket.end(`${JSON.stringify({ id: 0, ok: false, error: { code: 'too-large', message: `a request is at most ${REQUEST_BYTES_MAX} bytes` } })}\n`);
        return;
      }
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        void this.answer(line).then((response) => {
          if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
        });
        newline = buffered.indexOf('\n');
      }
    });
  }

  private async answer(line: string): Promise<ControlResponse> {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return { id: 0, ok: false, error: { code: 'bad-request', message: 'the request is not JSON' } };
    }
    const parsed = controlRequestSchema.safeParse(raw);
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : 0;
    if (!parsed.success) return { id, ok: false, error: { code: 'bad-request', message: parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ') } };
    try {
      return { id, ok: true, result: await this.handle(parsed.data) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn('control request failed', { command: parsed.data.command, error: message });
      return { id, ok: false, error: { code: (error as { code?: string }).code ?? 'failed', message } };
    }
  }
}

/** True when a daemon answers on `path` (a socket file left by a crashed daemon does not). */
function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
