/**
 * The configuration section of a CIB: what the operators asked for. It changes only through
 * configuration updates, each of which bumps the CIB's epoch.
 */
import type { Constraint } from './constraints.js';
import type { FencingLevel } from './fencing-topology.js';
import type { ClusterNode } from './nodes.js';
import type { NvSet } from './nvset.js';
import type { Resource } from './resources.js';
import type { XmlElement } from './xml-element.js';

/**
 * `<configuration>`. Optional sections are undefined when the CIB does not have the element (an
 * empty element is an empty list), so that export writes back exactly what import read.
 */
export interface Configuration {
  /**
   * `crm_config/cluster_property_set` blocks: the cluster options (stonith-enabled, stonith-action,
   * symmetric-cluster, no-quorum-policy, start-failure-is-fatal, maintenance-mode,
   * stop-orphan-resources, concurrent-fencing, batch-limit, ...). Resolve them with
   * resolveNvSets(crmConfig, { firstId: 'cib-bootstrap-options' }); defaults and the parsing of
   * each value are the policy engine's (they follow Pacemaker 2.1.5, and some defaults are build
   * options there).
   */
  readonly crmConfig: readonly NvSet[];
  readonly nodes: readonly ClusterNode[];
  /** Top-level resources in document order. */
  readonly resources: readonly Resource[];
  /** In document order. */
  readonly constraints: readonly Constraint[];
  /** `rsc_defaults/meta_attributes`: defaults of resource meta attributes. */
  readonly rscDefaults?: readonly NvSet[];
  /** `op_defaults/meta_attributes`: defaults of operation options (timeout, record-pending, ...). */
  readonly opDefaults?: readonly NvSet[];
  readonly fencingTopology?: readonly FencingLevel[];
  /** Sections the model does not interpret (acls, alerts, tags, ...), kept verbatim in order. */
  readonly unsupported: readonly XmlElement[];
}
