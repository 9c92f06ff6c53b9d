/** The main menu: one numbered line per screen, and what state the node is in above it. Pure. */
import type { ClusterStatusReport } from '../../daemon/index.js';
import type { Choice, Screen } from '../screen-layout.js';
import type { Style } from '../terminal-style.js';
import { statusContext } from './status-screen.js';

export const MAIN_MENU: readonly Choice[] = [
  { key: '1', label: 'Cluster status' },
  { key: '2', label: 'Node standby / online' },
  { key: '3', label: 'Move, stop or start a resource' },
  { key: '4', label: 'Clear failures' },
  { key: '5', label: 'Switch over now (move the active resources to the peer)' },
  { key: '6', label: 'Fence the peer' },
  { key: '7', label: 'Link health' },
  { key: '8', label: 'Recent events' },
  { key: '9', label: 'Availability report' },
  { key: '10', label: 'First-boot setup' },
  { key: 'q', label: 'Quit' },
];

/** The daemon's answer to `status` when it came, else why not. */
export type DaemonState = { readonly up: true; readonly report: ClusterStatusReport } | { readonly up: false; readonly message: string };

export interface MainMenuInput {
  readonly daemon: DaemonState;
  /** Why this node needs first-boot setup ("/etc/heartline/heartline.yaml does not exist"), if it does. */
  readonly setupNeeded?: string;
  readonly startCommand: string;
  readonly notice?: string;
}

export function mainMenuScreen(input: MainMenuInput, style: Style): Screen {
  const body: string[] = [];
  if (input.setupNeeded !== undefined) body.push(style.warn(`This node is not set up: ${input.setupNeeded}. Choose 10 (first-boot setup).`));
  if (!input.daemon.up) {
    body.push(style.bad('The heartline daemon is NOT RUNNING on this node.'), `(${input.daemon.message})`, `Choose s to start it (${input.startCommand}).`);
  } else {
    const r = input.daemon.report;
    const failed = r.resources.filter((x) => x.state === 'failed' || x.state === 'multiply-active').length;
    const problems = [
      ...r.nodes.filter((n) => n.state !== 'online').map((n) => `${n.name} ${n.state}`),
      ...(failed > 0 ? [`${failed} resource(s) failed`] : []),
      ...(r.failures.failCounts.length > 0 ? [`${r.failures.failCounts.length} fail count(s)`] : []),
    ];
    body.push(problems.length === 0 ? style.ok('All nodes online, no failures.') : style.warn(`Attention: ${problems.join(', ')}.`));
  }
  const choices = input.daemon.up ? MAIN_MENU : [...MAIN_MENU.slice(0, -1), { key: 's', label: 'Start the daemon' }, ...MAIN_MENU.slice(-1)];
  return {
    title: 'main menu',
    context: input.daemon.up ? statusContext(input.daemon.report) : 'daemon not running',
    body,
    choices,
    ...(input.notice === undefined ? {} : { notice: input.notice }),
    prompt: 'Choice (number, Enter to refresh): ',
  };
}
