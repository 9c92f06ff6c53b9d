import type { Millis, NodeId } from './units.js';

/**
 * The shape of every stateful core in Heartline (membership, CIB replication, the transition
 * engine, the sample protocols of the simulator): a synchronous, deterministic state machine that
 * takes one input at a time and answers with the effects it wants performed.
 *
 *     effects = core.step(now, input)
 *
 * A core never reads a clock, draws randomness of its own, touches a socket, a file or a process,
 * or throws on bad input from the network (it drops and counts it). Everything it needs arrives as
 * input; everything it wants done leaves as an effect. That is what lets one driver run it in the
 * daemon against real sockets and another run a whole cluster of them in the simulator under
 * virtual time, with the same code.
 *
 * Driver contract (production driver and simulator alike):
 * - inputs are fed one at a time, with a monotonic `now` that never decreases between calls;
 * - effects are performed in array order; a core that must persist before it sends puts the
 *   persist effect first, and the driver completes it before sending;
 * - the first input after construction is `{ kind: 'start' }`;
 * - a `set-timer` replaces a pending timer of the same name; when it expires the driver feeds
 *   `{ kind: 'timeout', timer }`; `cancel-timer` of an unknown name is a no-op.
 */
export interface NodeCore<Input, Effect> {
  step(now: Millis, input: Input): readonly Effect[];
}

/**
 * Inputs every core understands; a core's own input union adds its domain events to these.
 * `receive.link` names the link a message came in on, when the driver knows it. `receive.order`
 * is the sender's send order when the driver knows it (the frame sequence number: strictly
 * increasing across all of the sender's links within one incarnation), so a core can tell a
 * message overtaken on a slower link from a newer one.
 */
export type BaseInput<Message> =
  | { readonly kind: 'start' }
  | { readonly kind: 'receive'; readonly from: NodeId; readonly message: Message; readonly link?: string; readonly order?: number }
  | { readonly kind: 'timeout'; readonly timer: string };

/**
 * Effects every driver performs; a core's own effect union adds its domain effects to these.
 * `link` names one heartbeat link; without it the driver sends on every link (and the receiver's
 * duplicate filter keeps one copy). `broadcast` reaches every other configured node.
 */
export type BaseEffect<Message> =
  | { readonly kind: 'send'; readonly to: NodeId; readonly message: Message; readonly link?: string }
  | { readonly kind: 'broadcast'; readonly message: Message; readonly link?: string }
  | { readonly kind: 'set-timer'; readonly timer: string; readonly afterMs: Millis }
  | { readonly kind: 'cancel-timer'; readonly timer: string };
