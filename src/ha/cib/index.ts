// The CIB (cluster information base) as an immutable snapshot model, with Pacemaker CIB XML import
// and export. A pure core: no I/O, no clock; fast-xml-parser (pure JavaScript) does the parsing.
// The model keeps Pacemaker's concepts and names so that the policy engine can be written against
// it directly; each type's doc comment says what it means in Pacemaker.
export { compareCibVersions, formatCibVersion } from './cib.js';
export type { Cib, CibHeader, CibVersion } from './cib.js';
export { canonicalCibText, canonicalJson, cibDigest, cibEquals, configurationDigest, deepFreeze } from './canonical.js';
export { applyCibChange } from './cib-change.js';
export type { CibChange, CibChangeError, CibChangeMeta, NodeMembershipState } from './cib-change.js';
export { formatCibTimestamp } from './cib-timestamp.js';
export type { Configuration } from './configuration.js';
export { sanitizeXmlId, xmlIdProblem } from './configuration-ids.js';
export { checkResourceMeta, checkResourceParam } from './option-values.js';
export type { OptionProblem } from './option-values.js';
export { findResource } from './resource-tree.js';
export type { ResourcePlace } from './resource-tree.js';
export { CONSTRAINT_ACTIONS, ORDER_KINDS } from './constraints.js';
export type {
  ColocationConstraint,
  ColocationSubject,
  Constraint,
  ConstraintAction,
  LocationConstraint,
  LocationPlacement,
  LocationSubject,
  OrderConstraint,
  OrderKind,
  OrderSubject,
  ResourceSet,
  UnsupportedConstraint,
} from './constraints.js';
export { formatDuration, parseDuration } from './duration.js';
export type { FencingLevel } from './fencing-topology.js';
export {
  CLUSTER_OPTIONS,
  DEPRECATED_CLUSTER_OPTIONS,
  DEPRECATED_RESOURCE_META_ATTRIBUTES,
  LEGACY_CLUSTER_OPTIONS,
  META_NAMES_IN_INSTANCE_ATTRIBUTES,
  OPERATION_OPTIONS,
  RESOURCE_META_ATTRIBUTES,
} from './known-names.js';
export type { ClusterNode, NodeType } from './nodes.js';
export { OP_STATUS, UNKNOWN_TRANSITION, failCountAttributeName, lastFailureAttributeName, operationFailed, operationKey, recordOperation } from './operation-record.js';
export type { OperationResult, TransitionRef } from './operation-record.js';
export { resolveNvSets } from './nvset.js';
export type { NvPair, NvSet, ResolveNvSetsOptions } from './nvset.js';
export { formatPacemakerBoolean, parsePacemakerBoolean } from './pacemaker-boolean.js';
export { ON_FAIL_VALUES, RESOURCE_CLASSES, isPromotableClone, listPrimitives } from './resources.js';
export type { Clone, Group, OnFail, Operation, OperationSet, Primitive, Resource, ResourceClass, UnsupportedResource } from './resources.js';
export { ROLES, parseRole } from './role.js';
export type { Role } from './role.js';
export type { AttributeExpression, ExpressionOperation, ExpressionType, ExpressionValueSource, NestedRuleExpression, Rule, RuleExpression, UnsupportedExpression } from './rule.js';
export { SCORE_INFINITY, addScores, clampScore, formatScore, parseScore } from './score.js';
export type { Score } from './score.js';
export type { LrmHistory, LrmResource, LrmRscOp, NodeState, Status, TransientAttributes } from './status.js';
export { xmlAttribute } from './xml-element.js';
export type { XmlAttribute, XmlElement } from './xml-element.js';
export { compareCibXml } from './xml/compare-cib-xml.js';
export type { XmlDifference } from './xml/compare-cib-xml.js';
export { cibToXmlElement, exportCibXml } from './xml/export-cib.js';
export { importCibXml } from './xml/import-cib.js';
export type { CibImport } from './xml/import-cib.js';
export { DROPPING_WARNINGS, formatCibImportError } from './xml/import-diagnostics.js';
export type { CibImportError, CibIssue, CibWarning, CibWarningKind } from './xml/import-diagnostics.js';
export { parseXml } from './xml/parse-xml.js';
export type { SourceComment, SourceElement, SourceNode, SourceText, XmlSyntaxError } from './xml/parse-xml.js';
export { writeXml } from './xml/write-xml.js';
export { CIB_PROTOCOL } from './cib-messages.js';
export type { CibMessage } from './cib-messages.js';
export { CibReplica, emptyCib } from './cib-replica.js';
export type { CibChangeRejection, CibReplicaEffect, CibReplicaInput, CibReplicaOptions, CibRequestResult } from './cib-replica.js';
