import type { Rule } from '../rule';
import { resolveRef } from './attachments';
import { pluginView, refLabel } from './plugin-spec';
import type { Resolution } from './waypoints';

function why(r: Resolution, lenient: boolean): string {
  if (r.use.kind === 'opt-out') return `it opts out with istio.io/use-waypoint=none${r.source === 'namespace' ? ' (from its Namespace)' : ''}`;
  if (r.use.kind !== 'waypoint') return 'neither it nor its Namespace has istio.io/use-waypoint';
  const named = `${r.use.namespace}/${r.use.name}`;
  switch (r.unbound) {
    case 'missing':
      // Manifests alone cannot tell: another team's waypoint (Waypoint.fromWaypointName) is not in them.
      return lenient ? `the waypoint it names, ${named}, is not in these manifests, and if it does not exist in the cluster it binds nothing` : `the waypoint it names, ${named}, does not exist`;
    case 'denied':
      return `waypoint ${named} does not admit its namespace (allowedRoutes)`;
    case 'traffic-type':
      return `waypoint ${named} handles ${r.waypoint?.trafficType} traffic, not service traffic`;
    default:
      return 'it has no waypoint';
  }
}

export const pluginTargetWithoutWaypoint: Rule = {
  id: 'plugin/target-without-waypoint',
  severity: 'error',
  docs: {
    summary: 'A plugin that targets a Service or ServiceEntry runs only on that Service\'s waypoint; if the Service gets no waypoint, the plugin never runs and its traffic goes unchecked. With `validate --manifests`, a waypoint the label names that is not in the manifests is a warning: it may be another team\'s, in the cluster. So is another team\'s ServiceEntry (a ServiceEntryReference) in a namespace without the label: its own labels are not in the app.',
    bad: `const cart = MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: 'none' });
new WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', targets: [cart] });`,
    message: `spec.targetRefs[0] targets Service cart, which gets no waypoint: it opts out with istio.io/use-waypoint=none. Service-targeted plugins only run on the Service's waypoint, so this plugin never runs for it`,
    fix: "Bind the Service to a waypoint that handles service traffic (useWaypoint), or target the waypoint itself.",
  },
  check(ctx) {
    const fromManifests = ctx.model.origin === 'manifests';
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      for (const ref of p.targetRefs) {
        const r = resolveRef(ctx, p, ref);
        if (r.kind !== 'service') continue;
        const res = r.resolution;
        if (res.waypoint && !res.unbound) {
          const wp = res.waypoint;
          if (wp.proxy.kind === 'waypoint') continue;
          // istiod binds the Service to a Gateway of any class, but attaches Service targets only on waypoint proxies.
          const known = wp.proxy.kind === 'istio-gateway';
          ctx.report(o, {
            message: known
              ? `${ref.path} targets ${refLabel(ref)}, whose waypoint ${wp.namespace}/${wp.name} is ${wp.proxy.description}: istiod attaches Service- and ServiceEntry-targeted plugins only on waypoint proxies, so this plugin never runs there, and the Service's traffic through that Gateway goes unchecked by it (only plugins targeting Gateway ${wp.name} itself run there)`
              : `${ref.path} targets ${refLabel(ref)}, whose waypoint ${wp.namespace}/${wp.name} is ${wp.proxy.description}: istiod attaches Service- and ServiceEntry-targeted plugins only on Istio waypoint proxies, so whether this plugin runs for the Service is unknown`,
            fix: known
              ? `Target the Gateway itself (its plugins run for everything through it), or bind the Service to an Istio waypoint (class istio-waypoint).`
              : `Check that the proxy of that Gateway enforces this plugin's policy, or bind the Service to an Istio waypoint (class istio-waypoint).`,
            severity: known && !res.uncertain ? 'error' : 'warning',
          });
          continue;
        }
        // A Namespace we cannot see may still name a waypoint.
        if (res.uncertain && res.use.kind === 'unset') continue;
        // Another team's ServiceEntry, referenced by name: its own labels are
        // not in this app, and no prop can declare them, so it may well carry
        // istio.io/use-waypoint itself.
        if (ref.kind === 'ServiceEntry' && !('manifest' in r.about) && res.use.kind === 'unset') {
          ctx.report(o, {
            severity: 'warning',
            message: `${ref.path} targets ${refLabel(ref)}, whose labels are not in this app, and its Namespace has no istio.io/use-waypoint: unless the ServiceEntry itself carries istio.io/use-waypoint, it gets no waypoint and this plugin never runs for it`,
            fix: 'Check that the ServiceEntry is labelled istio.io/use-waypoint in the cluster, or give its Namespace a waypoint (useWaypoint).',
          });
          continue;
        }
        const lenient = fromManifests && res.unbound === 'missing';
        ctx.report(o, {
          message: `${ref.path} targets ${refLabel(ref)}, which ${lenient ? 'may get' : 'gets'} no waypoint: ${why(res, lenient)}. Service-targeted plugins only run on the Service's waypoint, so this plugin ${lenient ? 'would then never run' : 'never runs'} for it`,
          severity: res.uncertain || lenient ? 'warning' : undefined,
        });
      }
    }
  },
};
