import type { Rule } from '../rule';
import { lookupWaypoint, noFallback, bindingSubjects, USE_WAYPOINT, USE_WAYPOINT_NAMESPACE, useWaypointOf } from './waypoints';

export const bindingUnknownWaypoint: Rule = {
  id: 'binding/unknown-waypoint',
  severity: 'error',
  docs: {
    summary: 'istio.io/use-waypoint must name a waypoint that exists (emitted or referenced); istiod does not fall back to the namespace waypoint, and ztunnel fails open, so the traffic skips every waypoint policy. With `validate --manifests` a missing waypoint is a warning, since it may exist in the cluster. istiod binds to a Gateway of any class (a class `istio` gateway sandwich, a kgateway waypoint); a class that is neither an Istio builtin nor a GatewayClass in the target is a warning, since which proxy runs is then unknown.',
    bad: `new MeshNamespace(app, 'orders').apiObject?.metadata.addLabel('istio.io/use-waypoint', 'waypoint'); // by name, through the escape hatch`,
    message: 'Namespace orders uses waypoint orders/waypoint, which is neither declared nor referenced in this target. If it does not exist, istiod binds nothing (WaypointIsNotReady). Istio does not fall back to another waypoint: ztunnel fails open and sends this traffic straight to the workloads, so no waypoint policy (WasmPlugin or AuthorizationPolicy) runs for it.',
    fix: 'Create the waypoint (new Waypoint(...)), reference it (Waypoint.fromWaypointName), or fix the name; Waypoint constructs write these labels for you.',
  },
  check(ctx) {
    const lenient = ctx.model.origin === 'manifests';
    for (const s of bindingSubjects(ctx)) {
      const use = useWaypointOf(s.labels, s.namespace);
      if (use.kind !== 'waypoint') continue;
      const { namespace: ns, name: named } = use;
      if (named === '' || ns === '') {
        const which = named === '' ? USE_WAYPOINT : USE_WAYPOINT_NAMESPACE;
        ctx.report(s.about, {
          message: `${s.label} has an empty ${which} label. istiod reads a present label, even an empty one, as naming a waypoint (here ${JSON.stringify(`${ns}/${named}`)}), which cannot exist: it binds nothing (WaypointIsNotReady). ${noFallback(undefined, [])}`,
          fix: `Remove the ${which} label to inherit the Namespace's waypoint, or set it to a waypoint's name (or "none" to opt out).`,
        });
        continue;
      }
      const found = lookupWaypoint(ctx, ns, named);
      if (found.found === 'waypoint') {
        // istiod binds to a Gateway of any class; what an Istio gateway or another
        // controller's proxy does with plugins, plugin/target-without-waypoint says.
        const proxy = found.waypoint.proxy;
        if (proxy.kind === 'unknown') {
          ctx.report(s.about, {
            message: `${s.label} uses waypoint ${ns}/${named}, a Gateway of ${proxy.description}. istiod binds the traffic to it once it is ready, whatever its class, but whether it is a waypoint proxy that runs this target's waypoint plugins is not known here.`,
            fix: "Use a Gateway of class istio-waypoint (or a GatewayClass with controller istio.io/mesh-controller), or put its GatewayClass in the manifests (validate --manifests), or fix the class name.",
            severity: 'warning',
          });
        }
        continue;
      }
      ctx.report(s.about, {
        message: `${s.label} uses waypoint ${ns}/${named}, which is ${lenient ? 'not in these manifests' : 'neither declared nor referenced in this target'}. If it does not exist, istiod binds nothing (WaypointIsNotReady). ${noFallback(undefined, [])}`,
        severity: lenient ? 'warning' : 'error',
      });
    }
  },
};
