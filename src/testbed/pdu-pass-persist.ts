/**
 * The pass_persist program of a simulated PDU: snmpd starts it once and talks to it over
 * stdin/stdout (PING/PONG; get, getnext, set with the OID, and for set the "type value" line).
 *
 *     pass_persist ROOT-OID /usr/bin/node dist/testbed/pdu-pass-persist.js STATE-DIR KIND OUTLETS
 *
 * State: STATE-DIR/outlets.json, read before every request (a test may edit it) and rewritten
 * after every change (temporary file + rename). Every power change is appended to
 * STATE-DIR/events.log as "<epoch ms> outlet N off|on (why)". Hooks: an executable
 * STATE-DIR/on-outlet-off (on-outlet-on) runs with the outlet number after the state is written
 * (with STATE_DIR in its environment) and before snmpd is answered, so by the time the fence agent's next status poll arrives, the
 * node on that outlet is already dead. A reboot command powers off now and on again after
 * STATE-DIR/reboot-delay seconds (default 3).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, appendFileSync, constants, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { initialOutlets, lookup, setEffect, type OutletState, type PduTableKind } from './pdu-outlet-table.js';

const [stateDir = '.', kindArgument = 'apc', countArgument = '8'] = process.argv.slice(2);
const kind = kindArgument as PduTableKind;
const stateFile = join(stateDir, 'outlets.json');

function load(): Record<string, OutletState> {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, OutletState>;
  } catch {
    const fresh = initialOutlets(kind, Number(countArgument));
    save(fresh);
    return fresh;
  }
}

function save(outlets: Record<string, OutletState>): void {
  writeFileSync(`${stateFile}.tmp`, JSON.stringify(outlets, null, 1));
  renameSync(`${stateFile}.tmp`, stateFile);
}

function hook(name: string, outlet: number): void {
  const path = join(stateDir, name);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return;
  }
  const result = spawnSync(path, [String(outlet)], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10_000, env: { ...process.env, STATE_DIR: stateDir } });
  appendFileSync(join(stateDir, 'hooks.log'), `${name} ${outlet}: exit ${String(result.status)} ${result.stdout}${result.stderr}\n`);
}

function setPower(outlet: number, on: boolean, why: string): boolean {
  const outlets = load();
  const current = outlets[String(outlet)];
  if (current === undefined) return false;
  outlets[String(outlet)] = { name: current.name, on };
  save(outlets);
  appendFileSync(join(stateDir, 'events.log'), `${Date.now()} outlet ${outlet} ${on ? 'on' : 'off'} (${why})${current.on === on ? ' unchanged' : ''}\n`);
  if (current.on !== on) hook(on ? 'on-outlet-on' : 'on-outlet-off', outlet);
  return true;
}

function rebootDelayMs(): number {
  try {
    const seconds = Number(readFileSync(join(stateDir, 'reboot-delay'), 'utf8').trim());
    return Number.isFinite(seconds) ? seconds * 1000 : 3000;
  } catch {
    return 3000;
  }
}

function reply(...lines: string[]): void {
  process.stdout.write(lines.map((line) => `${line}\n`).join(''));
}

const lines = createInterface({ input: process.stdin });
const pending: string[] = [];
let waiting: ((line: string | undefined) => void) | undefined;
let closed = false;
lines.on('line', (line) => {
  if (waiting !== undefined) {
    const resolve = waiting;
    waiting = undefined;
    resolve(line);
  } else pending.push(line);
});
lines.on('close', () => {
  closed = true;
  waiting?.(undefined);
});

function nextLine(): Promise<string | undefined> {
  const line = pending.shift();
  if (line !== undefined) return Promise.resolve(line);
  if (closed) return Promise.resolve(undefined);
  return new Promise((resolve) => (waiting = resolve));
}

async function main(): Promise<void> {
  load();
  for (;;) {
    const command = await nextLine();
    if (command === undefined) return;
    const word = command.trim().toLowerCase();
    if (word === 'ping') {
      reply('PONG');
    } else if (word === 'get' || word === 'getnext') {
      const oid = (await nextLine()) ?? '';
      const found = lookup(kind, load(), oid, word === 'getnext');
      if (found === undefined) reply('NONE');
      else reply(found.oid, found.type, found.value);
    } else if (word === 'set') {
      const oid = (await nextLine()) ?? '';
      const typeValue = ((await nextLine()) ?? '').trim();
      const space = typeValue.indexOf(' ');
      const effect = setEffect(kind, load(), oid, space < 0 ? typeValue : typeValue.slice(0, space), space < 0 ? '' : typeValue.slice(space + 1));
      switch (effect.kind) {
        case 'error':
          reply(effect.answer);
          break;
        case 'power':
          reply(setPower(effect.outlet, effect.on, 'set') ? 'DONE' : 'inconsistent-value');
          break;
        case 'rename': {
          const outlets = load();
          const current = outlets[String(effect.outlet)];
          if (current !== undefined) outlets[String(effect.outlet)] = { ...current, name: effect.name };
          save(outlets);
          reply('DONE');
          break;
        }
        case 'reboot': {
          setPower(effect.outlet, false, 'reboot');
          const outlets = load();
          const current = outlets[String(effect.outlet)];
          if (current !== undefined) outlets[String(effect.outlet)] = { ...current, pending: true };
          save(outlets);
          setTimeout(() => setPower(effect.outlet, true, 'reboot-on'), rebootDelayMs());
          reply('DONE');
          break;
        }
      }
    } else if (word !== '') {
      reply('NONE');
    }
  }
}

void main();
