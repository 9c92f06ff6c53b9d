// Goal: every console screen fits a VT100: at most 24 rows of at most 80 columns on every page, in
// plain ASCII when colours are off, and the same widths with colours (escapes take no columns).
// Method: render each screen from small and deliberately large data (16 nodes with long names,
// 60 resources, 50 failures, 100 events, long error messages) and lay it out.
import { describe, expect, it } from 'vitest';
import { ANSI_STYLE, layoutScreen, PLAIN_STYLE, plainText, SCREEN_COLUMNS, SCREEN_ROWS, visibleWidth, type Screen, type Style } from '../../../src/console/index.js';
import { daemonDownScreen, messageScreen, planScreen, resultScreen, waitScreen } from '../../../src/console/screens/action-screens.js';
import { cleanupPlan, failureEntries, failureItems, fencePlanLines, managedResources, nodeItems, nodeStandbyPlan, resourceActionPlan, resourceItems } from '../../../src/console/screens/cluster-screens.js';
import { listScreen } from '../../../src/console/screens/list-screen.js';
import { mainMenuScreen } from '../../../src/console/screens/main-menu.js';
import { availabilityScreen, eventsScreen, linksScreen } from '../../../src/console/screens/report-screens.js';
import { keyImportScreen, keyScreen, nodeNameScreen, profileScreen, secretScreen, setupPlan, subnetScreen } from '../../../src/console/screens/setup-screens.js';
import { statusScreen } from '../../../src/console/screens/status-screen.js';
import { span } from '../../../src/cli/commands/availability.js';
import type { ApplianceProfile } from '../../../src/profiles/index.js';
import { bigReport, configuration, events, group, links, node, primitive, report, row } from './console-fixtures.js';

const LONG = 'cannot reach the heartline daemon on /run/heartline/a-very-long-socket-path-that-goes-on-and-on/heartline.sock: permission denied (run as root or as a member of group haclient) and a word-that-is-far-longer-than-one-row-of-the-terminal-'.padEnd(300, 'x');

function screens(style: Style): Record<string, Screen> {
  const small = report([node('a', 'online', { dc: true }), node('b', 'online')], [row('vip', [{ node: 'a' }]), row('web', [])]);
  const big = bigReport();
  const bigConfiguration = configuration([...big.resources.slice(0, 40).map((r) => primitive(r.id)), group('site', ['vip', 'web'])]);
  const managed = managedResources(bigConfiguration);
  const entries = failureEntries(big);
  const appliance = {
    name: 'generic-2node-ipmi-with-a-long-name',
    description: 'Two servers, crossover + serial + LAN heartbeats, fenced by their IPMI BMCs and a description that goes on',
    nodes: [{ name: 'node-a', fencing: [] }, { name: 'node-b', fencing: [] }],
    links: [{ name: 'lan', kind: 'ethernet', interface: 'eno1' }, { name: 'serial', kind: 'serial', device: '/dev/ttyS1', baud: 115200 }],
    fence_devices: [],
  } as unknown as ApplianceProfile;
  const configText = `cluster:\n  name: x\n${Array.from({ length: 60 }, (_, i) => `  line-${i}: ${'v'.repeat(i * 2)}`).join('\n')}\n`;
  const availability = {
    fromMs: 1_780_000_000_000,
    toMs: 1_790_000_000_000,
    events: 100_000,
    resources: Array.from({ length: 30 }, (_, i) => ({ resource: `resource-with-long-name-${i}`, fromMs: 0, toMs: 1, uptimeMs: 1e9, downtimeMs: i * 1e6, excludedMs: 0, outages: i, downNow: i % 3 === 0, mttrMs: i === 0 ? null : 1e6, mttfMs: i === 0 ? null : 1e9, availability: i === 0 ? 1 : 0.999, nines: i === 0 ? null : 3, downtimePerYearMs: 31_536_000 })),
  };
  return {
    'main menu, daemon up': mainMenuScreen({ daemon: { up: true, report: big }, startCommand: 'systemctl start heartline.service' }, style),
    'main menu, daemon down, no config': mainMenuScreen({ daemon: { up: false, message: LONG }, setupNeeded: "/etc/heartline/heartline.yaml is still the package's template", startCommand: 'systemctl start heartline.service', notice: LONG }, style),
    'status, small': statusScreen(small, links(['b'], ['link0', 'link1', 'serial0']), style),
    'status, big': statusScreen(big, links(big.nodes.slice(1).map((n) => n.name), ['link0', 'link1', 'link2', 'serial0']), style),
    'status, no links': statusScreen(big, undefined, style),
    nodes: listScreen({ title: 'node standby / online', items: nodeItems(big, style), empty: '' }),
    'standby plan': planScreen(nodeStandbyPlan(big.nodes[0] as never, big).plan, style),
    resources: listScreen({ title: 'resources', items: resourceItems(managed, big, style), empty: '' }),
    'move plan': planScreen(resourceActionPlan('move', managed[1] as never, big, 'node-with-a-rather-long-name-3'), style),
    'stop plan': planScreen(resourceActionPlan('stop', managed[0] as never, big), style),
    failures: listScreen({ title: 'clear failures', items: failureItems(entries), empty: '', extra: [{ key: 'a', label: 'All of them' }] }),
    'cleanup plan, all': planScreen(cleanupPlan(entries), style),
    'fence confirmation': { title: 'confirm: fence b', body: fencePlanLines(big.nodes[1] as never, big), prompt: 'Type node-with-a-rather-long-name-1 to fence it: ' },
    result: resultScreen({ title: 'fence b', ok: false, lines: [LONG, LONG], hint: LONG }, style),
    wait: waitScreen('switch over', [LONG]),
    'daemon down': daemonDownScreen(LONG, 'systemctl start heartline.service', style),
    message: messageScreen('x', [LONG]),
    links: linksScreen(links(big.nodes.map((n) => n.name), ['link0', 'a-link-with-a-long-name', 'serial0']), LONG, style),
    events: eventsScreen(events(100), '/var/lib/heartline/events.sqlite', undefined, style),
    'no events': eventsScreen([], '/var/lib/heartline/events.sqlite', undefined, style),
    availability: availabilityScreen(availability, span, undefined, style),
    profiles: profileScreen(Array.from({ length: 30 }, () => appliance), ['/usr/lib/heartline/hw-profiles'], 3, LONG),
    'node name': nodeNameScreen(appliance, 'node-a', LONG),
    subnet: subnetScreen(appliance, { name: 'lan', kind: 'ethernet', interface: 'eno1' }, 0, 1, LONG),
    key: keyScreen('/etc/heartline/authkey', true, LONG),
    'key import': keyImportScreen(LONG),
    'setup secret': secretScreen({ name: 'bmc-a'.padEnd(60, 'x'), device: 'bmc-a', what: `the IPMI password of user admin on the BMC at ${'10.0.0.5'.padEnd(40, '0')}` }, 2, 3, '/etc/heartline/secrets'),
    'setup plan': planScreen(setupPlan({ configPath: '/etc/heartline/heartline.yaml', configExists: true, configText, authkey: '/etc/heartline/authkey', key: 'generate', defaultsFile: '/etc/default/heartline', node: 'node-a' }), style),
  };
}

describe('console screens fit 80x24', () => {
  for (const [styleName, style] of [['plain', PLAIN_STYLE], ['colour', ANSI_STYLE]] as const) {
    for (const [name, screen] of Object.entries(screens(style))) {
      it(`${name} (${styleName})`, () => {
        const pages = layoutScreen(screen);
        expect(pages.length).toBeGreaterThan(0);
        for (const page of pages) {
          expect(page.length).toBeLessThanOrEqual(SCREEN_ROWS);
          for (const line of page) expect(visibleWidth(line), line).toBeLessThanOrEqual(SCREEN_COLUMNS);
          if (style === PLAIN_STYLE) for (const line of page) expect(line, 'plain printable ASCII').toMatch(/^[\x20-\x7e]*$/);
          // The title is on the first row of every page, so a page never scrolls it away.
          expect(page[0]).toMatch(/^Heartline: /);
        }
        // Nothing of the body is lost: every body word appears on some page.
        const text = plainText(pages.flat().join(' '));
        for (const word of plainText(screen.body.join(' ')).split(/\s+/).filter((w) => w.length > 0 && w.length < 60)) expect(text).toContain(word);
      });
    }
  }

  it('the main menu stays one page with long paths, the daemon down and setup needed (choices go to two columns)', () => {
    const message = 'cannot reach the heartline daemon on /tmp/heartline-console-setup-1OdWMu/b/no-daemon.sock: no daemon is listening there';
    const pages = layoutScreen(mainMenuScreen({ daemon: { up: false, message }, setupNeeded: "/tmp/heartline-console-setup-1OdWMu/b/etc/heartline.yaml is still the package's template", startCommand: '/tmp/heartline-console-setup-1OdWMu/start-daemon' }, PLAIN_STYLE));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.join('\n')).toMatch(/10 {2}First-boot setup/);
  });

  it('a long body is paged, each page saying which it is', () => {
    const pages = layoutScreen(eventsScreen(events(100), '/x', undefined, PLAIN_STYLE));
    expect(pages.length).toBeGreaterThan(4);
    expect(pages[0]?.join('\n')).toContain(`(page 1 of ${pages.length}; Enter shows the next page)`);
    expect(pages.at(-1)?.join('\n')).toContain(`(page ${pages.length} of ${pages.length}; Enter shows the first page)`);
  });
});
