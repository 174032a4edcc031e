import type { IWaypoint } from '../waypoint';
import { LABELS, NO_WAYPOINT } from '../labels';

/** The `use-waypoint` labels that bind an object in `namespace` to a waypoint (or opt it out). */
export function useWaypointLabels(namespace: string, waypoint: IWaypoint | typeof NO_WAYPOINT): Record<string, string> {
  if (waypoint === NO_WAYPOINT) return { [LABELS.useWaypoint]: NO_WAYPOINT };
  const labels: Record<string, string> = { [LABELS.useWaypoint]: waypoint.name };
  if (waypoint.namespace !== namespace) labels[LABELS.useWaypointNamespace] = waypoint.namespace;
  return labels;
}
