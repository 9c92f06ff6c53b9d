import { type BaseEffect, type BaseInput, type Millis, type NodeCore, type NodeId } from '../../lib/index.js';

/**
 * PingPong: the simulator's own proving protocol. The client (the lowest node id) runs `rounds`
 * rounds; in each it sends `ping(round)` to every server and retries every `retryMs` until each
 * server has answered `pong(round)`, then starts the next. Servers answer every ping they get.
 *
 * Every message carries the client's incarnation, and the client ignores pongs from another
 * incarnation: without that, a pong still in flight from before a crash could complete a round of
 * the restarted client that no server has seen (the `no-incarnation-check` variant keeps this bug,
 * and the `no-retry` variant never retries, so that the tests can show the checkers catching both).
 */
export type PingPongMessage =
  | { readonly type: 'ping'; readonly incarnation: number; readonly round: number }
  | { readonly type: 'pong'; readonly incarnation: number; readonly round: number };

export type PingPongEffect =
  | { readonly kind: 'round-complete'; readonly incarnation: number; readonly round: number }
  | { readonly kind: 'done'; readonly incarnation: number; readonly rounds: number };

export type PingPongVariant = 'correct' | 'no-retry' | 'no-incarnation-check';

export interface PingPongConfig {
  readonly rounds: number;
  readonly retryMs: Millis;
  readonly variant: PingPongVariant;
}

type Input = BaseInput<PingPongMessage>;
type Effect = BaseEffect<PingPongMessage> | PingPongEffect;

export class PingPongNode implements NodeCore<Input, Effect> {
  private round = 0;
  private readonly awaiting = new Set<NodeId>();
  private readonly servers: readonly NodeId[];
  readonly isClient: boolean;

  constructor(
    private readonly id: NodeId,
    private readonly incarnation: number,
    nodeIds: readonly NodeId[],
    private readonly config: PingPongConfig,
  ) {
    const client = Math.min(...nodeIds);
    this.isClient = id === client;
    this.servers = nodeIds.filter((n) => n !== client);
  }

  step(_now: Millis, input: Input): readonly Effect[] {
    switch (input.kind) {
      case 'start':
        return this.isClient ? this.beginRound(1) : [];
      case 'timeout':
        return input.timer === 'retry' && this.isClient ? this.retry() : [];
      case 'receive':
        return this.onMessage(input.from, input.message);
    }
  }

  private onMessage(from: NodeId, message: PingPongMessage): Effect[] {
    if (message.type === 'ping') {
      return [{ kind: 'send', to: from, message: { type: 'pong', incarnation: message.incarnation, round: message.round } }];
    }
    if (!this.isClient || message.round !== this.round || !this.awaiting.has(from)) return [];
    if (this.config.variant !== 'no-incarnation-check' && message.incarnation !== this.incarnation) return [];
    this.awaiting.delete(from);
    if (this.awaiting.size > 0) return [];
    const effects: Effect[] = [{ kind: 'round-complete', incarnation: this.incarnation, round: this.round }];
    if (this.round >= this.config.rounds) {
      effects.push({ kind: 'cancel-timer', timer: 'retry' }, { kind: 'done', incarnation: this.incarnation, rounds: this.round });
      return effects;
    }
    return effects.concat(this.beginRound(this.round + 1));
  }

  private beginRound(round: number): Effect[] {
    this.round = round;
    this.awaiting.clear();
    for (const server of this.servers) this.awaiting.add(server);
    return this.retry();
  }

  private retry(): Effect[] {
    const effects: Effect[] = [...this.awaiting].map((to) => ({
      kind: 'send' as const,
      to,
      message: { type: 'ping' as const, incarnation: this.incarnation, round: this.round },
    }));
    if (this.config.variant !== 'no-retry' && this.awaiting.size > 0) {
      effects.push({ kind: 'set-timer', timer: 'retry', afterMs: this.config.retryMs });
    }
    return effects;
  }
}
