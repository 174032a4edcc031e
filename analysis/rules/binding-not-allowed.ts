import type { Rule } from '../rule';
import { pluginsOnWaypoint } from './attachments';
import { admission, bindingSubjects, lookupWaypoint, noFallback, useWaypointOf } from './waypoints';

export const bindingNotAllowed: Rule = {
  id: 'binding/not-allowed',
  severity: 'error',
  docs: {
    summary: "Using a waypoint in another namespace needs the waypoint's HBONE listener to admit the consumer namespace (allowedRoutes: Same by default; All; or a Selector over the Namespace's labels, including kubernetes.io/metadata.name). Otherwise istiod denies the binding (AttachmentDenied).",
    bad: `const infra = new MeshNamespace(app, 'infra', { enroll: false });
const shared = new Waypoint(infra, 'shared');
ns.useWaypoint(shared);`,
    message: `Namespace shop uses waypoint infra/shared from namespace shop, but the waypoint's allowedRoutes (from: Same) do not admit shop: istiod denies the binding (AttachmentDenied). Istio does not fall back to another waypoint: ztunnel fails open and sends this traffic straight to the workloads, so the policies on waypoint infra/shared do not run for it.`,
    fix: "Admit the namespace on the waypoint: allowedNamespaces: AllowedNamespaces.named('shop') (or .selector(...) / .all()).",
  },
  check(ctx) {
    for (const s of bindingSubjects(ctx)) {
      const use = useWaypointOf(s.labels, s.namespace);
      if (use.kind !== 'waypoint' || use.namespace === s.namespace) continue;
      const found = lookupWaypoint(ctx, use.namespace, use.name);
      if (found.found !== 'waypoint') continue;
      const wp = found.waypoint;
      const { result, from } = admission(ctx, wp, s.namespace);
      if (result === 'admitted') continue;
      const base = `${s.label} uses waypoint ${wp.namespace}/${wp.name} from namespace ${s.namespace}, but the waypoint's allowedRoutes (from: ${from})`;
      ctx.report(s.about, {
        message:
          result === 'denied'
            ? `${base} do not admit ${s.namespace}: istiod denies the binding (AttachmentDenied). ${noFallback(wp, pluginsOnWaypoint(ctx, wp))}`
            : `${base} select on Namespace labels these manifests do not show; unless namespace ${s.namespace} carries them, istiod denies the binding (AttachmentDenied). ${noFallback(wp, pluginsOnWaypoint(ctx, wp))}`,
        severity: result === 'unknown' ? 'warning' : 'error',
      });
    }
  },
};
