/**
 * SnmpPduSimulator: one simulated SNMP power switch (or switch port table) for tests: a real
 * `snmpd` on a loopback or namespace address whose PDU objects come from pdu-pass-persist.js
 * (the project's pass_persist program, run by the built dist/ code) with an outlet table per
 * device model. SNMP v1 and v2c communities (read-only and read-write) and one SNMPv3 user (SHA +
 * AES, authPriv) are configured. An outlet's power-off can call back into the test: `onOutletOff`
 * runs (with the outlet number as its argument) before snmpd answers the set, and
 * `onOutletChange` is a callback in the test process.
 *
 * snmpd runs with `-C -c FILE` (only our configuration), `-m ''` (no MIB files), `-I -smux,...`
 * (no SMUX listener on tcp/199, and for the IF-MIB model none of the host's own interface
 * tables), SNMP_PERSISTENT_DIR in the scratch folder, and sysObjectID set per model, because
 * fence_apc_snmp and fence_eaton_snmp pick their OIDs by it.
 *
 * Cleanup as IpmiSimulator: snmpd under setpriv --pdeathsig, stopped by PID (its pass_persist
 * child reads EOF and exits), the scratch folder removed by stop() or at exit.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackgroundProcess } from './background-process.js';
import type { OutletState, PduTableKind } from './pdu-outlet-table.js';
import { readEventLog, scratchFolder, unusedUdpPort, waitForOwnUdpListener, watchEventLog, writeHookScript, type ScratchFolder, type SimulatorEvent } from './simulator-support.js';

/** The device models the simulator can be (the names of hw-profiles/devices/*.yaml). */
export type SimulatedPduModel = 'apc-rpdu' | 'apc-masterswitch' | 'apc-masterswitch-plus' | 'eaton-managed-epdu' | 'eaton-switched-epdu' | 'ifmib-switch-port';

interface ModelWiring {
  readonly table: PduTableKind;
  readonly sysObjectId: string;
  readonly root: string;
  readonly description: string;
}

export const SIMULATED_PDU_MODELS: Readonly<Record<SimulatedPduModel, ModelWiring>> = {
  'apc-rpdu': { table: 'apc', sysObjectId: '.1.3.6.1.4.1.318.1.3.4.5', root: '.1.3.6.1.4.1.318', description: 'APC Switched Rack PDU (simulated)' },
  // Any sysObjectID fence_apc_snmp does not know makes it use the MasterSwitch (sPDU) tables.
  'apc-masterswitch': { table: 'apc', sysObjectId: '.1.3.6.1.4.1.318.1.3.4.99', root: '.1.3.6.1.4.1.318', description: 'APC MasterSwitch (simulated)' },
  'apc-masterswitch-plus': { table: 'apc', sysObjectId: '.1.3.6.1.4.1.318.1.3.4.4', root: '.1.3.6.1.4.1.318', description: 'APC MasterSwitch plus (simulated)' },
  'eaton-managed-epdu': { table: 'eaton-managed', sysObjectId: '.1.3.6.1.4.1.534.6.6.6', root: '.1.3.6.1.4.1.534', description: 'Eaton managed ePDU (simulated)' },
  'eaton-switched-epdu': { table: 'eaton-switched', sysObjectId: '.1.3.6.1.4.1.20677.2', root: '.1.3.6.1.4.1.20677', description: 'Eaton switched ePDU (simulated)' },
  'ifmib-switch-port': { table: 'ifmib', sysObjectId: '.1.3.6.1.4.1.8072.3.2.10', root: '.1.3.6.1.2.1.2.2', description: 'Ethernet switch ports (simulated)' },
};

export interface SnmpV3User {
  readonly username: string;
  /** SHA passphrase, at least 8 characters. */
  readonly authPassword: string;
  /** AES passphrase, at least 8 characters. */
  readonly privPassword: string;
}

export interface SnmpPduSimulatorOptions {
  readonly name: string;
  readonly model: SimulatedPduModel;
  /** How many outlets (ports); default 8. */
  readonly outlets?: number;
  readonly address?: string;
  readonly port?: number;
  readonly namespace?: string;
  /** v1/v2c communities; defaults public (read-only) and private (read-write), as fence_apc_snmp expects. */
  readonly readOnlyCommunity?: string;
  readonly readWriteCommunity?: string;
  readonly v3User?: SnmpV3User;
  /** Run when an outlet goes off (argv; the outlet number is appended). */
  readonly onOutletOff?: readonly string[];
  readonly onOutletOn?: readonly string[];
  /** Called in the test process for every outlet power change (polled from the event log). */
  readonly onOutletChange?: (outlet: number, power: 'on' | 'off', event: SimulatorEvent) => void;
  /** The built pass_persist program; default dist/testbed/pdu-pass-persist.js of this checkout. */
  readonly passPersistScript?: string;
}

/** dist/testbed/pdu-pass-persist.js, whether this module runs from dist/ or (under vitest) from src/. */
export function defaultPassPersistScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(here, '..', 'pdu-pass-persist.js');
  return fileURLToPath(new URL('../../dist/testbed/pdu-pass-persist.js', import.meta.url));
}

export class SnmpPduSimulator {
  private constructor(
    readonly name: string,
    readonly model: SimulatedPduModel,
    readonly address: string,
    readonly port: number,
    private readonly folder: ScratchFolder,
    private readonly process: BackgroundProcess,
    private readonly watcher: { stop(): void } | undefined,
  ) {}

  static async start(options: SnmpPduSimulatorOptions): Promise<SnmpPduSimulator> {
    const script = options.passPersistScript ?? defaultPassPersistScript();
    if (!existsSync(script)) throw new Error(`the PDU simulator's pass_persist program ${script} does not exist: run \`npm run build\` first (npm test does)`);
    const wiring = SIMULATED_PDU_MODELS[options.model];
    const folder = await scratchFolder(options.name.replace(/[^a-z0-9-]/gi, ''));
    try {
      const address = options.address ?? '127.0.0.1';
      const state = join(folder.path, 'state');
      await mkdir(state);
      await mkdir(join(folder.path, 'persist'));
      await writeFile(join(state, 'events.log'), '');
      if (options.onOutletOff !== undefined) await writeHookScript(join(state, 'on-outlet-off'), options.onOutletOff);
      if (options.onOutletOn !== undefined) await writeHookScript(join(state, 'on-outlet-on'), options.onOutletOn);
      const excluded = wiring.table === 'ifmib' ? 'smux,ifTable,ifXTable,interfaces' : 'smux';
      for (let attempt = 0; ; attempt++) {
        const port = options.port ?? (await unusedUdpPort(options.namespace));
        const conf = snmpdConf({ address, port, wiring, script, state, outlets: options.outlets ?? 8, ro: options.readOnlyCommunity ?? 'public', rw: options.readWriteCommunity ?? 'private', ...(options.v3User === undefined ? {} : { v3: options.v3User }) });
        await writeFile(join(folder.path, 'snmpd.conf'), conf, { mode: 0o600 });
        const process = await BackgroundProcess.start({
          name: `snmpd ${options.name}`,
          argv: ['snmpd', '-f', '-C', '-c', join(folder.path, 'snmpd.conf'), '-m', '', '-I', `-${excluded}`, '-Lf', join(folder.path, 'snmpd.log')],
          env: { ...globalThis.process.env, SNMP_PERSISTENT_DIR: join(folder.path, 'persist') },
          ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
        });
        if (await waitForOwnUdpListener(port, process.pid, () => process.running, options.namespace)) {
          const onChange = options.onOutletChange;
          const watcher = onChange === undefined ? undefined : watchEventLog(join(state, 'events.log'), (event) => {
            // "outlet N on|off (why)"
            if (event.words[0] === 'outlet' && !event.line.endsWith('unchanged')) onChange(Number(event.words[1]), event.words[2] === 'off' ? 'off' : 'on', event);
          });
          return new SnmpPduSimulator(options.name, options.model, address, port, folder, process, watcher);
        }
        const log = await readFile(join(folder.path, 'snmpd.log'), 'utf8').catch(() => '');
        const why = process.running ? `another process holds udp/${port}` : `snmpd exited (${process.describeStatus()}): ${log.slice(-1500)}`;
        await process.stop('SIGKILL');
        if (options.port !== undefined || attempt >= 2) throw new Error(`snmpd ${options.name} did not listen on ${address}:${port}: ${why}`);
      }
    } catch (error) {
      await folder.remove();
      throw error;
    }
  }

  /** The outlets as the simulated device holds them now. */
  async outlets(): Promise<Record<string, OutletState>> {
    try {
      return JSON.parse(await readFile(join(this.folder.path, 'state', 'outlets.json'), 'utf8')) as Record<string, OutletState>;
    } catch {
      return {};
    }
  }

  /** Outlet `outlet`'s power, or undefined before the first SNMP request created the table. */
  async outletPower(outlet: number): Promise<'on' | 'off' | undefined> {
    const state = (await this.outlets())[String(outlet)];
    return state === undefined ? undefined : state.on ? 'on' : 'off';
  }

  /** Replaces the outlet table (names, power) behind the device's back. No hooks run. */
  async setOutlets(outlets: Readonly<Record<string, OutletState>>): Promise<void> {
    await writeFile(join(this.folder.path, 'state', 'outlets.json'), JSON.stringify(outlets, null, 1));
  }

  /** Outlet changes so far ("outlet 1 off (set)"), oldest first. */
  events(): Promise<SimulatorEvent[]> {
    return readEventLog(join(this.folder.path, 'state', 'events.log'));
  }

  get pid(): number {
    return this.process.pid;
  }

  /** Signals snmpd (SIGSTOP: the PDU stops answering; SIGCONT: it answers again). */
  signal(signal: NodeJS.Signals): boolean {
    return this.process.signal(signal);
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    await this.process.stop('SIGTERM', 2000);
    await this.folder.remove();
  }
}

function snmpdConf(o: { address: string; port: number; wiring: ModelWiring; script: string; state: string; outlets: number; ro: string; rw: string; v3?: SnmpV3User }): string {
  return [
    `agentAddress udp:${o.address}:${o.port}`,
    `sysObjectID ${o.wiring.sysObjectId}`,
    `sysDescr ${o.wiring.description}`,
    'sysName heartline-pdu-simulator',
    'sysLocation test',
    'sysContact nobody',
    `rocommunity ${o.ro} default`,
    `rwcommunity ${o.rw} default`,
    ...(o.v3 === undefined ? [] : [`createUser ${o.v3.username} SHA "${o.v3.authPassword}" AES "${o.v3.privPassword}"`, `rwuser ${o.v3.username} priv`]),
    // -p 1: our table wins over any of snmpd's own registrations under the same root (IF-MIB).
    `pass_persist -p 1 ${o.wiring.root} ${process.execPath} ${o.script} ${o.state} ${o.wiring.table} ${o.outlets}`,
    'dontLogTCPWrappersConnects yes',
    '',
  ].join('\n');
}
