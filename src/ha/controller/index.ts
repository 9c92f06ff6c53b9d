export { Controller, type ControllerEffect, type ControllerEvent, type ControllerInput, type ControllerNode, type ControllerOptions, type StatusChanges, type ViewMember } from './controller.js';
export { CONTROLLER_PROTOCOL, type ControllerMessage } from './controller-messages.js';
export { OP_STATUS, resultMatches, type LrmOperation, type LrmRequest, type LrmResult } from './lrm-protocol.js';
export { DEFAULT_OP_TIMEOUT_MS, ResourceCatalog, type CatalogAction } from './resource-catalog.js';
export { cibStatusChanges } from './status-changes.js';
export { FencedMembers } from './fenced-members.js';
