import type { Rule } from '../rule';
import { pluginsOnWaypoint } from './attachments';
import { admission, bindingSubjects, lookupWaypoint, noFallback, useWaypointOf } from './waypoints';

/** How to admit `consumer`, worded for how the waypoint admits namespaces now. */
function fixFor(result: 'denied' | 'unknown', from: string, consumer: string, waypoint: string): string {
  if (from === 'Selector') {
    // AllowedNamespaces.named() is a selector on one namespace's name: it cannot admit a second one.
    return result === 'unknown'
      ? `Give Namespace ${consumer} the labels the selector of waypoint ${waypoint} reads, or admit it on the waypoint by a label both carry: AllowedNamespaces.selector({ ... }) (or .all()).`
      : `Admit namespace ${consumer} on waypoint ${waypoint}: its selector must match ${consumer}'s labels. AllowedNamespaces.named() admits one namespace; for several, give their Namespaces a common label and use AllowedNamespaces.selector({ ... }) (or .all()).`;
  }
  return `Admit namespace ${consumer} on waypoint ${waypoint}: allowedNamespaces: AllowedNamespaces.named('${consumer}') (or .selector(...) / .all()).`;
}

export const bindingNotAllowed: Rule = {
  id: 'binding/not-allowed',
  severity: 'error',
  docs: {
    summary: "Using a waypoint needs the waypoint's HBONE listener to admit the consumer namespace (allowedRoutes: Same by default, only the waypoint's own namespace; All; or a Selector over the Namespace's labels, including kubernetes.io/metadata.name, which the waypoint's own namespace must match too). Otherwise istiod denies the binding (AttachmentDenied).",
    bad: `const infra = new MeshNamespace(app, 'infra', { enroll: false });
const shared = new Waypoint(infra, 'shared');
ns.useWaypoint(shared);`,
    message: `Namespace shop uses waypoint infra/shared from namespace shop, but the waypoint's allowedRoutes (from: Same) do not admit shop: istiod denies the binding (AttachmentDenied). Istio does not fall back to another waypoint: ztunnel fails open and sends this traffic straight to the workloads, so the policies on waypoint infra/shared do not run for it.`,
    fix: "Admit namespace shop on waypoint infra/shared: allowedNamespaces: AllowedNamespaces.named('shop') (or .selector(...) / .all()).",
  },
  check(ctx) {
    for (const s of bindingSubjects(ctx)) {
      const use = useWaypointOf(s.labels, s.namespace);
      // No same-namespace shortcut: istiod checks a Selector against the
      // waypoint's own namespace too (only `Same` admits it by definition).
      if (use.kind !== 'waypoint') continue;
      const found = lookupWaypoint(ctx, use.namespace, use.name);
      if (found.found !== 'waypoint') continue;
      const wp = found.waypoint;
      // The annotation binds another listener, whose allowedRoutes are not modelled: nothing to say.
      if (wp.inboundBinding) continue;
      const { result, from } = admission(ctx, wp, s.namespace);
      if (result === 'admitted') continue;
      const base = `${s.label} uses waypoint ${wp.namespace}/${wp.name} from namespace ${s.namespace}, but the waypoint's allowedRoutes (from: ${from})`;
      const own = wp.namespace === s.namespace ? ' (a selector applies to the waypoint\'s own namespace too)' : '';
      ctx.report(s.about, {
        message:
          result === 'denied'
            ? `${base} do not admit ${s.namespace}${own}: istiod denies the binding (AttachmentDenied). ${noFallback(wp, pluginsOnWaypoint(ctx, wp))}`
            : `${base} select on Namespace labels these manifests do not show; unless namespace ${s.namespace} carries them, istiod denies the binding (AttachmentDenied). ${noFallback(wp, pluginsOnWaypoint(ctx, wp))}`,
        severity: result === 'unknown' ? 'warning' : 'error',
        fix: fixFor(result, from, s.namespace, `${wp.namespace}/${wp.name}`),
      });
    }
  },
};
