import type { Rule } from '../rule';
import { bindingSubjects, USE_WAYPOINT, USE_WAYPOINT_NAMESPACE, useWaypointOf } from './waypoints';

export const bindingMissingUseWaypoint: Rule = {
  id: 'binding/missing-use-waypoint',
  severity: 'error',
  docs: {
    summary: 'istio.io/use-waypoint-namespace only says where the waypoint named by istio.io/use-waypoint lives; on its own Istio ignores it, so the object is not bound to the waypoint meant.',
    bad: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { istio.io/dataplane-mode: ambient, istio.io/use-waypoint-namespace: infra }`,
    message: 'Namespace shop has istio.io/use-waypoint-namespace=infra but no istio.io/use-waypoint: Istio ignores it, so the namespace uses no waypoint. Traffic bypasses the waypoint meant, and the plugins on it do not run for it.',
    fix: 'Add istio.io/use-waypoint with the waypoint name (MeshNamespace.useWaypoint(Waypoint.fromWaypointName(...)) writes both).',
  },
  check(ctx) {
    for (const s of bindingSubjects(ctx)) {
      const use = useWaypointOf(s.labels, s.namespace);
      if (use.kind !== 'unset' || !use.namespaceLabelOnly) continue;
      const fallback = s.role === 'namespace' ? 'so the namespace uses no waypoint' : "so it falls back to its Namespace's label (if any), not to a waypoint in that namespace";
      ctx.report(s.about, {
        message: `${s.label} has ${USE_WAYPOINT_NAMESPACE}=${s.labels[USE_WAYPOINT_NAMESPACE]} but no ${USE_WAYPOINT}: Istio ignores it, ${fallback}. Traffic bypasses the waypoint meant, and the plugins on it do not run for it.`,
      });
    }
  },
};
