// Goal: a node that is not configured yet (no heartline.yaml, or the package's template) makes
// `heartline daemon` exit with its own status, 6, which heartline.service does not restart, and
// say what to do; a configured or a broken file does not. Method: the real template
// (packaging/deb/heartline.yaml) and the real unit file, through the parser, the rule and the
// CLI run in-process (the daemon stops before it opens anything).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/output.js';
import { loadConfigFile } from '../../../src/config/index.js';
import { NOT_CONFIGURED_EXIT_CODE, notConfiguredReason } from '../../../src/daemon/index.js';
import { cli } from '../cli/run-cli-in-process.js';

const TEMPLATE = new URL('../../../packaging/deb/heartline.yaml', import.meta.url).pathname;
const EXAMPLE = new URL('../../../docs/examples/heartline.yaml', import.meta.url).pathname;
const UNIT = new URL('../../../systemd/heartline.service', import.meta.url).pathname;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heartline-not-configured-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('notConfiguredReason', () => {
  it('names the packaged template as not configured', async () => {
    const loaded = await loadConfigFile(TEMPLATE);
    expect(loaded.ok).toBe(true);
    expect(notConfiguredReason(TEMPLATE, loaded)).toMatch(/not configured: .*heartline\.yaml is still the package's template/);
  });

  it('names a missing file as not configured', async () => {
    const missing = join(dir, 'heartline.yaml');
    expect(notConfiguredReason(missing, await loadConfigFile(missing))).toBe(`this node is not configured: ${missing} does not exist`);
  });

  it('leaves a configured file and a broken one alone (they have their own messages)', async () => {
    expect(notConfiguredReason(EXAMPLE, await loadConfigFile(EXAMPLE))).toBeUndefined();
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'cluster: { name: unconfigured, id: 0 }\n');
    expect(notConfiguredReason(broken, await loadConfigFile(broken))).toBeUndefined();
  });
});

describe('heartline daemon on a node that is not configured', () => {
  const daemon = (config: string) => cli('daemon', '--config', config, '--node', 'node1', '--state-dir', join(dir, 'state'), '--socket', join(dir, 'heartline.sock'), '--realtime-priority', '0');

  it('exits 6 on the template, naming the file and the two ways to configure the node', async () => {
    const { code, err } = await daemon(TEMPLATE);
    expect(code).toBe(NOT_CONFIGURED_EXIT_CODE);
    expect(err).toContain(`heartline: error: this node is not configured: ${TEMPLATE} is still the package's template`);
    expect(err).toMatch(/hint: .*heartline console.*heartline profile apply/);
  });

  it('exits 6 without a configuration file', async () => {
    const { code, err } = await daemon(join(dir, 'nothing.yaml'));
    expect(code).toBe(NOT_CONFIGURED_EXIT_CODE);
    expect(err).toContain('not configured');
  });

  it('keeps exit status 2 for a broken file', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'cluster: { name: c1, id: 0 }\n');
    expect((await daemon(broken)).code).toBe(ExitCode.usage);
  });

  it('is the status the CLI exits with, and one heartline.service does not restart', async () => {
    expect(ExitCode.notConfigured).toBe(NOT_CONFIGURED_EXIT_CODE);
    const prevented = (await readFile(UNIT, 'utf8')).split('\n').find((line) => line.startsWith('RestartPreventExitStatus='));
    expect(prevented?.slice('RestartPreventExitStatus='.length).split(/\s+/)).toContain(String(NOT_CONFIGURED_EXIT_CODE));
  });
});
