import type { Rule, RuleContext } from '../rule';
import { resolveRef } from './attachments';
import { isAuthPlugin, pluginSubject, pluginView, type PluginTargetRef } from './plugin-spec';
import { admittedFrom, bindingSubjects, useWaypointOf, USE_WAYPOINT, USE_WAYPOINT_NAMESPACE } from './waypoints';

/** `namespace/name` of every waypoint a Namespace, Service or workload of the target names (istio.io/use-waypoint). */
function namedWaypoints(ctx: RuleContext): Set<string> {
  const named = new Set<string>();
  const add = (labels: Readonly<Record<string, string>>, namespace: string) => {
    const use = useWaypointOf(labels, namespace);
    if (use.kind === 'waypoint') named.add(`${use.namespace}/${use.name}`);
  };
  for (const s of bindingSubjects(ctx)) add(s.labels, s.namespace);
  // Another team's Service or Namespace referenced with the labels it has in the cluster.
  for (const r of ctx.references) {
    if (r.labels?.[USE_WAYPOINT] !== undefined || r.labels?.[USE_WAYPOINT_NAMESPACE] !== undefined) add(r.labels, r.kind === 'Namespace' ? r.name : (r.namespace ?? ''));
  }
  return named;
}

export const pluginUnusedWaypoint: Rule = {
  id: 'plugin/unused-waypoint',
  severity: 'warning',
  docs: {
    summary:
      "An auth plugin on a waypoint that no Namespace, Service or workload sends traffic to (none has `istio.io/use-waypoint` naming it) checks nothing: the requests it was meant to guard reach the workloads without it. The usual cause is a waypoint created without `useWaypoint` (what `istioctl waypoint apply --enroll-namespace` adds by hand). A warning: Services of another app may name it. A waypoint that admits other namespaces (`allowedNamespaces`) is not reported, and neither is one another app owns (`Waypoint.fromWaypointName`).",
    bad: `// waypoint: new Waypoint(ns, 'waypoint'), and no ns.useWaypoint(waypoint)
new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }] });`,
    message:
      'WasmPlugin shop/auth (an auth plugin) runs on waypoint shop/waypoint, but no Namespace, Service or workload here names that waypoint in istio.io/use-waypoint: no traffic goes through it, so the plugin checks no request',
    fix: 'Send the traffic through the waypoint: useWaypoint(waypoint) on its MeshNamespace (istioctl waypoint apply --enroll-namespace), or on the Services to protect. If another app labels its Services with it, nothing is wrong.',
  },
  check(ctx) {
    let named: Set<string> | undefined;
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      // Most plugins of a mesh target Services: skip them before anything is looked up.
      if (!p.targetRefs.some(isGatewayRef) || !isAuthPlugin(p)) continue;
      for (const ref of p.targetRefs) {
        if (!isGatewayRef(ref)) continue;
        const r = resolveRef(ctx, p, ref);
        // Only a waypoint this app emits: a referenced one is another app's, with users of its own.
        if (r.kind !== 'gateway' || !r.waypoint || !('manifest' in r.about)) continue;
        // One that admits other namespaces is meant for users this model may not hold.
        if (admittedFrom(r.waypoint) !== 'Same') continue;
        named ??= namedWaypoints(ctx);
        const key = `${r.waypoint.namespace}/${r.waypoint.name}`;
        if (named.has(key)) continue;
        ctx.report(o, {
          message: `${pluginSubject(p)} (an auth plugin) runs on waypoint ${key}, but no Namespace, Service or workload here names that waypoint in istio.io/use-waypoint: no traffic goes through it, so the plugin checks no request`,
        });
      }
    }
  },
};

const isGatewayRef = (ref: PluginTargetRef) => ref.kind === 'Gateway';
