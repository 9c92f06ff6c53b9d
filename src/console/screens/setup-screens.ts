/**
 * The first-boot setup screens: pick the appliance profile, this node, the subnet of each UDP
 * heartbeat link (a profile knows interfaces, not addresses), the cluster key, then the plan with
 * the file that will be written. Pure.
 */
import type { ApplianceProfile, ApplianceSecret } from '../../profiles/index.js';
import type { Screen } from '../screen-layout.js';
import type { ActionPlan } from './action-screens.js';
import { listScreen } from './list-screen.js';

const TITLE = 'first-boot setup';

export function applianceItems(appliances: readonly ApplianceProfile[]): string[] {
  return appliances.map((a) => `${a.name} (${a.nodes.map((n) => n.name).join(', ')})${a.description === undefined ? '' : `: ${a.description}`}`);
}

export function profileScreen(appliances: readonly ApplianceProfile[], directories: readonly string[], problems: number, notice?: string): Screen {
  return listScreen({
    title: `${TITLE} 1/5: hardware profile`,
    intro: [
      'Setup writes heartline.yaml, the cluster key and the node name, then starts the daemon.',
      'Pick this appliance\'s hardware profile:',
      ...(problems > 0 ? [`(${problems} problem(s) in the profile files: run heartline profile validate)`] : []),
    ],
    items: applianceItems(appliances),
    empty: `No appliance profile found in ${directories.join(', ')}.`,
    back: { key: '0', label: 'Cancel setup' },
    ...(notice === undefined ? {} : { notice }),
  });
}

export function nodeNameScreen(appliance: ApplianceProfile, hostName: string, notice?: string): Screen {
  const matching = appliance.nodes.findIndex((n) => n.name === hostName);
  return {
    ...listScreen({
      title: `${TITLE} 2/5: this node`,
      intro: [`Appliance ${appliance.name}. Which node is this one? (host name: ${hostName})`],
      items: appliance.nodes.map((n) => n.name),
      empty: 'The profile has no nodes.',
      back: { key: '0', label: 'Cancel setup' },
      ...(notice === undefined ? {} : { notice }),
    }),
    ...(matching < 0 ? {} : { prompt: `Number (Enter: ${matching + 1}, ${hostName}): ` }),
  };
}

/** The links of the appliance that need a subnet (Ethernet and crossover; serial links need none). */
export function udpLinksOf(appliance: ApplianceProfile): { readonly name: string; readonly kind: string; readonly interface: string }[] {
  return appliance.links.flatMap((link) => (link.kind === 'serial' ? [] : [{ name: link.name, kind: link.kind, interface: link.interface }]));
}

export function subnetScreen(appliance: ApplianceProfile, link: { readonly name: string; readonly kind: string; readonly interface: string }, index: number, count: number, notice?: string): Screen {
  const position = appliance.nodes.map((n, i) => `${n.name} gets host address ${i + 1}`).join(', ');
  return {
    title: `${TITLE} 3/5: link ${link.name} (${index + 1} of ${count})`,
    body: [
      `Heartbeat link ${link.name}: ${link.kind} on interface ${link.interface}.`,
      `Its subnet, as NETWORK/PREFIX (e.g. 192.168.10.0/24); ${position}.`,
      'The same answers must be given on the other node.',
    ],
    ...(notice === undefined ? {} : { notice }),
    prompt: `Subnet of ${link.name} (0 cancels): `,
  };
}

export function keyScreen(authkey: string, keyExists: boolean, notice?: string): Screen {
  return {
    title: `${TITLE} 4/5: cluster key`,
    body: [
      'Both nodes sign their heartbeats with the same secret key.',
      'On the first node, generate it; on the second, import the first node\'s key:',
      `type the path of a copy (a USB stick), or paste its key line (1 sha256 ...).`,
      `The key goes to ${authkey} (mode 600).`,
    ],
    choices: [{ key: '1', label: 'Generate a new key' }, { key: '2', label: "Import the other node's key" }, ...(keyExists ? [{ key: '3', label: `Keep the existing ${authkey}` }] : []), { key: '0', label: 'Cancel setup' }],
    ...(notice === undefined ? {} : { notice }),
  };
}

export function keyImportScreen(notice?: string): Screen {
  return {
    title: `${TITLE} 4/5: import the key`,
    body: ["Type the path of the other node's key file (e.g. /media/usb/authkey),", "or paste one of its key lines ('1 sha256 <hex>'). Typed characters show as *."],
    ...(notice === undefined ? {} : { notice }),
    prompt: 'Path or key line (0 cancels): ',
  };
}

/** One fence device secret the profile names and the node does not have yet. */
export function secretScreen(secret: ApplianceSecret, index: number, count: number, directory: string, notice?: string): Screen {
  return {
    title: `${TITLE} 5/5: fence secret ${secret.name} (${index + 1} of ${count})`,
    body: [
      `Fence device ${secret.device} needs ${secret.what}.`,
      `It goes to ${directory}/${secret.name} (mode 600); the profile holds no secrets.`,
      'Typed characters show as *. Enter alone skips it: the daemon will not start',
      'until the file exists.',
    ],
    ...(notice === undefined ? {} : { notice }),
    prompt: `${secret.name} (Enter skips, 0 cancels): `,
  };
}

export function setupPlan(input: { readonly configPath: string; readonly configExists: boolean; readonly configText: string; readonly authkey: string; readonly key: 'generate' | 'keep' | 'import'; readonly defaultsFile: string; readonly node: string; readonly secrets?: { readonly directory: string; readonly written: readonly string[]; readonly skipped: readonly string[] } }): ActionPlan {
  return {
    title: 'write the configuration',
    effects: [
      `${input.configExists ? 'REPLACE' : 'Write'} ${input.configPath}:`,
      ...input.configText
        .trimEnd()
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .map((line) => `  ${line}`),
      input.key === 'generate' ? `Write a NEW cluster key to ${input.authkey} (mode 600).` : input.key === 'import' ? `Write the imported key to ${input.authkey} (mode 600).` : `Keep the key in ${input.authkey}.`,
      ...(input.secrets === undefined || input.secrets.written.length === 0 ? [] : [`Write the secret${input.secrets.written.length === 1 ? '' : 's'} ${input.secrets.written.join(', ')} to ${input.secrets.directory} (mode 600).`]),
      ...(input.secrets === undefined || input.secrets.skipped.length === 0 ? [] : [`NOT written (skipped): ${input.secrets.skipped.join(', ')}; the daemon starts only once they are in ${input.secrets.directory}.`]),
      `Set --node ${input.node} in HEARTLINE_DAEMON_OPTIONS and HEARTLINE_SNMP_OPTIONS of ${input.defaultsFile}.`,
    ],
  };
}
