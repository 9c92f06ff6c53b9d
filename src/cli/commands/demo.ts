import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { BMC_LAB_REQUIREMENTS, missingRequirements } from '../../testbed/requirements.js';
import { ServiceLab, type ServiceLabFencing, type Takeover } from '../../testbed/service-lab.js';
import { CommandError, ExitCode, printResult, withJsonOption, type JsonOption, type Terminal } from '../output.js';

interface DemoOptions extends JsonOption {
  readonly interactive: boolean;
  readonly fencing?: ServiceLabFencing;
}

/** What `heartline demo --json` prints. */
export interface DemoReport {
  readonly nodes: readonly string[];
  readonly serviceAddress: string | null;
  readonly servedBefore: string;
  /** `bmc`: simulated BMCs through the hardware profile; `command`: the lab's fence program. */
  readonly fencing: ServiceLabFencing;
  readonly takeover: Takeover;
}

/**
 * `heartline demo`: the README's main job. A two-node cluster in network namespaces with a web
 * service on a floating address; the serving node loses its power; the survivor fences it and
 * takes over; the takeover time is printed (src/testbed/service-lab.ts has the method).
 */
export function registerDemoCommand(program: Command, terminal: Terminal): void {
  withJsonOption(
    program
      .command('demo')
      .summary('start a two-node cluster on this machine, cut the power of the active node, show the takeover (root)')
      .description(
        'Builds a two-node Heartline cluster on this machine: two network namespaces (nodes a and b) joined by a ' +
          'crossover cable, a switch and a serial null-modem, one `heartline daemon` per node, and fencing through a ' +
          'hardware profile with a simulated BMC per node (OpenIPMI ipmi_sim, driven by ipmitool -I lanplus) whose ' +
          '"power off" kills every process of the node\'s namespace; without ipmi_sim or ipmitool, a fence program ' +
          'that does the same. Creates the service as an operator would (the ' +
          'commands are shown): the group `demo` of a floating address (ocf:heartbeat:IPaddr2 on the switch) and a web ' +
          'server on it (ocf:heartline:WebDemo, which answers "served by NODE"). A client on the switch asks it every ' +
          '100 ms. Then the node that serves loses its power (every process killed, every link down at once): the ' +
          'survivor declares it dead, fences it and starts the service. Prints the status before and after, and the ' +
          'takeover time from the power loss to the first answer from the survivor, with its phases (detection, ' +
          'fencing, recovery).\n\n' +
          'Interactive by default when the terminal is one (it waits for Enter before cutting the power); ' +
          '--non-interactive runs the whole story and exits 0 when the survivor served. Needs root (namespaces) and ' +
          'ip, socat, iptables, setpriv; without resource-agents the web server listens on each node\'s own address ' +
          'instead of a floating one. Everything is removed at the end, also on an error or Ctrl-C. Progress and the ' +
          'story go to stderr with --json, which prints only the report.',
      )
      .option('--non-interactive', 'do not wait for Enter before the power loss', false)
      .option('--fencing <method>', "bmc (default when ipmi_sim and ipmitool are installed): simulated BMCs; command: the lab's fence program", parseFencing),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sudo heartline demo                       the story, pausing before the power loss\n' +
        '  sudo heartline demo --non-interactive     the whole story; exit 0 when the survivor took over\n' +
        '  sudo heartline demo --non-interactive --json | jq .takeover.servedMs\n' +
        '\nJSON: {nodes, serviceAddress, servedBefore, fencing, takeover: {lostNode, survivor, detectedMs, fencedMs, servedMs, phases}}\n',
    )
    .action(async (options: DemoOptions & { nonInteractive: boolean }) => {
      if (process.getuid?.() !== 0) {
        throw new CommandError('needs-root', 'heartline demo builds network namespaces, which needs root', ExitCode.usage, 'run it as root: sudo heartline demo');
      }
      const say = (line: string): void => (options.json === true ? terminal.err(line) : terminal.out(line));
      const started = Date.now();
      const stamp = (line: string): void => say(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
      const interactive = !options.nonInteractive && process.stdin.isTTY === true;
      const missing = missingRequirements(BMC_LAB_REQUIREMENTS);
      if (options.fencing === 'bmc' && missing.length > 0) throw new CommandError('missing-tool', missing.join('; '), ExitCode.usage, 'apt-get install openipmi ipmitool, or run the demo with --fencing command');
      const fencing = options.fencing ?? (missing.length === 0 ? 'bmc' : 'command');
      stamp('building a two-node cluster in network namespaces (nodes a and b; crossover, switch and serial links)');
      if (options.fencing === undefined && fencing === 'command') stamp(`no simulated BMCs (${missing.join('; ')}): the lab's fence program fences instead`);
      const service = await ServiceLab.create({ fencing, progress: (line) => stamp(line) });
      const stop = (): void => void service.destroy().finally(() => process.exit(130));
      process.once('SIGINT', stop);
      try {
        const view = await service.lab.waitForFullView({ timeoutMs: 60_000 });
        stamp(`cluster formed: members ${service.nodeNames.join(', ')}, view ${view.id}`);
        await service.createService();
        const first = await service.waitServed({ since: Date.now(), timeoutMs: 90_000 });
        stamp(`the service answers: "served by ${String(first.servedBy)}"${service.serviceAddress === undefined ? '' : ` at http://${service.serviceAddress}:8080/`}`);
        say(await service.cli(0, ['status']));
        if (interactive) {
          const prompt = createInterface({ input: process.stdin, output: process.stderr });
          await prompt.question(`Press Enter to cut the power of node ${String(first.servedBy)} (Ctrl-C to stop) `);
          prompt.close();
        }
        const takeover = await service.powerLossTakeover({ timeoutMs: 90_000 });
        stamp(`${takeover.survivor} declared ${takeover.lostNode} dead ${takeover.detectedMs} ms after the power loss`);
        if (takeover.fencedMs !== undefined) stamp(`${takeover.survivor} fenced ${takeover.lostNode} ${takeover.fencedMs} ms after the power loss`);
        stamp(`the service answers again: "served by ${takeover.survivor}", ${takeover.servedMs} ms after the power loss`);
        say(await service.cli(service.nodeNames.indexOf(takeover.survivor), ['status']));
        const report: DemoReport = { nodes: service.nodeNames, serviceAddress: service.serviceAddress ?? null, servedBefore: String(first.servedBy), fencing, takeover };
        printResult(terminal, options, report, () => renderTakeover(takeover));
      } catch (error) {
        throw new CommandError('demo-failed', `the demo failed: ${error instanceof Error ? error.message : String(error)}`, ExitCode.failed);
      } finally {
        process.removeListener('SIGINT', stop);
        stamp('removing the cluster (daemons, namespaces, links)');
        await service.destroy();
      }
    });
}

function parseFencing(value: string): ServiceLabFencing {
  if (value !== 'bmc' && value !== 'command') throw new InvalidArgumentError(`expected bmc or command, got '${value}'`);
  return value;
}

function renderTakeover(t: Takeover): string {
  return `Takeover: ${t.servedMs} ms from the power loss of ${t.lostNode} to the service answering from ${t.survivor} (detection ${t.phases.detectionMs} ms, fencing ${t.phases.fencingMs} ms, recovery ${t.phases.recoveryMs} ms)`;
}
