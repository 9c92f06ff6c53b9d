/**
 * Turns a transition graph action into the request a node's LRM runs: which agent, with which
 * parameters, meta attributes and timeout, expecting which rc. Read from the CIB on the DC, so
 * that every node runs what the DC planned and nothing else.
 */
import { listPrimitives, parseDuration, resolveNvSets, type Cib, type Clone, type Group, type Operation, type Primitive } from '../cib/index.js';
import type { Millis } from '../../lib/index.js';
import type { LrmOperation, LrmRequest } from './lrm-protocol.js';

/** Pacemaker's default operation timeout. */
export const DEFAULT_OP_TIMEOUT_MS = 20_000;

interface Entry {
  readonly primitive: Primitive;
  readonly group?: Group;
  readonly clone?: Clone;
}

export interface CatalogAction {
  readonly kind: string;
  readonly resource?: string;
  /** The node it runs on: where an orphan's agent is looked up in the status. */
  readonly node?: string;
  readonly interval: number;
}

export class ResourceCatalog {
  private readonly byId = new Map<string, Entry>();
  private readonly opDefaults: ReadonlyMap<string, string>;
  private readonly rscDefaults: ReadonlyMap<string, string>;

  constructor(private readonly cib: Cib) {
    for (const e of listPrimitives(cib.configuration.resources)) this.byId.set(e.primitive.id, e);
    this.opDefaults = resolveNvSets(cib.configuration.opDefaults ?? []);
    this.rscDefaults = resolveNvSets(cib.configuration.rscDefaults ?? []);
  }

  /** The request for a graph action, or an error naming what is missing. */
  request(action: CatalogAction, graph?: LrmRequest['graph']): { readonly ok: true; readonly request: LrmRequest } | { readonly ok: false; readonly message: string } {
    const operation = lrmOperation(action.kind);
    if (operation === undefined) return { ok: false, message: `action kind ${action.kind} is not a resource operation` };
    if (action.resource === undefined) return { ok: false, message: 'action names no resource' };
    const [base = action.resource, instance] = action.resource.split(':');
    const entry = this.byId.get(base);
    if (entry === undefined) return this.orphanRequest(action, operation, graph) ?? { ok: false, message: `resource ${base} is not in the configuration` };
    const meta = this.metaOf(entry);
    const unique = meta.get('globally-unique')?.toLowerCase() === 'true';
    const op = this.operationOf(entry.primitive, operation === 'monitor' && action.kind === 'probe' ? 'monitor' : operation, action.interval);
    const timeout = (op?.timeout ?? parseOptionalDuration(this.opDefaults.get('timeout')) ?? DEFAULT_OP_TIMEOUT_MS) as Millis;
    const crmMeta: Record<string, string> = { ...Object.fromEntries(meta), timeout: String(timeout), interval: String(action.interval) };
    if (entry.clone !== undefined && instance !== undefined) crmMeta.clone = instance;
    const expectedRc = action.kind === 'probe' ? 7 : operation === 'monitor' && op?.role === 'Promoted' ? 8 : 0;
    const request: LrmRequest = {
      resource: entry.clone !== undefined && unique ? action.resource : base,
      agent: { class: entry.primitive.class, ...(entry.primitive.provider === undefined ? {} : { provider: entry.primitive.provider }), type: entry.primitive.type },
      operation,
      interval: action.interval as Millis,
      timeout,
      params: Object.fromEntries(resolveNvSets(entry.primitive.instanceAttributes)),
      meta: crmMeta,
      expectedRc,
      ...(graph === undefined ? {} : { graph }),
    };
    return { ok: true, request };
  }

  /**
   * The stop of an orphan (a resource deleted from the configuration while it ran): the agent
   * comes from the node's operation history, as Pacemaker takes it from lrm_resource; the
   * parameters are the node LRM's own (`orphan`), since the configuration no longer has them.
   */
  private orphanRequest(action: CatalogAction, operation: LrmOperation, graph: LrmRequest['graph'] | undefined): { readonly ok: true; readonly request: LrmRequest } | undefined {
    if (operation !== 'stop' || action.resource === undefined || action.node === undefined) return undefined;
    const history = this.cib.status.nodes.find((n) => n.uname === action.node)?.lrm?.resources.find((r) => r.id === action.resource);
    if (history?.class === undefined || history.type === undefined) return undefined;
    const timeout = (parseOptionalDuration(this.opDefaults.get('timeout')) ?? DEFAULT_OP_TIMEOUT_MS) as Millis;
    const request: LrmRequest = {
      resource: action.resource,
      agent: { class: history.class, ...(history.provider === undefined ? {} : { provider: history.provider }), type: history.type },
      operation,
      interval: 0 as Millis,
      timeout,
      params: {},
      meta: { timeout: String(timeout), interval: '0' },
      expectedRc: 0,
      orphan: true,
      ...(graph === undefined ? {} : { graph }),
    };
    return { ok: true, request };
  }

  private metaOf(entry: Entry): Map<string, string> {
    const out = new Map(resolveNvSets(entry.primitive.metaAttributes));
    for (const parent of [entry.group, entry.clone]) {
      if (parent === undefined) continue;
      for (const [k, v] of resolveNvSets(parent.metaAttributes)) if (!out.has(k)) out.set(k, v);
    }
    for (const [k, v] of this.rscDefaults) if (!out.has(k)) out.set(k, v);
    return out;
  }

  private operationOf(primitive: Primitive, name: string, interval: number): Operation | undefined {
    return primitive.operations?.ops.find((o) => o.name === name && o.interval === interval);
  }
}

function lrmOperation(kind: string): LrmOperation | undefined {
  switch (kind) {
    case 'start':
    case 'stop':
    case 'monitor':
    case 'promote':
    case 'demote':
      return kind;
    case 'probe':
      return 'monitor';
    default:
      return undefined;
  }
}

function parseOptionalDuration(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}
