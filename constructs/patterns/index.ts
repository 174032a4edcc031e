export * from './mesh-baseline';
export * from './protected-service';
export { serviceWaypoint, type ServiceWaypointBinding } from './service-waypoint';
export * from './stamp';
export { PATTERN_RULES, PATTERNS_CHECKED_AT } from './rules';
