import type { Rule } from '../rule';
import { isWaypointReference } from '../../compiler/model';
import { gatewayProxyOf } from './waypoints';

/**
 * Whether `a` is one slip of the keyboard from `b`: a letter dropped or
 * added, two neighbours swapped, or one letter replaced other than the last
 * (siblings named on purpose, `waypoint-a` and `waypoint-b`, differ there;
 * `waypoint-eu` and `waypoint-us`, two apart, are not one slip either).
 */
function oneSlip(a: string, b: string): boolean {
  if (a === b) return false;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (long.length - short.length === 1) {
    for (let i = 0; i < long.length; i++) if (long.slice(0, i) + long.slice(i + 1) === short) return true;
    return false;
  }
  if (a.length !== b.length) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
  if (diff.length === 1) return diff[0] !== a.length - 1;
  return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]];
}

export const bindingSimilarWaypoint: Rule = {
  id: 'binding/similar-waypoint',
  severity: 'warning',
  docs: {
    summary:
      "A waypoint reference (Waypoint.fromWaypointName) names no waypoint this app declares, but is one slip of the keyboard from one it declares in the same namespace (a letter dropped, added or swapped with its neighbour, or replaced other than the last): most likely a typo. A reference is assumed to exist, so nothing else reports it, and explain simulates it as ready; in the cluster a missing waypoint binds nothing, and ztunnel fails open.",
    bad: `const ref = Waypoint.fromWaypointName(ns, 'waypoint-ref', { name: 'waypiont', namespace: 'shop' });
MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: ref });`,
    message:
      "Waypoint reference shop/waypiont is not declared in this target, and this app declares waypoint shop/waypoint in the same namespace. A reference is assumed to exist: if this one is a typo, istiod binds nothing to it (WaypointIsNotReady) and ztunnel fails open, so what uses it skips every waypoint policy.",
    fix: "Fix the reference's name, or pass the Waypoint construct itself. If it really is another team's waypoint, rename one of the two so that neither can be taken for the other.",
  },
  check(ctx) {
    const declared = new Map<string, string[]>();
    for (const g of ctx.ofKind('Gateway')) {
      if (g.ownership !== 'owned' || gatewayProxyOf(ctx, g.manifest).kind !== 'waypoint') continue;
      const ns = g.manifest.metadata.namespace ?? 'default';
      (declared.get(ns) ?? declared.set(ns, []).get(ns)!).push(g.manifest.metadata.name);
    }
    for (const r of ctx.references) {
      if (!isWaypointReference(r)) continue;
      const ns = r.namespace ?? 'default';
      const names = declared.get(ns);
      if (!names || names.includes(r.name)) continue;
      const near = names.find((n) => oneSlip(r.name, n));
      if (near === undefined) continue;
      ctx.report(r, {
        message: `Waypoint reference ${ns}/${r.name} is not declared in this target, and this app declares waypoint ${ns}/${near} in the same namespace. A reference is assumed to exist: if this one is a typo, istiod binds nothing to it (WaypointIsNotReady) and ztunnel fails open, so what uses it skips every waypoint policy.`,
      });
    }
  },
};
