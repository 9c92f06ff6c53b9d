// Goal: the sequences every power-switch device shares (PowerSwitchDriver): off is verified by
// polling status, "already off" touches nothing, reboot is a verified off and a verified on and
// never a success when the on half fails, cycle is noted as unobserved, retries only for failures
// a retry can fix, the action's time limit, and a throwing switch still gives a value.
// Method: a scripted in-memory switch.
import { describe, expect, it } from 'vitest';
import { PowerSwitchDriver, switchFailure, type PowerState, type PowerSwitch, type SwitchAnswer } from '../../../src/fence/index.js';
import { ok } from '../../../src/lib/index.js';

// The power timeout is long, so that a loaded machine's late timers never turn a good poll into a
// timeout; the one test that needs it to run out sets a short one.
const QUICK = { actionTimeoutMs: 10_000, commandTimeoutMs: 500, powerTimeoutMs: 5000, statusIntervalMs: 5, retries: 1 };

class ScriptedSwitch implements PowerSwitch {
  power: PowerState = 'on';
  readonly calls: string[] = [];
  /** Reads after a set that still show the old state. */
  lag = 0;
  refuseOn = false;
  failReadsWith: SwitchAnswer<never> | undefined;
  hangMs = 0;
  private pendingReads = 0;
  private target: PowerState = 'on';

  async readPower(): Promise<SwitchAnswer<PowerState>> {
    this.calls.push('read');
    if (this.hangMs > 0) await new Promise((resolve) => setTimeout(resolve, this.hangMs));
    if (this.failReadsWith !== undefined) return this.failReadsWith;
    if (this.pendingReads > 0) {
      this.pendingReads -= 1;
      if (this.pendingReads === 0) this.power = this.target;
      return ok(this.power === 'on' && this.pendingReads >= 0 ? this.power : this.power);
    }
    return ok(this.power);
  }
  setPower(_port: string | undefined, state: PowerState): Promise<SwitchAnswer<void>> {
    this.calls.push(`set ${state}`);
    if (state === 'on' && this.refuseOn) return Promise.resolve(ok(undefined));
    this.target = state;
    if (this.lag > 0) this.pendingReads = this.lag;
    else this.power = state;
    return Promise.resolve(ok(undefined));
  }
  cycle(): Promise<SwitchAnswer<void>> {
    this.calls.push('cycle');
    return Promise.resolve(ok(undefined));
  }
  monitor(): Promise<SwitchAnswer<void>> {
    this.calls.push('monitor');
    return Promise.resolve(ok(undefined));
  }
}

const driverOf = (powerSwitch: PowerSwitch, extra: Partial<ConstructorParameters<typeof PowerSwitchDriver>[0]> = {}) => new PowerSwitchDriver({ id: 'dev', kind: 'ipmi', needsPort: false, powerSwitch, timings: QUICK, ...extra });

describe('PowerSwitchDriver', () => {
  it('off: reads, sets, and polls until the status reads off', async () => {
    const sw = new ScriptedSwitch();
    sw.lag = 3;
    expect(await driverOf(sw).run({ action: 'off' })).toMatchObject({ ok: true, power: 'off', attempts: 1 });
    expect(sw.calls).toEqual(['read', 'set off', 'read', 'read', 'read']);
  });

  it('off when already off: success without a set', async () => {
    const sw = new ScriptedSwitch();
    sw.power = 'off';
    expect(await driverOf(sw).run({ action: 'off' })).toMatchObject({ ok: true, power: 'off', note: 'already off' });
    expect(sw.calls).toEqual(['read']);
  });

  it('reboot: off verified by polling, then on verified (no status read before either command)', async () => {
    const sw = new ScriptedSwitch();
    expect(await driverOf(sw).run({ action: 'reboot' })).toMatchObject({ ok: true, action: 'reboot', power: 'on' });
    expect(sw.calls).toEqual(['set off', 'read', 'set on', 'read']);
  });

  it('reboot of a port that is off already: off is commanded anyway and verified, then on', async () => {
    const sw = new ScriptedSwitch();
    sw.power = 'off';
    expect(await driverOf(sw).run({ action: 'reboot' })).toMatchObject({ ok: true, action: 'reboot', power: 'on' });
    expect(sw.calls).toEqual(['set off', 'read', 'set on', 'read']);
  });

  it('reboot whose on half never reads on: reboot-incomplete with poweredOff, never success', async () => {
    const sw = new ScriptedSwitch();
    sw.refuseOn = true;
    const result = await driverOf(sw, { timings: { ...QUICK, powerTimeoutMs: 60 } }).run({ action: 'reboot' });
    expect(result).toMatchObject({ ok: false, code: 'reboot-incomplete', poweredOff: true });
    if (!result.ok) expect(result.reason).toMatch(/^dev: powered off \(verified\) but not back on: the device accepted the on command, but its status did not read on within 60 ms/);
    expect(sw.calls.filter((c) => c === 'set on')).toHaveLength(2);
    // The first on round trusts the off half's read.
    expect(sw.calls.slice(0, 3)).toEqual(['set off', 'read', 'set on']);
  });

  it('reboot by cycle: one cycle command, then on is verified, with a note', async () => {
    const sw = new ScriptedSwitch();
    const result = await driverOf(sw, { rebootMethod: 'cycle' }).run({ action: 'reboot' });
    expect(result).toMatchObject({ ok: true, power: 'on' });
    if (result.ok) expect(result.note).toMatch(/too short to observe/);
    expect(sw.calls).toEqual(['cycle', 'read']);
  });

  it('retries failures a retry can fix, not auth or unknown targets', async () => {
    const flaky = new ScriptedSwitch();
    flaky.failReadsWith = switchFailure('unreachable', 'silent');
    expect(await driverOf(flaky).run({ action: 'status' })).toMatchObject({ ok: false, code: 'unreachable', attempts: 2 });
    const refused = new ScriptedSwitch();
    refused.failReadsWith = switchFailure('auth', 'wrong password');
    expect(await driverOf(refused).run({ action: 'off' })).toMatchObject({ ok: false, code: 'auth', attempts: 1, reason: 'dev: wrong password' });
  });

  it('ends at the action time limit with a timeout that says what it was doing', async () => {
    const sw = new ScriptedSwitch();
    sw.hangMs = 200;
    const result = await driverOf(sw, { timings: { ...QUICK, actionTimeoutMs: 100 } }).run({ action: 'status' });
    expect(result).toMatchObject({ ok: false, code: 'timeout' });
    if (!result.ok) expect(result.reason).toMatch(/^dev: the action did not finish within 100 ms/);
  });

  it('an aborted request ends as a timeout saying so', async () => {
    const sw = new ScriptedSwitch();
    sw.hangMs = 100;
    const controller = new AbortController();
    const running = driverOf(sw).run({ action: 'off', signal: controller.signal });
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ ok: false, code: 'timeout' });
    if (!result.ok) expect(result.reason).toMatch(/the request was aborted/);
  });

  it('refuses what the device cannot do, and a PDU action without a port', async () => {
    const sw = new ScriptedSwitch();
    expect(await driverOf(sw, { rebootSupported: false }).run({ action: 'reboot' })).toMatchObject({ ok: false, code: 'not-supported' });
    expect(await driverOf(sw).run({ action: 'list' })).toMatchObject({ ok: false, code: 'not-supported' });
    expect(await driverOf(sw, { needsPort: true }).run({ action: 'off' })).toMatchObject({ ok: false, code: 'config' });
    expect(sw.calls).toEqual([]);
  });

  it('turns a switch that throws into a device-error value', async () => {
    const broken: PowerSwitch = { readPower: () => Promise.reject(new Error('boom')), setPower: () => Promise.resolve(ok(undefined)), monitor: () => Promise.resolve(ok(undefined)) };
    expect(await driverOf(broken).run({ action: 'status' })).toMatchObject({ ok: false, code: 'device-error', reason: 'dev: internal error: boom' });
  });
});
