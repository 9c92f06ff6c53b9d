/**
 * The SNMP side of the agent test: a real snmpd as the AgentX master, a real snmptrapd as the
 * manager receiving notifications, and the net-snmp command-line tools as the client. Each runs
 * on 127.0.0.1 at a port chosen per run (proven to be its own), with `-C` (only our
 * configuration), `MIBS=` (Debian ships no IETF MIBs: numeric OIDs only), its persistent state in
 * a private scratch folder, under setpriv --pdeathsig, and is stopped by its PID; the folders go
 * at stop() or at exit.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BackgroundProcess } from '../../../src/testbed/background-process.js';
import { scratchFolder, unusedUdpPort, waitForOwnUdpListener, type ScratchFolder } from '../../../src/testbed/simulator-support.js';
import { eventually } from '../harness/eventually.js';

export interface V3Credentials {
  readonly user: string;
  readonly auth: string;
  readonly priv: string;
}

const quiet = (folder: string): NodeJS.ProcessEnv => ({ ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: join(folder, 'persist') });

async function startListening(name: string, folder: ScratchFolder, argvFor: (port: number) => string[], log: string): Promise<{ process: BackgroundProcess; port: number }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await unusedUdpPort();
    const process = await BackgroundProcess.start({ name, argv: argvFor(port), env: quiet(folder.path) });
    if (await waitForOwnUdpListener(port, process.pid, () => process.running)) return { process, port };
    const why = process.running ? `another process holds udp/${port}` : `it exited (${process.describeStatus()}): ${(await readFile(log, 'utf8').catch(() => '')).slice(-1500)} ${process.stderrTail()}`;
    await process.stop('SIGKILL');
    if (attempt === 2) throw new Error(`${name} did not listen on 127.0.0.1:${port}: ${why}`);
  }
  throw new Error('unreachable');
}

/** snmpd with `master agentx` on a Unix socket in its folder; v2c community `public` and one v3 authPriv user, read-only. */
export class SnmpdMaster {
  private constructor(
    private readonly folder: ScratchFolder,
    private process: BackgroundProcess,
    readonly port: number,
    readonly agentxSocket: string,
    readonly v3: V3Credentials,
  ) {}

  static async start(v3: V3Credentials): Promise<SnmpdMaster> {
    const folder = await scratchFolder('snmpd-master');
    try {
      await mkdir(join(folder.path, 'persist'));
      const socket = join(folder.path, 'agentx.sock');
      const { process, port } = await SnmpdMaster.launch(folder, socket, v3);
      return new SnmpdMaster(folder, process, port, socket, v3);
    } catch (error) {
      await folder.remove();
      throw error;
    }
  }

  private static launch(folder: ScratchFolder, socket: string, v3: V3Credentials, fixedPort?: number): Promise<{ process: BackgroundProcess; port: number }> {
    const conf = join(folder.path, 'snmpd.conf');
    const log = join(folder.path, 'snmpd.log');
    const argvFor = (port: number): string[] => {
      const text = [`agentAddress udp:127.0.0.1:${fixedPort ?? port}`, 'master agentx', `agentXSocket unix:${socket}`, 'rocommunity public 127.0.0.1', `createUser ${v3.user} SHA "${v3.auth}" AES "${v3.priv}"`, `rouser ${v3.user} priv`, 'dontLogTCPWrappersConnects yes', ''].join('\n');
      writeFileSync(conf, text, { mode: 0o600 });
      return ['snmpd', '-f', '-C', '-c', conf, '-I', '-smux', '-Lf', log, '-p', join(folder.path, 'snmpd.pid')];
    };
    if (fixedPort === undefined) return startListening('snmpd (AgentX master)', folder, argvFor, log);
    return (async () => {
      const process = await BackgroundProcess.start({ name: 'snmpd (AgentX master)', argv: argvFor(fixedPort), env: quiet(folder.path) });
      if (!(await waitForOwnUdpListener(fixedPort, process.pid, () => process.running))) throw new Error(`snmpd did not listen again on 127.0.0.1:${fixedPort}: ${process.stderrTail()}`);
      return { process, port: fixedPort };
    })();
  }

  /** Stops snmpd (SIGTERM, by PID) and starts it again on the same port and socket. */
  async restart(): Promise<void> {
    await this.process.stop('SIGTERM', 3000);
    this.process = (await SnmpdMaster.launch(this.folder, this.agentxSocket, this.v3, this.port)).process;
  }

  async log(): Promise<string> {
    return readFile(join(this.folder.path, 'snmpd.log'), 'utf8').catch(() => '');
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM', 2000);
    await this.folder.remove();
  }
}

/** One notification as snmptrapd logged it. */
export interface ReceivedTrap {
  /** "TRAP2, SNMP v2c, community public", "INFORM, SNMP v3, user informuser, context ". */
  readonly security: string;
  /** snmpTrapOID's value, numeric with a leading dot. */
  readonly trapOid: string;
  /** Every variable: OID (numeric, leading dot) to its printed value. */
  readonly values: ReadonlyMap<string, string>;
}

/** snmptrapd accepting v2c (community public), v3 traps from the given engine IDs, and v3 informs. */
export class TrapReceiver {
  private constructor(
    private readonly folder: ScratchFolder,
    private readonly process: BackgroundProcess,
    readonly port: number,
  ) {}

  static async start(options: { readonly trapUser: V3Credentials; readonly informUser: V3Credentials; readonly senderEngineIds: readonly string[] }): Promise<TrapReceiver> {
    const folder = await scratchFolder('snmptrapd');
    try {
      await mkdir(join(folder.path, 'persist'));
      const conf = join(folder.path, 'snmptrapd.conf');
      const log = join(folder.path, 'traps.log');
      const { trapUser: t, informUser: i } = options;
      await writeFile(
        conf,
        [
          'authCommunity log public',
          // v3 traps are authenticated with the sender's engine ID; informs with snmptrapd's own.
          ...options.senderEngineIds.map((id) => `createUser -e 0x${id} ${t.user} SHA "${t.auth}" AES "${t.priv}"`),
          `createUser ${i.user} SHA "${i.auth}" AES "${i.priv}"`,
          `authUser log ${t.user} priv`,
          `authUser log ${i.user} priv`,
          'format2 TRAP\\t%P\\t%v\\n',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      const { process, port } = await startListening('snmptrapd', folder, (p) => ['snmptrapd', '-f', '-On', '-C', '-c', conf, '-Lf', log, '-p', join(folder.path, 'snmptrapd.pid'), `udp:127.0.0.1:${p}`], log);
      return new TrapReceiver(folder, process, port);
    } catch (error) {
      await folder.remove();
      throw error;
    }
  }

  /** Everything received so far, in order. */
  async received(): Promise<ReceivedTrap[]> {
    const text = await readFile(join(this.folder.path, 'traps.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line.startsWith('TRAP\t'))
      .map((line) => {
        const [, security = '', ...varbinds] = line.split('\t');
        const values = new Map(varbinds.map((v) => [v.slice(0, v.indexOf(' = ')), v.slice(v.indexOf(' = ') + 3)]));
        return { security, trapOid: (values.get('.1.3.6.1.6.3.1.1.4.1.0') ?? '').replace(/^OID: /, ''), values };
      });
  }

  /** Waits for a notification matching `predicate`, and returns every match. */
  waitFor(what: string, predicate: (trap: ReceivedTrap) => boolean, timeoutMs = 30_000, atLeast = 1): Promise<ReceivedTrap[]> {
    let last: ReceivedTrap[] = [];
    return eventually(
      async () => {
        last = await this.received();
        const matching = last.filter(predicate);
        return matching.length >= atLeast ? matching : undefined;
      },
      { what, timeoutMs, intervalMs: 200, describe: () => last.map((t) => `${t.security} ${t.trapOid} ${[...t.values].filter(([oid]) => oid.startsWith('.1.3.6.1.3')).map(([oid, v]) => `${oid}=${v}`).join(' ')}`).join('\n') },
    );
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM', 2000);
    await this.folder.remove();
  }
}

/** A walk as OID → printed value (`snmpwalk -On -Oe`); throws with snmpwalk's own words on failure. */
export function snmpwalk(port: number, root: string, auth: { readonly community: string } | V3Credentials): Map<string, string> {
  const credentials = 'community' in auth ? ['-v2c', '-c', auth.community] : ['-v3', '-l', 'authPriv', '-u', auth.user, '-a', 'SHA', '-A', auth.auth, '-x', 'AES', '-X', auth.priv];
  const result = spawnSync('snmpwalk', [...credentials, '-On', '-Oe', '-t', '2', '-r', '1', `127.0.0.1:${port}`, root], { encoding: 'utf8', env: { ...process.env, MIBS: '' } });
  if (result.status !== 0) throw new Error(`snmpwalk ${root} on 127.0.0.1:${port} failed: ${result.stderr.trim()} ${result.stdout.trim().slice(-300)}`);
  const rows = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const at = line.indexOf(' = ');
    if (at < 0) continue;
    const value = line.slice(at + 3);
    // An empty registered table ends a walk with this line; it is no object.
    if (value.startsWith('No Such Object') || value.startsWith('No more variables')) continue;
    rows.set(line.slice(0, at), value);
  }
  return rows;
}
