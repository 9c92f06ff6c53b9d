/**
 * One session of the console menu: the main menu and every flow behind it, from choosing to the
 * result. Each flow reads the cluster through `ClusterGateway` (the CLI's own requests), draws
 * pure screens (screens/) and, for an action, shows the plan, asks to confirm, runs it and shows
 * what came of it. A daemon that does not answer leads to the daemon-down screen, which offers to
 * start it. Errors are shown in words; the session ends when the operator quits or the line hangs
 * up.
 */
import { access, readFile } from 'node:fs/promises';
import { buildNodeStandby, buildResourceCleanup, buildResourceClear, buildResourceMove, buildResourceTargetRole } from '../ha/admin/index.js';
import type { CibChange, Configuration } from '../ha/cib/index.js';
import type { ClusterStatusReport } from '../daemon/index.js';
import { applianceSecrets, loadProfileLibrary, type ApplianceProfile, type ApplianceSecret } from '../profiles/index.js';
import { join } from 'node:path';
import type { Answer, ClusterGateway } from './cluster-gateway.js';
import type { TerminalInput } from './console-terminal.js';
import { importedKey, secretsDirectory, setupConfigText, writeSetup, type KeySource, type SetupPaths } from './first-boot-setup.js';
import { layoutScreen, type Screen } from './screen-layout.js';
import { runStartCommand } from './service-starter.js';
import { daemonDownScreen, messageScreen, planScreen, resultScreen, waitScreen, type ActionPlan, type ActionResult } from './screens/action-screens.js';
import { cleanupPlan, failureEntries, failureItems, fencePlanLines, managedResources, nodeItems, nodeStandbyPlan, peersOf, resourceActionPlan, resourceItems, type ManagedResource, type ResourceAction } from './screens/cluster-screens.js';
import { isYes } from './screens/common-choices.js';
import { listScreen, pickedIndex } from './screens/list-screen.js';
import { mainMenuScreen, type DaemonState } from './screens/main-menu.js';
import { availabilityScreen, eventsScreen, linksScreen, type SpanFormat } from './screens/report-screens.js';
import { keyImportScreen, keyScreen, nodeNameScreen, profileScreen, secretScreen, setupPlan, subnetScreen, udpLinksOf } from './screens/setup-screens.js';
import { resourcePlacement, statusContext, statusScreen } from './screens/status-screen.js';
import { planSwitchover, switchoverDone } from './switchover-plan.js';
import type { Style } from './terminal-style.js';

/** The terminal as the session uses it (ConsoleTerminal, or a fake in unit tests). */
export interface SessionTerminal {
  draw(rows: readonly string[]): void;
  read(options?: { readonly masked?: boolean }): Promise<TerminalInput>;
}

export interface ConsoleSessionOptions {
  readonly gateway: ClusterGateway;
  readonly terminal: SessionTerminal;
  readonly style: Style;
  readonly setup: SetupPaths;
  readonly startCommand: string;
  /** How long the start command may run, and then how long the daemon may take to answer. */
  readonly startTimeoutMs: number;
  /** How long a switch-over may take before the result screen says it is still moving. */
  readonly switchoverTimeoutMs: number;
  readonly hostName: string;
  readonly span: SpanFormat;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Where an unexpected error is reported besides the screen (stderr: the journal). */
  readonly reportError: (message: string) => void;
}

/** Thrown when the line hangs up: unwinds every flow at once. */
class Hangup extends Error {
  override readonly name = 'Hangup';
}

const CANCEL = Symbol('cancel');
type Reply = string | typeof CANCEL;
const POLL_INTERVAL_MS = 500;
const EVENTS_SHOWN = 100;

export class ConsoleSession {
  constructor(private readonly options: ConsoleSessionOptions) {}

  /** Runs until the operator quits or the line hangs up. */
  async run(): Promise<void> {
    let notice: string | undefined;
    try {
      for (;;) {
        const status = await this.options.gateway.status();
        const daemon: DaemonState = status.ok ? { up: true, report: status.value } : { up: false, message: status.message };
        const setupNeeded = await setupNeededReason(this.options.setup.config);
        const reply = await this.ask(mainMenuScreen({ daemon, ...(setupNeeded === undefined ? {} : { setupNeeded }), startCommand: this.options.startCommand, ...(notice === undefined ? {} : { notice }) }, this.options.style));
        notice = undefined;
        if (reply === CANCEL || reply === '') continue;
        const choice = reply.toLowerCase();
        if (choice === 'q' || choice === 'quit') return;
        const flow = this.flows()[choice];
        if (flow === undefined || (choice === 's' && daemon.up)) {
          notice = `'${reply}' is not a choice: type one of the numbers shown.`;
          continue;
        }
        notice = await this.guarded(flow);
      }
    } catch (error) {
      if (error instanceof Hangup) return;
      throw error;
    }
  }

  /**
   * Runs a flow; an unexpected error (a bug) becomes a notice in words on the main menu and one line
   * on stderr (the journal under systemd), never a stack trace on the operator's screen.
   */
  private async guarded(flow: () => Promise<string | undefined>): Promise<string | undefined> {
    try {
      return await flow();
    } catch (error) {
      if (error instanceof Hangup) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.options.reportError(message);
      return `That did not work: ${message}`;
    }
  }

  /** Main-menu choice → flow; a flow returns a notice for the main menu (or nothing). */
  private flows(): Readonly<Record<string, () => Promise<string | undefined>>> {
    return {
      '1': () => this.statusFlow(),
      '2': () => this.nodesFlow(),
      '3': () => this.resourcesFlow(),
      '4': () => this.failuresFlow(),
      '5': () => this.switchoverFlow(),
      '6': () => this.fenceFlow(),
      '7': () => this.linksFlow(),
      '8': () => this.eventsFlow(),
      '9': () => this.availabilityFlow(),
      '10': () => this.setupFlow(),
      s: () => this.startDaemonFlow(),
    };
  }

  // ---- drawing and reading

  /** Draws `screen` and returns the operator's answer; on a screen of several pages Enter shows the next page (after the last, the first). */
  private async ask(screen: Screen, options: { readonly masked?: boolean } = {}): Promise<Reply> {
    const pages = layoutScreen(screen);
    for (let page = 0; ; page = (page + 1) % pages.length) {
      this.options.terminal.draw(pages[page] ?? []);
      const input = await this.options.terminal.read(options);
      if (input.kind === 'hangup') throw new Hangup('the line hung up');
      if (input.kind === 'cancel') return CANCEL;
      if (input.text === '' && pages.length > 1) continue;
      return input.text;
    }
  }

  private show(screen: Screen): void {
    this.options.terminal.draw(layoutScreen(screen)[0] ?? []);
  }

  /** Shows the plan and asks; on yes runs the action and shows its result. Returns the main menu's notice. */
  private async confirmAndRun(plan: ActionPlan, run: () => Promise<ActionResult>): Promise<string | undefined> {
    const answer = await this.ask(planScreen(plan, this.options.style));
    if (answer === CANCEL || !isYes(answer)) return `Cancelled: ${plan.title} was not done.`;
    this.show(waitScreen(plan.title, ['Working on it...']));
    const result = await run();
    await this.ask(resultScreen(result, this.options.style));
    return undefined;
  }

  /** The result of a CIB change: the new version, or the refusal in the daemon's words. */
  private async change(title: string, change: CibChange, description: string): Promise<ActionResult> {
    const answer = await this.options.gateway.change(change, description);
    if (answer.ok) return { title, ok: true, lines: [`The cluster accepted the change (CIB version ${answer.value}).`] };
    return { title, ok: false, lines: [answer.message, 'Nothing was changed.'], ...(answer.hint === undefined ? {} : { hint: answer.hint }) };
  }

  /** The status, or undefined after the daemon-down screen (or an error screen). */
  private async needStatus(): Promise<ClusterStatusReport | undefined> {
    const status = await this.options.gateway.status();
    if (status.ok) return status.value;
    await this.daemonProblem(status);
    return undefined;
  }

  private async needConfiguration(): Promise<Configuration | undefined> {
    const configuration = await this.options.gateway.configuration();
    if (configuration.ok) return configuration.value;
    await this.daemonProblem(configuration);
    return undefined;
  }

  private async daemonProblem(answer: Extract<Answer<unknown>, { ok: false }>): Promise<void> {
    if (!answer.daemonDown) {
      await this.ask(messageScreen('the daemon answered with an error', [answer.message, ...(answer.hint === undefined ? [] : [`What to do: ${answer.hint}`])]));
      return;
    }
    const reply = await this.ask(daemonDownScreen(answer.message, this.options.startCommand, this.options.style));
    if (reply === '1') await this.startDaemonFlow();
  }

  // ---- the flows

  private async statusFlow(): Promise<string | undefined> {
    let notice: string | undefined;
    for (;;) {
      const report = await this.needStatus();
      if (report === undefined) return undefined;
      const links = await this.options.gateway.links();
      const reply = await this.ask({ ...statusScreen(report, links.ok ? links.value : undefined, this.options.style), ...(notice === undefined ? {} : { notice }) });
      notice = undefined;
      if (reply === CANCEL || reply === '0') return undefined;
      if (reply !== '' && reply.toLowerCase() !== 'r') notice = `'${reply}' is not a choice.`;
    }
  }

  private async nodesFlow(): Promise<string | undefined> {
    const report = await this.needStatus();
    if (report === undefined) return undefined;
    const node = await this.pick(report.nodes, (notice) => listScreen({ title: 'node standby / online', context: statusContext(report), intro: ['Pick a node: one in standby goes online, one online goes to standby.'], items: nodeItems(report, this.options.style), empty: 'No nodes configured.', ...(notice === undefined ? {} : { notice }) }));
    if (node === undefined) return undefined;
    const { standby, plan } = nodeStandbyPlan(node, report);
    return this.confirmAndRun(plan, () => this.change(plan.title, buildNodeStandby(node.name, standby), plan.command?.replace(/^heartline /, '') ?? plan.title));
  }

  private async resourcesFlow(): Promise<string | undefined> {
    const report = await this.needStatus();
    if (report === undefined) return undefined;
    const configuration = await this.needConfiguration();
    if (configuration === undefined) return undefined;
    const resources = managedResources(configuration);
    const resource = await this.pick(resources, (notice) => listScreen({ title: 'move, stop or start a resource', context: statusContext(report), intro: ['Pick a resource:'], items: resourceItems(resources, report, this.options.style), empty: 'No resources are configured.', ...(notice === undefined ? {} : { notice }) }));
    if (resource === undefined) return undefined;
    const actions: readonly { key: string; action: ResourceAction; label: string }[] = [
      { key: '1', action: 'move', label: 'Move it to another node' },
      { key: '2', action: 'stop', label: 'Stop it (and keep it stopped)' },
      { key: '3', action: 'start', label: 'Start it (let the cluster run it)' },
      { key: '4', action: 'clear', label: 'Clear its moves (cli-prefer / cli-ban constraints)' },
    ];
    let notice: string | undefined;
    for (;;) {
      const rows = report.resources.filter((row) => resource.instances.includes(row.id.replace(/:\d+$/, '')));
      const reply = await this.ask({
        title: `resource ${resource.id}`,
        context: statusContext(report),
        body: rows.length === 0 ? [`${resource.id}: not in the status yet.`] : rows.map((row) => `${row.id}: ${resourcePlacement(row, this.options.style)}`),
        choices: [...actions.map(({ key, label }) => ({ key, label })), { key: '0', label: 'Back to the main menu' }],
        ...(notice === undefined ? {} : { notice }),
      });
      if (reply === CANCEL || reply === '0') return undefined;
      const picked = actions.find((a) => a.key === reply);
      if (picked === undefined) {
        notice = reply === '' ? undefined : `'${reply}' is not a choice.`;
        continue;
      }
      return this.resourceAction(picked.action, resource, report, configuration);
    }
  }

  private async resourceAction(action: ResourceAction, resource: ManagedResource, report: ClusterStatusReport, configuration: Configuration): Promise<string | undefined> {
    if (action === 'move') {
      const nodes = report.nodes.filter((n) => n.state === 'online' || n.state === 'standby');
      const node = await this.pick(nodes, (notice) => listScreen({ title: `move ${resource.id} to`, context: statusContext(report), intro: ['Pick the node it should run on:'], items: nodeItems({ ...report, nodes }, this.options.style), empty: 'No node is online.', ...(notice === undefined ? {} : { notice }) }));
      if (node === undefined) return undefined;
      const plan = resourceActionPlan('move', resource, report, node.name);
      return this.confirmAndRun(plan, () => this.change(plan.title, buildResourceMove(resource.id, node.name), `resource move ${resource.id} ${node.name}`));
    }
    const plan = resourceActionPlan(action, resource, report);
    if (action === 'clear') {
      const change = buildResourceClear(resource.id, configuration);
      if (!change.ok) {
        await this.ask(messageScreen(`clear moves of ${resource.id}`, [`Nothing to do: ${change.error.message}.`]));
        return undefined;
      }
      return this.confirmAndRun(plan, () => this.change(plan.title, change.value, `resource clear ${resource.id}`));
    }
    const enable = action === 'start';
    return this.confirmAndRun(plan, () => this.change(plan.title, buildResourceTargetRole(resource.id, enable), `resource ${enable ? 'enable' : 'disable'} ${resource.id}`));
  }

  private async failuresFlow(): Promise<string | undefined> {
    const report = await this.needStatus();
    if (report === undefined) return undefined;
    const entries = failureEntries(report);
    if (entries.length === 0) {
      await this.ask(messageScreen('clear failures', ['There are no failures to clear: no failed operations, no fail counts.'], statusContext(report)));
      return undefined;
    }
    let notice: string | undefined;
    for (;;) {
      const reply = await this.ask(listScreen({ title: 'clear failures', context: statusContext(report), intro: ['Pick the failures to forget:'], items: failureItems(entries), empty: '', extra: [{ key: 'a', label: 'All of them' }], ...(notice === undefined ? {} : { notice }) }));
      if (reply === CANCEL || reply === '0') return undefined;
      const index = pickedIndex(reply, entries.length);
      const chosen = reply.toLowerCase() === 'a' ? entries : index === undefined ? undefined : [entries[index] as (typeof entries)[number]];
      if (chosen === undefined) {
        notice = reply === '' ? undefined : `'${reply}' is not a choice.`;
        continue;
      }
      const plan = cleanupPlan(chosen);
      const changes = chosen.map((e) => buildResourceCleanup(e.resource, e.node));
      const change: CibChange = changes.length === 1 ? (changes[0] as CibChange) : { op: 'batch', changes };
      return this.confirmAndRun(plan, () => this.change(plan.title, change, chosen.length === 1 ? `resource cleanup ${chosen[0]?.resource ?? ''} --node ${chosen[0]?.node ?? ''}` : 'resource cleanup (all failures)'));
    }
  }

  private async switchoverFlow(): Promise<string | undefined> {
    const report = await this.needStatus();
    if (report === undefined) return undefined;
    const configuration = await this.needConfiguration();
    if (configuration === undefined) return undefined;
    let chosen: { from?: string; to?: string } = {};
    for (;;) {
      const step = planSwitchover(report, configuration, chosen);
      if (step.kind === 'impossible') {
        await this.ask(messageScreen('switch over', [step.reason, 'Nothing was done.'], statusContext(report)));
        return undefined;
      }
      if (step.kind === 'choose-from' || step.kind === 'choose-to') {
        const intro = step.kind === 'choose-from' ? 'Resources run on several nodes. Which node should be emptied?' : `Which node should take the resources of ${step.from}?`;
        const node = await this.pick(step.nodes, (notice) => listScreen({ title: 'switch over', context: statusContext(report), intro: [intro], items: [...step.nodes], empty: '', ...(notice === undefined ? {} : { notice }) }));
        if (node === undefined) return undefined;
        chosen = step.kind === 'choose-from' ? { from: node } : { ...chosen, to: node };
        continue;
      }
      const plan: ActionPlan = {
        title: `switch over from ${step.from} to ${step.to}`,
        effects: [
          `Move ${step.resources.join(', ')} from ${step.from} to ${step.to} now: the cluster stops them on ${step.from} and starts them on ${step.to}.`,
          `They keep preferring ${step.to} (one cli-prefer constraint each) until their moves are cleared (menu 3).`,
        ],
        command: step.resources.map((id) => `heartline resource move ${id} ${step.to}`).join('; '),
      };
      return this.confirmAndRun(plan, async () => {
        const applied = await this.change(plan.title, step.change, `switch over ${step.from} -> ${step.to}: ${step.resources.join(' ')}`.slice(0, 180));
        if (!applied.ok) return applied;
        return this.waitForSwitchover(plan.title, configuration, step.resources, step.to, applied.lines);
      });
    }
  }

  private async waitForSwitchover(title: string, configuration: Configuration, resources: readonly string[], to: string, accepted: readonly string[]): Promise<ActionResult> {
    const deadline = this.options.now() + this.options.switchoverTimeoutMs;
    let last: ClusterStatusReport | undefined;
    for (;;) {
      const status = await this.options.gateway.status();
      if (status.ok) last = status.value;
      const done = last !== undefined && switchoverDone(last, configuration, resources, to);
      if (done || this.options.now() >= deadline) {
        const where = last === undefined ? ['The daemon did not report the status.'] : last.resources.filter((r) => managedResources(configuration).some((m) => resources.includes(m.id) && m.instances.includes(r.id))).map((r) => `${r.id}: ${resourcePlacement(r, this.options.style)}`);
        return {
          title,
          ok: done,
          lines: [...accepted, done ? `Every resource now runs on ${to}:` : `Not everything runs on ${to} after ${Math.round(this.options.switchoverTimeoutMs / 1000)} s:`, ...where],
          ...(done ? {} : { hint: 'look at the cluster status (menu 1) for failures; the moves stay in place' }),
        };
      }
      this.show(waitScreen(title, [...accepted, `Waiting for the resources to run on ${to}...`]));
      await this.options.sleep(POLL_INTERVAL_MS);
    }
  }

  private async fenceFlow(): Promise<string | undefined> {
    const report = await this.needStatus();
    if (report === undefined) return undefined;
    const peers = peersOf(report);
    if (peers.length === 0) {
      await this.ask(messageScreen('fence the peer', ['This node has no peer to fence.'], statusContext(report)));
      return undefined;
    }
    const peer = peers.length === 1 ? peers[0] : await this.pick(peers, (notice) => listScreen({ title: 'fence a peer', context: statusContext(report), intro: ['Pick the node to fence:'], items: nodeItems({ ...report, nodes: peers }, this.options.style), empty: '', ...(notice === undefined ? {} : { notice }) }));
    if (peer === undefined) return undefined;
    const typed = await this.ask({ title: `confirm: fence ${peer.name}`, context: statusContext(report), body: fencePlanLines(peer, report), prompt: `Type ${peer.name} to fence it: ` });
    const title = `fence ${peer.name}`;
    if (typed !== peer.name) {
      const what = typed === CANCEL || typed === '' ? 'nothing was typed' : `you typed '${typed}', not '${peer.name}'`;
      await this.ask(resultScreen({ title, ok: false, lines: [`Refused: ${what}.`, `Nothing was done: ${peer.name} was not fenced.`] }, this.options.style));
      return undefined;
    }
    this.show(waitScreen(title, [`Fencing ${peer.name}: this can take as long as every fence level's time limits...`]));
    const answer = await this.options.gateway.fence(peer.name);
    const result: ActionResult = answer.ok
      ? { title, ok: true, lines: [`${peer.name} is fenced (off) by ${String(answer.value['device'])} in ${this.options.span(Number(answer.value['durationMs']))}.`, 'The cluster recovers its resources elsewhere.'] }
      : { title, ok: false, lines: [answer.message], ...(answer.hint === undefined ? {} : { hint: answer.hint }) };
    await this.ask(resultScreen(result, this.options.style));
    return undefined;
  }

  private async linksFlow(): Promise<string | undefined> {
    for (;;) {
      const links = await this.options.gateway.links();
      if (!links.ok) {
        await this.daemonProblem(links);
        return undefined;
      }
      const status = await this.options.gateway.status();
      const reply = await this.ask(linksScreen(links.value, status.ok ? statusContext(status.value) : undefined, this.options.style));
      if (reply === CANCEL || reply === '0') return undefined;
    }
  }

  private async eventsFlow(): Promise<string | undefined> {
    for (;;) {
      const events = this.options.gateway.events(EVENTS_SHOWN);
      if (!events.ok) {
        await this.ask(messageScreen('recent events', [`The event log cannot be read: ${events.message}`]));
        return undefined;
      }
      const reply = await this.ask(eventsScreen([...events.value].reverse(), this.options.gateway.eventsFile, undefined, this.options.style));
      if (reply === CANCEL || reply === '0') return undefined;
    }
  }

  private async availabilityFlow(): Promise<string | undefined> {
    for (;;) {
      const figures = this.options.gateway.availability(this.options.now());
      if (!figures.ok) {
        await this.ask(messageScreen('availability report', [`The event log cannot be read: ${figures.message}`]));
        return undefined;
      }
      const reply = await this.ask(availabilityScreen(figures.value, this.options.span, undefined, this.options.style));
      if (reply === CANCEL || reply === '0') return undefined;
    }
  }

  private async startDaemonFlow(): Promise<string | undefined> {
    const plan: ActionPlan = { title: 'start the daemon', effects: [`Run: ${this.options.startCommand}`, `Then wait until the daemon answers on ${this.options.gateway.socket}.`] };
    return this.confirmAndRun(plan, () => this.startDaemon(plan.title));
  }

  private async startDaemon(title: string): Promise<ActionResult> {
    this.show(waitScreen(title, [`Running: ${this.options.startCommand}`]));
    const started = await runStartCommand(this.options.startCommand, this.options.startTimeoutMs);
    if (!started.ok) return { title, ok: false, lines: [started.detail], hint: 'look at the service log: journalctl -u heartline -n 50' };
    const deadline = this.options.now() + this.options.startTimeoutMs;
    for (;;) {
      const status = await this.options.gateway.status();
      if (status.ok) return { title, ok: true, lines: [started.detail, `The daemon answers: ${statusContext(status.value)}.`] };
      if (this.options.now() >= deadline) {
        return { title, ok: false, lines: [started.detail, `The daemon does not answer yet: ${status.message}`], hint: 'wait a little and refresh the main menu, or look at the service log: journalctl -u heartline -n 50' };
      }
      this.show(waitScreen(title, [started.detail, 'Waiting for the daemon to answer...']));
      await this.options.sleep(POLL_INTERVAL_MS);
    }
  }

  private async setupFlow(): Promise<string | undefined> {
    const paths = this.options.setup;
    const library = await loadProfileLibrary([...paths.profileDirs]);
    const appliances = [...library.appliances.values()].map((loaded) => loaded.profile).sort((a, b) => a.name.localeCompare(b.name));
    const appliance = await this.pick(appliances, (notice) => profileScreen(appliances, paths.profileDirs, library.issues.length, notice));
    if (appliance === undefined) return 'Setup cancelled: nothing was written.';
    const node = await this.pickNode(appliance);
    if (node === undefined) return 'Setup cancelled: nothing was written.';
    let notice: string | undefined;
    for (;;) {
      const subnets = await this.askSubnets(appliance, notice);
      if (subnets === undefined) return 'Setup cancelled: nothing was written.';
      const text = setupConfigText(paths, { appliance, node, subnets });
      if (!text.ok) {
        notice = text.error.split('\n').slice(0, 2).join(' ');
        continue;
      }
      const key = await this.askKey();
      if (key === undefined) return 'Setup cancelled: nothing was written.';
      const secrets = await this.askSecrets(appliance);
      if (secrets === undefined) return 'Setup cancelled: nothing was written.';
      const configExists = await fileExists(paths.config);
      const plan = setupPlan({ configPath: paths.config, configExists, configText: text.value, authkey: paths.authkey, key: key.kind, defaultsFile: paths.defaultsFile, node, secrets: { directory: secretsDirectory(paths), written: Object.keys(secrets.typed), skipped: secrets.skipped } });
      const answer = await this.ask(planScreen(plan, this.options.style));
      if (answer === CANCEL || !isYes(answer)) return 'Setup cancelled: nothing was written.';
      const written = await writeSetup(paths, { appliance, node, subnets, key, secrets: secrets.typed }, text.value);
      if (!written.ok) {
        await this.ask(resultScreen({ title: 'first-boot setup', ok: false, lines: [written.error], hint: 'check that the folders exist and that the console runs as root' }, this.options.style));
        return undefined;
      }
      const start = await this.ask({ ...resultScreen({ title: 'first-boot setup', ok: true, lines: [...written.value, '', `Start the daemon now (${this.options.startCommand})?`] }, this.options.style), prompt: 'Start it? (yes/no): ' });
      if (start === CANCEL || !isYes(start)) return 'Setup done; the daemon was not started (choose s in the main menu to start it).';
      await this.ask(resultScreen(await this.startDaemon('start the daemon'), this.options.style));
      return undefined;
    }
  }

  private async pickNode(appliance: ApplianceProfile): Promise<string | undefined> {
    const names = appliance.nodes.map((n) => n.name);
    let notice: string | undefined;
    for (;;) {
      const reply = await this.ask(nodeNameScreen(appliance, this.options.hostName, notice));
      if (reply === CANCEL || reply === '0') return undefined;
      if (reply === '' && names.includes(this.options.hostName)) return this.options.hostName;
      const index = pickedIndex(reply, names.length);
      if (index !== undefined) return names[index];
      if (names.includes(reply)) return reply;
      notice = reply === '' ? undefined : `'${reply}' is not one of the numbers shown.`;
    }
  }

  private async askSubnets(appliance: ApplianceProfile, firstNotice: string | undefined): Promise<Record<string, string> | undefined> {
    const links = udpLinksOf(appliance);
    const subnets: Record<string, string> = {};
    let notice = firstNotice;
    for (const [index, link] of links.entries()) {
      for (;;) {
        const reply = await this.ask(subnetScreen(appliance, link, index, links.length, notice));
        notice = undefined;
        if (reply === CANCEL || reply === '0') return undefined;
        if (/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(reply)) {
          subnets[link.name] = reply;
          break;
        }
        notice = `'${reply}' is not NETWORK/PREFIX, e.g. 192.168.10.0/24.`;
      }
    }
    return subnets;
  }

  private async askKey(): Promise<KeySource | undefined> {
    const keyExists = await fileExists(this.options.setup.authkey);
    let notice: string | undefined;
    for (;;) {
      const reply = await this.ask(keyScreen(this.options.setup.authkey, keyExists, notice));
      notice = undefined;
      if (reply === CANCEL || reply === '0') return undefined;
      if (reply === '1') return { kind: 'generate' };
      if (reply === '3' && keyExists) return { kind: 'keep' };
      if (reply !== '2') {
        notice = reply === '' ? undefined : `'${reply}' is not a choice.`;
        continue;
      }
      for (;;) {
        const typed = await this.ask(keyImportScreen(notice), { masked: true });
        notice = undefined;
        if (typed === CANCEL || typed === '0') break;
        const key = await importedKey(typed);
        if (key.ok) return key.value;
        notice = key.error;
      }
    }
  }

  /**
   * Asks for every secret the appliance's fence devices name that is not in the secrets folder
   * yet (masked); Enter skips one. Undefined when the operator cancels.
   */
  private async askSecrets(appliance: ApplianceProfile): Promise<{ typed: Record<string, string>; skipped: string[] } | undefined> {
    const directory = secretsDirectory(this.options.setup);
    const missing: ApplianceSecret[] = [];
    for (const secret of applianceSecrets(appliance)) if (!(await fileExists(join(directory, secret.name)))) missing.push(secret);
    const typed: Record<string, string> = {};
    const skipped: string[] = [];
    for (const [index, secret] of missing.entries()) {
      let notice: string | undefined;
      for (;;) {
        const reply = await this.ask(secretScreen(secret, index, missing.length, directory, notice), { masked: true });
        if (reply === CANCEL || reply === '0') return undefined;
        if (reply === '') {
          skipped.push(secret.name);
          break;
        }
        if (/[\r\n]/.test(reply)) {
          notice = 'a secret is one line.';
          continue;
        }
        typed[secret.name] = reply;
        break;
      }
    }
    return { typed, skipped };
  }

  /** Shows a numbered list until the operator picks an item (returned) or goes back (undefined). */
  private async pick<T>(items: readonly T[], screen: (notice: string | undefined) => Screen): Promise<T | undefined> {
    let notice: string | undefined;
    for (;;) {
      const reply = await this.ask(screen(notice));
      if (reply === CANCEL || reply === '0') return undefined;
      const index = pickedIndex(reply, items.length);
      if (index !== undefined) return items[index];
      notice = reply === '' ? undefined : `'${reply}' is not one of the numbers shown.`;
    }
  }
}

/**
 * Why this node still needs first-boot setup, or undefined: no configuration file, or the package's
 * template (cluster `unconfigured`, which describes no real cluster) still in place.
 */
async function setupNeededReason(config: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(config, 'utf8');
  } catch {
    return `${config} does not exist`;
  }
  return /^cluster:\s*\n\s+name:\s*unconfigured\s*$/m.test(text) ? `${config} is still the package's template` : undefined;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
