/**
 * LinkNodeClient: the test side of fixtures/link-node.ts. It wraps an NsProcess running that
 * program with typed calls (open a link, send, read stats) and the two questions every link test
 * asks: did this frame arrive, and did that one stay away.
 */
import { eventually, sleep } from '../harness/eventually.js';
import type { ChildMessage, NsProcess } from '../harness/ns-process.js';

/** The link description link-node understands (see its header). */
export type LinkSpec =
  | { readonly kind: 'udp-unicast'; readonly name: string; readonly localAddress: string; readonly peers: readonly (readonly [number, string])[]; readonly port?: number }
  | { readonly kind: 'udp-broadcast'; readonly name: string; readonly broadcastAddress: string; readonly port?: number }
  | { readonly kind: 'udp-multicast'; readonly name: string; readonly group: string; readonly interfaceAddress: string; readonly port?: number }
  | { readonly kind: 'serial'; readonly name: string; readonly path: string; readonly reopenIntervalMs?: number };

/** A failed open as link-node reports it: the LinkError's code and message. */
export interface OpenFailure {
  readonly code?: string;
  readonly message: string;
  readonly errno?: string | null;
}

export class LinkNodeClient {
  constructor(readonly process: NsProcess) {}

  get name(): string {
    return this.process.name;
  }

  /** Opens a link; rejects if the open fails. */
  async open(spec: LinkSpec): Promise<void> {
    await this.process.call({ cmd: 'open', link: spec });
  }

  /** Opens a link that is expected to fail, and resolves with the failure; rejects if it opens. */
  async openFailure(spec: LinkSpec): Promise<OpenFailure> {
    const reply = await this.process.request({ cmd: 'open', link: spec });
    if (reply['ok'] === true) throw new Error(`${this.name}: open of ${JSON.stringify(spec)} succeeded, expected a failure`);
    return reply['error'] as OpenFailure;
  }

  async close(link: string): Promise<void> {
    await this.process.call({ cmd: 'close', link });
  }

  /** Sends `count` frames (text, or text#0, text#1, ... when count > 1), `intervalMs` apart. */
  async send(link: string, text: string, options: { readonly to?: number; readonly count?: number; readonly intervalMs?: number } = {}): Promise<void> {
    await this.process.call({ cmd: 'send', link, text, ...options });
  }

  async stats<T>(link: string): Promise<T> {
    return (await this.process.call({ cmd: 'stats', link }))['stats'] as T;
  }

  /** The number of events so far, to look only at later ones. */
  cursor(): number {
    return this.process.cursor();
  }

  /** Frames received on `link` since `since`, as texts. */
  receivedTexts(link: string, since = 0): string[] {
    return this.process.events
      .slice(since)
      .filter((event) => event['event'] === 'receive' && event['link'] === link)
      .map((event) => String(event['text']));
  }

  /** State events of `link` since `since`. */
  states(link: string, since = 0): ChildMessage[] {
    return this.process.events.slice(since).filter((event) => event['event'] === 'state' && event['link'] === link);
  }

  /** Waits for a state event of `link` with state `state` (and a reason matching `reason`) after `since`. */
  waitForState(link: string, state: 'up' | 'down', options: { readonly since: number; readonly reason?: RegExp; readonly timeoutMs?: number }): Promise<ChildMessage> {
    return this.process.waitForEvent(
      (event) => event['event'] === 'state' && event['link'] === link && event['state'] === state && (options.reason === undefined || options.reason.test(String(event['reason']))),
      { what: `${this.name}'s link ${link} goes ${state}`, since: options.since, timeoutMs: options.timeoutMs ?? 5000 },
    );
  }
}

/**
 * Sends `text` from `from` on `fromLink` every 100 ms, heartbeat-like, until `to` has received it
 * on `toLink`, and resolves with the receive event. Rejects after `timeoutMs` (default 5 s).
 */
export async function expectDelivery(options: {
  readonly from: LinkNodeClient;
  readonly fromLink: string;
  readonly to: LinkNodeClient;
  readonly toLink: string;
  readonly text: string;
  readonly toNode?: number;
  readonly timeoutMs?: number;
}): Promise<ChildMessage> {
  const since = options.to.cursor();
  return eventually(
    async () => {
      const arrived = options.to.process.events
        .slice(since)
        .find((event) => event['event'] === 'receive' && event['link'] === options.toLink && event['text'] === options.text);
      if (arrived !== undefined) return arrived;
      await options.from.send(options.fromLink, options.text, options.toNode === undefined ? {} : { to: options.toNode });
      return undefined;
    },
    {
      what: `${options.to.name} receives "${options.text}" on ${options.toLink} from ${options.from.name}'s ${options.fromLink}`,
      timeoutMs: options.timeoutMs ?? 5000,
      intervalMs: 100,
      describe: () => `events of ${options.to.name}: ${JSON.stringify(options.to.process.events.slice(-10))}`,
    },
  );
}

/** Waits `settleMs` and then lists what `client` received on any of `links` since `since` that contains `marker`. */
export async function strayFrames(client: LinkNodeClient, links: readonly string[], marker: string, since: number, settleMs = 300): Promise<string[]> {
  await sleep(settleMs);
  return links.flatMap((link) => client.receivedTexts(link, since).filter((text) => text.includes(marker)).map((text) => `${link}: ${text}`));
}
