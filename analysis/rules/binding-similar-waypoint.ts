import { nearest } from '../../constructs/internal/validate';
import type { Rule } from '../rule';
import { isWaypointGateway, WAYPOINT_FOR } from './waypoints';

/**
 * Whether `a` and `b` look like siblings named on purpose (`waypoint-a` and
 * `waypoint-b`, `wp-1` and `wp-2`): the same length, differing only in the
 * last character. A typo swaps, drops or adds a letter.
 */
function siblings(a: string, b: string): boolean {
  return a.length === b.length && a.slice(0, -1) === b.slice(0, -1);
}

export const bindingSimilarWaypoint: Rule = {
  id: 'binding/similar-waypoint',
  severity: 'warning',
  docs: {
    summary:
      "A waypoint reference (Waypoint.fromWaypointName) names no waypoint this app declares, but is a letter or two from one it declares in the same namespace: most likely a typo. A reference is assumed to exist, so nothing else reports it, and explain simulates it as ready; in the cluster a missing waypoint binds nothing, and ztunnel fails open.",
    bad: `const ref = Waypoint.fromWaypointName(ns, 'waypoint-ref', { name: 'waypiont', namespace: 'shop' });
MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: ref });`,
    message:
      "Waypoint reference shop/waypiont is not declared in this target, and this app declares waypoint shop/waypoint in the same namespace. A reference is assumed to exist: if this one is a typo, istiod binds nothing to it (WaypointIsNotReady) and ztunnel fails open, so what uses it skips every waypoint policy.",
    fix: "Fix the reference's name, or pass the Waypoint construct itself. If it really is another team's waypoint, rename one of the two so that neither can be taken for the other.",
  },
  check(ctx) {
    const declared = new Map<string, string[]>();
    for (const g of ctx.ofKind('Gateway')) {
      if (g.ownership !== 'owned' || !isWaypointGateway(g.manifest)) continue;
      const ns = g.manifest.metadata.namespace ?? 'default';
      (declared.get(ns) ?? declared.set(ns, []).get(ns)!).push(g.manifest.metadata.name);
    }
    for (const r of ctx.references) {
      if (r.kind !== 'Gateway' || r.labels?.[WAYPOINT_FOR] === undefined) continue;
      const ns = r.namespace ?? 'default';
      const names = declared.get(ns);
      if (!names || names.includes(r.name)) continue;
      const near = nearest(r.name, names);
      if (near === undefined || siblings(near, r.name)) continue;
      ctx.report(r, {
        message: `Waypoint reference ${ns}/${r.name} is not declared in this target, and this app declares waypoint ${ns}/${near} in the same namespace. A reference is assumed to exist: if this one is a typo, istiod binds nothing to it (WaypointIsNotReady) and ztunnel fails open, so what uses it skips every waypoint policy.`,
      });
    }
  },
};
