export * from './mesh-baseline';
export * from './protected-service';
export { serviceWaypoint, ServiceWaypointBinding } from './service-waypoint';
export * from './stamp';
