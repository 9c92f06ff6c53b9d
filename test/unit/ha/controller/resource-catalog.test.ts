import { describe, expect, it } from 'vitest';
import { ResourceCatalog } from '../../../../src/ha/controller/resource-catalog.js';
import { buildCib, dummy, running } from '../policy/cib-builder.js';

describe('ResourceCatalog', () => {
  it('stops an orphan (deleted from the configuration while it ran) with the agent from its history and the node LRM’s own parameters', () => {
    const cib = buildCib({ nodes: [{ name: 'n1', lrm: running('gone') }, { name: 'n2' }], resources: dummy('kept') });
    const catalog = new ResourceCatalog(cib);
    const stop = catalog.request({ kind: 'stop', resource: 'gone', node: 'n1', interval: 0 });
    expect(stop).toMatchObject({ ok: true, request: { resource: 'gone', agent: { class: 'ocf', provider: 'heartbeat', type: 'Dummy' }, operation: 'stop', params: {}, expectedRc: 0, orphan: true } });
    // Nothing but a stop, and only where it has history.
    const start = catalog.request({ kind: 'start', resource: 'gone', node: 'n1', interval: 0 });
    expect(start.ok ? '' : start.message).toMatch(/gone is not in the configuration/);
    expect(catalog.request({ kind: 'stop', resource: 'gone', node: 'n2', interval: 0 })).toMatchObject({ ok: false });
    // A configured resource is unchanged.
    expect(catalog.request({ kind: 'stop', resource: 'kept', node: 'n1', interval: 0 })).toMatchObject({ ok: true, request: { resource: 'kept' } });
    const kept = catalog.request({ kind: 'stop', resource: 'kept', node: 'n1', interval: 0 });
    expect(kept.ok && kept.request.orphan).toBeFalsy();
  });
});
