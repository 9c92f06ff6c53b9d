// Builds small Pacemaker CIBs from inline XML pieces for the policy engine's tests.
import { importCibXml, type Cib } from '../../../../src/ha/cib/index.js';
import { normalizeSummaryLine, schedule, type PolicyResult } from '../../../../src/ha/policy/index.js';

export interface NodeSpec {
  readonly name: string;
  /** online (default), offline (clean), unclean (expected up, gone), or standby. */
  readonly state?: 'online' | 'offline' | 'unclean' | 'standby' | 'maintenance';
  /** lrm_resource elements for this node. */
  readonly lrm?: string;
  /** Transient attribute nvpairs, e.g. fail-count-rsc: INFINITY. */
  readonly transient?: Readonly<Record<string, string>>;
  /** Permanent node attributes (configuration/nodes/node/instance_attributes), e.g. site: east. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface CibSpec {
  readonly nodes: readonly NodeSpec[];
  readonly resources: string;
  readonly constraints?: string;
  readonly options?: Readonly<Record<string, string>>;
  readonly rscDefaults?: Readonly<Record<string, string>>;
  readonly quorum?: boolean;
}

let counter = 0;
const nv = (pairs: Readonly<Record<string, string>>): string => Object.entries(pairs).map(([k, v]) => `<nvpair id="nv${counter++}" name="${k}" value="${v}"/>`).join('');

/**
 * An lrm_resource with ops given as [operation, rc, callId, interval?, expectedRc?, lastRcChange?]
 * (the expected rc defaults to 7 for probes, else 0; lastRcChange is seconds since the epoch).
 */
export function lrm(id: string, ops: readonly (readonly [string, number, number, number?, number?, number?])[]): string {
  const body = ops
    .map(([op, rc, call, interval = 0, expected, changed]) => {
      const exp = expected ?? (op === 'monitor' && interval === 0 ? 7 : 0);
      const when = changed === undefined ? '' : ` last-rc-change="${changed}"`;
      return `<lrm_rsc_op id="${id}_${op}_${interval}_${call}" operation="${op}" interval="${interval}" call-id="${call}" rc-code="${rc}" op-status="0" transition-key="1:1:${exp}:abc" transition-magic="0:${rc};1:1:${exp}:abc"${when}/>`;
    })
    .join('');
  return `<lrm_resource id="${id}" class="ocf" provider="heartbeat" type="Dummy">${body}</lrm_resource>`;
}

/** Running (started, monitored) on a node. */
export const running = (id: string): string => lrm(id, [['start', 0, 2]]);

export function buildCib(spec: CibSpec): Cib {
  const nodes = spec.nodes.map((n, i) => {
    const attrs = (n.state === 'standby' ? nv({ standby: 'on' }) : n.state === 'maintenance' ? nv({ maintenance: 'true' }) : '') + (n.attributes === undefined ? '' : nv(n.attributes));
    return `<node id="n${i}" uname="${n.name}">${attrs === '' ? '' : `<instance_attributes id="na${i}">${attrs}</instance_attributes>`}</node>`;
  });
  const states = spec.nodes.map((n, i) => {
    const state = n.state ?? 'online';
    const up = state !== 'offline' && state !== 'unclean';
    const head = `<node_state id="n${i}" uname="${n.name}" in_ccm="${up}" crmd="${up ? 'online' : 'offline'}" join="${up ? 'member' : 'down'}" expected="${state === 'offline' ? 'down' : 'member'}">`;
    const transient = n.transient === undefined ? '' : `<transient_attributes id="t${i}"><instance_attributes id="ta${i}">${nv(n.transient)}</instance_attributes></transient_attributes>`;
    return `${head}${transient}<lrm id="l${i}"><lrm_resources>${n.lrm ?? ''}</lrm_resources></lrm></node_state>`;
  });
  const options = { 'stonith-enabled': 'false', ...spec.options };
  const defaults = spec.rscDefaults === undefined ? '' : `<rsc_defaults><meta_attributes id="rd">${nv(spec.rscDefaults)}</meta_attributes></rsc_defaults>`;
  const xml =
    `<cib admin_epoch="0" epoch="1" num_updates="1" have-quorum="${spec.quorum ?? true}" dc-uuid="n0" validate-with="pacemaker-3.0">` +
    `<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">${nv(options)}</cluster_property_set></crm_config>` +
    `<nodes>${nodes.join('')}</nodes><resources>${spec.resources}</resources><constraints>${spec.constraints ?? ''}</constraints>${defaults}</configuration>` +
    `<status>${states.join('')}</status></cib>`;
  const imported = importCibXml(xml);
  if (!imported.ok) throw new Error(`test CIB does not import: ${JSON.stringify(imported.error)}`);
  return imported.value.cib;
}

export const dummy = (id: string, meta: Readonly<Record<string, string>> = {}, ops = ''): string =>
  `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy">${Object.keys(meta).length === 0 ? '' : `<meta_attributes id="${id}-meta">${nv(meta)}</meta_attributes>`}${ops === '' ? '' : `<operations>${ops}</operations>`}</primitive>`;

/** Schedules and returns the normalised, sorted summary lines. */
export function summaryOf(cib: Cib, now = 1_700_000_000): string[] {
  return run(cib, now).summary.map(normalizeSummaryLine).sort();
}

export function run(cib: Cib, now = 1_700_000_000): PolicyResult {
  return schedule(cib, { now });
}

/** A `<meta_attributes>` block (empty string for no pairs). */
export const meta = (id: string, pairs: Readonly<Record<string, string>>): string => (Object.keys(pairs).length === 0 ? '' : `<meta_attributes id="${id}">${nv(pairs)}</meta_attributes>`);

/** A clone of `child` (a primitive or group XML) with clone meta attributes. */
export const clone = (id: string, child: string, pairs: Readonly<Record<string, string>> = {}): string => `<clone id="${id}">${meta(`${id}-meta`, pairs)}${child}</clone>`;

/** A promotable clone of `child`. */
export const promotable = (id: string, child: string, pairs: Readonly<Record<string, string>> = {}): string => clone(id, child, { promotable: 'true', ...pairs });

/** A group of member XMLs. */
export const group = (id: string, members: readonly string[], pairs: Readonly<Record<string, string>> = {}): string => `<group id="${id}">${meta(`${id}-meta`, pairs)}${members.join('')}</group>`;

/** An `<op>`; `extra` is added verbatim as attributes (e.g. `on-fail="block"`, `role="Promoted"`). */
export const op = (id: string, name: string, interval: string, extra = ''): string => `<op id="${id}" name="${name}" interval="${interval}"${extra === '' ? '' : ` ${extra}`}/>`;

/** Running and promoted on a node (start, promote). */
export const promoted = (id: string): string => lrm(id, [['start', 0, 2], ['promote', 0, 3]]);
