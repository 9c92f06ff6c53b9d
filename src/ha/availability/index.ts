export { availabilityReport, type ResourceAvailability, type ServiceState, type ServiceStateChange } from './availability-report.js';
export { ServiceStateTracker, serviceStates, type ResourceSnapshot } from './service-state-tracker.js';
