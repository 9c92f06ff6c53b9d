/**
 * The resource most cluster tests run, as the control socket's `cib-change` create takes it:
 * ocf:heartbeat:Dummy with a 2 s monitor (20 s timeout) and resource-stickiness 100, so that it
 * stays where it runs when a node comes back or leaves standby. `meta` adds meta attributes (e.g.
 * `priority`, which the priority fence delay reads).
 */
export function dummyPrimitive(id: string, options: { readonly meta?: Readonly<Record<string, string>> } = {}): Readonly<Record<string, unknown>> {
  const meta = { 'resource-stickiness': '100', ...options.meta };
  return {
    kind: 'primitive',
    id,
    class: 'ocf',
    provider: 'heartbeat',
    type: 'Dummy',
    instanceAttributes: [],
    metaAttributes: [{ id: `${id}-meta`, rules: [], pairs: Object.entries(meta).map(([name, value]) => ({ id: `${id}-${name === 'resource-stickiness' ? 'stickiness' : name}`, name, value })) }],
    operations: { ops: [{ id: `${id}-monitor-2s`, name: 'monitor', interval: 2000, timeout: 20000, instanceAttributes: [], metaAttributes: [] }] },
  };
}
