export { DEFAULT_EVENT_RETENTION_MS, DEFAULT_MAX_EVENTS, EVENT_KINDS, EVENT_LOG_FILE, EventLog, type ClusterEvent, type EventKind, type EventQuery, type LoggedEvent } from './event-log.js';
export { EventRecorder, type EventRecorderOptions } from './event-recorder.js';
export { serviceTimeline } from './service-timeline.js';
