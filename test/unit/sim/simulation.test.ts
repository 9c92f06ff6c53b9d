// The Simulation's contract with a core: start first, timers by name (replaced, cancelled, lost in
// a crash), delivery only to live nodes, a fresh core with the next incarnation after a restart, and
// violations (checker or exception) that stop the run.
import { describe, expect, it } from 'vitest';
import { millis, nodeId, type BaseEffect, type BaseInput, type Millis, type NodeCore, type NodeId } from '../../../src/lib/index.js';
import { Simulation, type ScheduledFault, type SimChecker, type SimProtocol } from '../../../src/sim/index.js';

type Message = { readonly text: string };
type Effect = { readonly kind: 'note'; readonly text: string };

/** A scripted core: records its inputs and answers with whatever `script` returns. */
class ScriptedNode implements NodeCore<BaseInput<Message>, BaseEffect<Message> | Effect> {
  constructor(
    readonly id: NodeId,
    readonly incarnation: number,
    private readonly script: (node: ScriptedNode, input: BaseInput<Message>) => (BaseEffect<Message> | Effect)[],
  ) {}
  step(_now: Millis, input: BaseInput<Message>): readonly (BaseEffect<Message> | Effect)[] {
    return this.script(this, input);
  }
}

function protocol(script: (node: ScriptedNode, input: BaseInput<Message>) => (BaseEffect<Message> | Effect)[]): SimProtocol<Message, Effect> {
  return {
    name: 'scripted',
    createNode: (c) => new ScriptedNode(c.id, c.incarnation, script),
    describeMessage: (m) => m.text,
    describeEffect: (e) => `note ${e.text}`,
  };
}

const n1 = nodeId(1);
const n2 = nodeId(2);

function run(script: Parameters<typeof protocol>[0], faults: ScheduledFault[] = [], checkers: SimChecker<Message, Effect>[] = [], endMs = 1000) {
  return new Simulation<Message, Effect>({ seed: 1, protocol: protocol(script), nodeIds: [n1, n2], faults, endMs, checkers, keepTrace: true }).run();
}

describe('Simulation', () => {
  it('starts every node, delivers messages and fires named timers, replacing a re-set timer', () => {
    const result = run((node, input) => {
      if (input.kind === 'start' && node.id === n1) {
        return [
          { kind: 'send', to: n2, message: { text: 'hello' } },
          { kind: 'set-timer', timer: 't', afterMs: millis(100) },
          { kind: 'set-timer', timer: 't', afterMs: millis(300) },
        ];
      }
      if (input.kind === 'timeout') return [{ kind: 'note', text: `fired ${input.timer}` }];
      if (input.kind === 'receive') return [{ kind: 'note', text: `got ${input.message.text}` }];
      return [];
    });
    const lines = result.traceLines ?? [];
    expect(lines.some((l) => l.startsWith('000000001 n2 recv from=n1 hello'))).toBe(true);
    expect(lines.filter((l) => l.includes('timeout t'))).toEqual(['000000300 n1 timeout t']);
    expect(result.violation).toBeUndefined();
  });

  it('cancels timers, and a crash loses them; a restart brings a fresh core with the next incarnation', () => {
    const incarnations: number[] = [];
    const result = run(
      (node, input) => {
        if (node.id !== n1) return [];
        if (input.kind === 'start') {
          incarnations.push(node.incarnation);
          return [
            { kind: 'set-timer', timer: 'keep', afterMs: millis(400) },
            { kind: 'set-timer', timer: 'gone', afterMs: millis(50) },
            { kind: 'cancel-timer', timer: 'gone' },
          ];
        }
        if (input.kind === 'timeout') return [{ kind: 'note', text: `inc ${node.incarnation} fired ${input.timer}` }];
        return [];
      },
      [
        { atMs: 200, fault: { kind: 'crash', node: n1 } },
        { atMs: 500, fault: { kind: 'restart', node: n1 } },
      ],
    );
    const notes = (result.traceLines ?? []).filter((l) => l.includes('note'));
    expect(incarnations).toEqual([1, 2]);
    // The first incarnation's timer (due at 400) died with it; the second's fires at 500 + 400.
    expect(notes).toEqual(['000000900 n1 note inc 2 fired keep']);
  });

  it('drops packets that reach a crashed node', () => {
    const result = run(
      (node, input) => (input.kind === 'start' && node.id === n1 ? [{ kind: 'set-timer', timer: 'send', afterMs: millis(10) }] : input.kind === 'timeout' ? [{ kind: 'send', to: n2, message: { text: 'late' } }] : []),
      [{ atMs: 5, fault: { kind: 'crash', node: n2 } }],
    );
    expect(result.traceLines).toContain('000000011 n2 drop-down from=n1 late');
    expect(result.stats.delivered).toBe(0);
  });

  it('stops at the first checker violation and reports it with its time', () => {
    const result = run(
      (node, input) => (input.kind === 'start' && node.id === n2 ? [{ kind: 'note', text: 'bad' }] : []),
      [],
      [{ onStep: (step) => (step.effects.some((e) => e.kind === 'note') ? `n${step.node} said bad` : undefined) }],
    );
    expect(result.violation).toEqual({ kind: 'correctness', atMs: 0, message: 'n2 said bad' });
  });

  it('turns an exception in a core into a crash violation instead of dying', () => {
    const result = run((node, input) => {
      if (input.kind === 'start' && node.id === n1) throw new Error('boom');
      return [];
    });
    expect(result.violation?.kind).toBe('crash');
    expect(result.violation?.message).toContain('boom');
  });

  it('reports liveness failures from checkers at the end of the run', () => {
    const result = run(() => [], [], [{ atEnd: (view) => `nothing happened by ${view.nowMs} ms` }], 750);
    expect(result.violation).toEqual({ kind: 'liveness', atMs: 750, message: 'nothing happened by 750 ms' });
  });

  it('runs shell code on its SimClock in virtual time', () => {
    const sim = new Simulation<Message, Effect>({ seed: 1, protocol: protocol(() => []), nodeIds: [n1], faults: [], endMs: 1000, checkers: [] });
    const fired: number[] = [];
    sim.clock.setTimer(millis(250), () => fired.push(sim.clock.now()));
    const cleared = sim.clock.setTimer(millis(100), () => fired.push(-1));
    sim.clock.clearTimer(cleared);
    sim.run();
    expect(fired).toEqual([250]);
  });
});
