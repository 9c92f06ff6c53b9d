// Goal: ocf:heartline:iSCSISession's login, session, LUN-wait and logout paths, which this
// machine's kernel cannot run for real (no iSCSI initiator): start (discovery, node.startup=manual,
// CHAP, login, waiting for the LUN's by-path link), monitor, stop, idempotency, and every bounded
// wait. Method: the production AgentClassRunner runs the real agent with a fake `iscsiadm`
// (test/fixtures/iscsi/iscsiadm, replaying open-iscsi 2.1.8's outputs and exit codes) first on the
// agent's PATH, and a temporary directory as by_path_dir; each test gets a fresh copy of the fake
// and its state. The real discovery against tgt is iscsi-tgt.test.ts.
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentClassRunner } from '../../../src/ha/agents/index.js';
import { ChildProcessRunner, OcfRc, type AgentAction, type ResourceDefinition } from '../../../src/ha/lrm/index.js';
import type { Millis } from '../../../src/lib/index.js';
import { SystemClock } from '../../../src/platform/index.js';

const ms = (n: number): Millis => n as Millis;
const FAKE = fileURLToPath(new URL('../../fixtures/iscsi/iscsiadm', import.meta.url));
// TEST-NET-1 (RFC 5737): no fake call can reach anything even if the real iscsiadm ran.
const PORTAL = '192.0.2.10';
const TARGET = 'iqn.2001-05.com.doe:test';
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** One test's fake iscsiadm, its state and by-path directory, and a runner whose PATH finds the fake first. */
interface Fixture {
  readonly dir: string;
  readonly state: string;
  readonly byPath: string;
  readonly agents: AgentClassRunner;
  readonly link: (lun?: number) => string;
  readonly resource: (params?: Record<string, string>) => ResourceDefinition;
  readonly run: (r: ResourceDefinition, action: AgentAction, options?: { readonly intervalMs?: number; readonly timeoutMs?: number }) => ReturnType<AgentClassRunner['run']>;
  readonly calls: () => Promise<string[]>;
  readonly setState: (name: string, content: string) => Promise<void>;
}

describe('ocf:heartline:iSCSISession against a replayed iscsiadm', () => {
  const clock = new SystemClock();
  const fixtures: Fixture[] = [];

  // Each test has its own copy, so the tests run concurrently (most of their time is the agent's waits).
  const fixture = async (): Promise<Fixture> => {
    const dir = await mkdtemp(join(tmpdir(), 'heartline-iscsi-fixture-'));
    const bin = join(dir, 'bin');
    const state = join(bin, 'state');
    const byPath = join(dir, 'by-path');
    await mkdir(state, { recursive: true });
    await mkdir(byPath);
    await copyFile(FAKE, join(bin, 'iscsiadm'));
    await chmod(join(bin, 'iscsiadm'), 0o755);
    const setState = (name: string, content: string): Promise<void> => writeFile(join(state, name), content);
    // What `iscsiadm -m discovery -t sendtargets` printed here against tgt, with this test's names.
    await setState('targets', `${PORTAL}:3260,1 ${TARGET}\n${PORTAL}:3260,1 iqn.2001-05.com.doe:other\n`);
    await setState('luns', '0\n1\n');
    await setState('by-path', byPath);
    const agents = new AgentClassRunner({ processes: new ChildProcessRunner({ clock }), clock, directories: { rscTmpDirectory: dir, path: `${bin}:${SYSTEM_PATH}` }, nodeName: 'storage-node-a' });
    const f: Fixture = {
      dir,
      state,
      byPath,
      agents,
      link: (lun = 1) => join(byPath, `ip-${PORTAL}:3260-iscsi-${TARGET}-lun-${String(lun)}`),
      resource: (params = {}) => ({
        id: 'lun',
        agent: { standard: 'ocf', provider: 'heartline', type: 'iSCSISession' },
        params: { portal: PORTAL, target: TARGET, lun: '1', by_path_dir: byPath, lun_timeout: '5', discovery_timeout: '5', ...params },
      }),
      run: (r, action, options = {}) => agents.run({ resource: r, action, intervalMs: ms(options.intervalMs ?? 0), timeoutMs: ms(options.timeoutMs ?? 30_000) }),
      calls: async () => (await readFile(join(state, 'calls'), 'utf8').catch(() => '')).split('\n').filter((line) => line !== ''),
      setState,
    };
    fixtures.push(f);
    return f;
  };

  afterAll(async () => {
    for (const f of fixtures) await rm(f.dir, { recursive: true, force: true });
  });

  it.concurrent('meta-data marks portal and target required and offers sendtargets discovery', async () => {
    const { agents } = await fixture();
    const metadata = await agents.metadata({ standard: 'ocf', provider: 'heartline', type: 'iSCSISession' });
    expect(metadata.ok).toBe(true);
    if (!metadata.ok) return;
    expect(metadata.value.parameters.filter((p) => p.required).map((p) => p.name)).toEqual(['portal', 'target']);
    expect(metadata.value.parameters.find((p) => p.name === 'discovery_type')?.options).toEqual(['sendtargets']);
    expect(metadata.value.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['lun', 'lun_timeout', 'chap_user', 'chap_secret_file', 'by_path_dir']));
  });

  it.concurrent('starts: discovery, node.startup=manual, login, waits for the LUN; monitor; start again does not log in twice; stop; stop again', async () => {
    const { link, resource, run, calls, setState } = await fixture();
    await setState('udev.delay', '1');
    const started = await run(resource(), 'start');
    expect(started.rc, started.exitReason).toBe(OcfRc.SUCCESS);
    expect(started.stderr).toContain(`portal ${PORTAL}:3260 offers ${TARGET}`);
    expect(existsSync(link(1))).toBe(true);
    expect(await calls()).toEqual([
      '-m session',
      `-m discovery -t sendtargets -p ${PORTAL}:3260`,
      `-m node -T ${TARGET} -p ${PORTAL}:3260 -o update -n node.startup -v manual`,
      `-m node -T ${TARGET} -p ${PORTAL}:3260 --login`,
    ]);
    expect((await run(resource(), 'monitor', { intervalMs: 20_000 })).rc).toBe(OcfRc.SUCCESS);
    const again = await run(resource(), 'start');
    expect(again.rc).toBe(OcfRc.SUCCESS);
    expect((await calls()).filter((call) => call.includes('--login'))).toHaveLength(1);
    const stopped = await run(resource(), 'stop');
    expect(stopped.rc, stopped.exitReason).toBe(OcfRc.SUCCESS);
    expect(existsSync(link(1))).toBe(false);
    expect((await run(resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
    expect((await calls()).filter((call) => call.includes('--logout'))).toHaveLength(1);
    const after = await run(resource(), 'monitor', { intervalMs: 20_000 });
    expect(after.rc).toBe(OcfRc.NOT_RUNNING);
    expect(after.exitReason).toContain(`no iSCSI session to ${TARGET} at ${PORTAL}:3260`);
    expect((await run(resource(), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
  });

  it.concurrent('a session to another target at the same portal is not this resource', async () => {
    const { resource, run, calls, setState } = await fixture();
    await setState('sessions', `tcp: [1] ${PORTAL}:3260,1 iqn.2001-05.com.doe:other (non-flash)\n`);
    expect((await run(resource(), 'monitor')).rc).toBe(OcfRc.NOT_RUNNING);
    expect((await run(resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
    expect((await calls()).some((call) => call.includes('--logout'))).toBe(false);
  });

  it.concurrent('monitor fails when the session is up but the LUN device is gone', async () => {
    const { link, resource, run } = await fixture();
    expect((await run(resource(), 'start')).rc).toBe(OcfRc.SUCCESS);
    await rm(link(1));
    const result = await run(resource(), 'monitor', { intervalMs: 20_000 });
    expect(result.rc).toBe(OcfRc.ERR_GENERIC);
    expect(result.exitReason).toContain(`LUN 1 (${link(1)}) is missing`);
  });

  it.concurrent('a LUN that never appears fails the start after lun_timeout, naming the link', async () => {
    const { link, resource, run, calls, setState } = await fixture();
    await setState('udev.off', '');
    const result = await run(resource({ lun_timeout: '1' }), 'start');
    expect(result.rc).toBe(OcfRc.ERR_GENERIC);
    expect(result.exitReason).toBe(`logged in to ${TARGET}, but LUN 1 did not appear as ${link(1)} within 1s`);
    // The session exists: the cluster's stop after a failed start logs out.
    expect((await run(resource(), 'stop')).rc).toBe(OcfRc.SUCCESS);
    expect((await calls()).filter((call) => call.includes('--logout'))).toHaveLength(1);
  });

  it.concurrent('a target the portal does not offer fails with portal and target named', async () => {
    const { resource, run, calls } = await fixture();
    const result = await run(resource({ target: 'iqn.2001-05.com.doe:typo' }), 'start');
    expect(result.rc).toBe(OcfRc.ERR_GENERIC);
    expect(result.exitReason).toContain(`target iqn.2001-05.com.doe:typo is not offered by portal ${PORTAL}:3260`);
    expect(result.exitReason).toContain(`it offers: ${TARGET} iqn.2001-05.com.doe:other`);
    expect((await calls()).some((call) => call.includes('--login'))).toBe(false);
  });

  it.concurrent('a discovery or a login that hangs is cut at discovery_timeout, with a clear reason', async () => {
    const { state, resource, run, setState } = await fixture();
    await setState('HANG.discovery', '');
    const discovery = await run(resource({ discovery_timeout: '1' }), 'start', { timeoutMs: 20_000 });
    expect(discovery.status).toBe('done');
    expect(discovery.rc).toBe(OcfRc.ERR_GENERIC);
    expect(discovery.exitReason).toContain(`portal ${PORTAL}:3260 did not answer the discovery of ${TARGET} within 1s`);
    await rm(join(state, 'HANG.discovery'));
    await setState('HANG.login', '');
    const login = await run(resource({ discovery_timeout: '1' }), 'start', { timeoutMs: 20_000 });
    expect(login.status).toBe('done');
    expect(login.rc).toBe(OcfRc.ERR_GENERIC);
    expect(login.exitReason).toBe(`login to ${TARGET} at ${PORTAL}:3260 did not finish within 1s`);
  });

  it.concurrent('a refused login (CHAP) says authorization failed; CHAP parameters are written into the node record', async () => {
    const { dir, resource, run, calls, setState } = await fixture();
    const secret = join(dir, 'chap-secret');
    await writeFile(secret, 's3cret-from-file\n', { mode: 0o600 });
    await setState('FAIL.login', '24\niscsiadm: Could not login to [iface: default, target: iqn.2001-05.com.doe:test, portal: 192.0.2.10,3260].\niscsiadm: initiator reported error (24 - iSCSI login failed due to authorization failure)\niscsiadm: Could not log into all portals\n');
    const result = await run(resource({ chap_user: 'heartline', chap_secret_file: secret }), 'start');
    expect(result.rc).toBe(OcfRc.ERR_GENERIC);
    expect(result.exitReason).toContain('authorization failed (check chap_user, chap_secret_file');
    const updates = (await calls()).filter((call) => call.includes('-o update'));
    expect(updates.map((call) => call.replace(/^.* -n /, ''))).toEqual([
      'node.startup -v manual',
      'node.session.auth.authmethod -v CHAP',
      'node.session.auth.username -v heartline',
      'node.session.auth.password -v s3cret-from-file',
    ]);
  });

  it.concurrent('a failing logout fails the stop with iscsiadm\'s reason', async () => {
    const { resource, run, setState } = await fixture();
    expect((await run(resource(), 'start')).rc).toBe(OcfRc.SUCCESS);
    await setState('FAIL.logout', `10\niscsiadm: Could not logout of [sid: 1, target: ${TARGET}, portal: ${PORTAL},3260].\niscsiadm: initiator reported error (10 - iSCSI logout failed)\n`);
    const result = await run(resource(), 'stop');
    expect(result.rc).toBe(OcfRc.ERR_GENERIC);
    expect(result.exitReason).toContain('initiator reported error (10 - iSCSI logout failed)');
  });

  it.concurrent('refuses bad parameters (ERR_CONFIGURED) and a node without iscsiadm (ERR_INSTALLED); stop and probe still answer', async () => {
    const { dir, resource, run } = await fixture();
    for (const [params, reason] of [
      [{ portal: 'storage.example:3260' }, 'portal must be an IPv4 address'],
      [{ portal: '10.0.0.1:99999' }, 'portal must be'],
      [{ target: 'disk1' }, 'is not an iSCSI name'],
      [{ lun: 'one' }, 'whole numbers'],
      [{ chap_user: 'heartline' }, 'chap_user and chap_secret_file go together'],
    ] as const) {
      const result = await run(resource(params), 'start');
      expect(result.rc, JSON.stringify(params)).toBe(OcfRc.ERR_CONFIGURED);
      expect(result.exitReason).toContain(reason);
      expect((await run(resource(params), 'stop')).rc).toBe(OcfRc.SUCCESS);
    }
    // A PATH with the shell tools the agent uses and no iscsiadm (Debian links it into /usr/bin too).
    const tools = join(dir, 'tools');
    await mkdir(tools);
    for (const tool of ['awk', 'cat', 'date', 'grep', 'head', 'readlink', 'sed', 'sleep', 'sort', 'tail', 'timeout', 'tr']) await symlink(`/usr/bin/${tool}`, join(tools, tool));
    const bare = new AgentClassRunner({ processes: new ChildProcessRunner({ clock }), clock, directories: { rscTmpDirectory: dir, path: tools }, nodeName: 'storage-node-a' });
    const run2 = (action: AgentAction) => bare.run({ resource: resource(), action, intervalMs: ms(0), timeoutMs: ms(20_000) });
    const missing = await run2('start');
    expect(missing.rc).toBe(OcfRc.ERR_INSTALLED);
    expect(missing.exitReason).toBe('iscsiadm is not installed (open-iscsi)');
    expect((await run2('monitor')).rc).toBe(OcfRc.NOT_RUNNING);
    expect((await run2('stop')).rc).toBe(OcfRc.SUCCESS);
  });
});
