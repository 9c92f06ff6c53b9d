/**
 * Import of `<configuration>`: cluster options, nodes, resources, constraints, defaults, fencing
 * topology. Sections the model does not cover (acls, alerts, tags, unknown ones) are kept verbatim.
 */
import type { Configuration } from '../configuration.js';
import type { Constraint } from '../constraints.js';
import type { FencingLevel } from '../fencing-topology.js';
import { CLUSTER_OPTIONS, DEPRECATED_CLUSTER_OPTIONS, LEGACY_CLUSTER_OPTIONS } from '../known-names.js';
import type { ClusterNode, NodeType } from '../nodes.js';
import type { NvSet } from '../nvset.js';
import type { Resource } from '../resources.js';
import type { XmlElement } from '../xml-element.js';
import { parseNonNegativeInteger, type ElementReader } from './element-reader.js';
import { readConstraint } from './import-constraints.js';
import { readNvSet, type NameCheck } from './import-nvsets.js';
import { keepVerbatim } from './import-references.js';
import { checkOperationOptionName, checkResourceMetaName, readResource, similarName } from './import-resources.js';

/** Warns about cluster option names Pacemaker 2.1.5 does not know, or knows as deprecated. */
const checkClusterOptionName: NameCheck = (name, reader) => {
  const replacement = DEPRECATED_CLUSTER_OPTIONS.get(name);
  if (replacement !== undefined) {
    reader.warn('deprecated-option', `${reader.describe()}: cluster option '${name}' is deprecated (now '${replacement}'); kept as written`);
  } else if (LEGACY_CLUSTER_OPTIONS.has(name)) {
    reader.warn('deprecated-option', `${reader.describe()}: '${name}' is a legacy cluster option that pacemaker-3.x schemas refuse (the schema upgrade converts or drops it); kept as written`);
  } else if (!CLUSTER_OPTIONS.has(name)) {
    reader.warn('unknown-option', `${reader.describe()}: '${name}' is not a cluster option Pacemaker 2.1.5 knows${similarName(name, CLUSTER_OPTIONS)}; kept as written`);
  }
};

/** Reads `<configuration>`. */
export function readConfiguration(reader: ElementReader): Configuration {
  let crmConfig: NvSet[] | undefined;
  let nodes: ClusterNode[] | undefined;
  let resources: Resource[] | undefined;
  let constraints: Constraint[] | undefined;
  let rscDefaults: NvSet[] | undefined;
  let opDefaults: NvSet[] | undefined;
  let fencingTopology: FencingLevel[] | undefined;
  const unsupported: XmlElement[] = [];

  // Each section may appear once; a second one is an issue (Pacemaker would read only the first).
  const once = <T>(current: T | undefined, child: ElementReader, read: () => T): T => {
    if (current !== undefined) {
      child.fail(`${child.describe()}: <configuration> has more than one <${child.name}>`);
      return current;
    }
    return read();
  };

  for (const element of reader.allChildren()) {
    const child = reader.child(element);
    switch (element.name) {
      case 'crm_config':
        crmConfig = once(crmConfig, child, () => readSetList(child, 'cluster_property_set', checkClusterOptionName));
        break;
      case 'nodes':
        nodes = once(nodes, child, () => readList(child, 'node', readNode));
        break;
      case 'resources':
        resources = once(resources, child, () => readAll(child, readResource));
        break;
      case 'constraints':
        constraints = once(constraints, child, () => readAll(child, readConstraint));
        break;
      case 'rsc_defaults':
        rscDefaults = once(rscDefaults, child, () => readSetList(child, 'meta_attributes', checkResourceMetaName));
        break;
      case 'op_defaults':
        opDefaults = once(opDefaults, child, () => readSetList(child, 'meta_attributes', checkOperationOptionName));
        break;
      case 'fencing-topology':
        fencingTopology = once(fencingTopology, child, () => readList(child, 'fencing-level', readFencingLevel));
        break;
      case 'acls':
      case 'alerts':
      case 'tags':
        unsupported.push(keepVerbatim(child, `<${element.name}> is not supported by Heartline`));
        break;
      default:
        unsupported.push(keepVerbatim(child, `unknown configuration section <${element.name}>`));
    }
  }
  reader.finish();
  return {
    crmConfig: crmConfig ?? [],
    nodes: nodes ?? [],
    resources: resources ?? [],
    constraints: constraints ?? [],
    ...(rscDefaults !== undefined && { rscDefaults }),
    ...(opDefaults !== undefined && { opDefaults }),
    ...(fencingTopology !== undefined && { fencingTopology }),
    unsupported,
  };
}

function readSetList(reader: ElementReader, name: string, check: NameCheck): NvSet[] {
  return readList(reader, name, (r) => readNvSet(r, check));
}

function readList<T>(reader: ElementReader, name: string, read: (r: ElementReader) => T): T[] {
  const out = reader.children(name).map((e) => read(reader.child(e)));
  reader.finish();
  return out;
}

function readAll<T>(reader: ElementReader, read: (r: ElementReader) => T): T[] {
  const out = reader.allChildren().map((e) => read(reader.child(e)));
  reader.finish();
  return out;
}

const NODE_TYPES: readonly NodeType[] = ['member', 'ping', 'remote'];

function readNode(reader: ElementReader): ClusterNode {
  const id = reader.requiredString('id');
  const uname = reader.requiredString('uname');
  const type = reader.parsed('type', 'a node type (member, ping, remote)', (t): NodeType | undefined => {
    if (t.trim().toLowerCase() === 'normal') {
      reader.warn('deprecated-value', `${reader.describe()}: node type 'normal' is deprecated; read as member`, 'type');
      return 'member';
    }
    return NODE_TYPES.find((n) => n === t.trim().toLowerCase());
  });
  const description = reader.string('description');
  const score = reader.score('score');
  const instanceAttributes = reader.children('instance_attributes').map((e) => readNvSet(reader.child(e)));
  for (const e of reader.children('utilization')) {
    const child = reader.child(e);
    child.warn('ignored-element', `${child.describe()}: utilization is not modelled (placement strategies are out of scope); dropped`);
  }
  reader.finish();
  return {
    id,
    uname,
    ...(type !== undefined && { type }),
    ...(description !== undefined && { description }),
    ...(score !== undefined && { score }),
    instanceAttributes,
  };
}

function readFencingLevel(reader: ElementReader): FencingLevel {
  const id = reader.requiredString('id');
  const target = reader.string('target');
  const targetPattern = reader.string('target-pattern');
  const targetAttribute = reader.string('target-attribute');
  const targetValue = reader.string('target-value');
  const index = reader.requiredParsed('index', 'a positive integer', (t) => {
    const n = parseNonNegativeInteger(t);
    return n !== undefined && n > 0 ? n : undefined;
  }, 1);
  const devices = reader
    .requiredString('devices')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  reader.finish();
  return {
    id,
    ...(target !== undefined && { target }),
    ...(targetPattern !== undefined && { targetPattern }),
    ...(targetAttribute !== undefined && { targetAttribute }),
    ...(targetValue !== undefined && { targetValue }),
    index,
    devices,
  };
}
