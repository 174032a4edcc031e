import type { Rule } from '../rule';
import { bindingSubjects, labelsOf, useWaypointOf, type BindingSubject } from './waypoints';

const DATAPLANE_MODE = 'istio.io/dataplane-mode';

export const bindingNotEnrolled: Rule = {
  id: 'binding/not-enrolled',
  severity: 'warning',
  docs: {
    summary:
      "A Namespace explicitly out of ambient mode (`istio.io/dataplane-mode=none`) whose own `istio.io/use-waypoint` label, or that of a Service in it, names a waypoint. Only pods ztunnel captures (the Namespace labelled ambient, or the pod itself) have their requests redirected to waypoints, so this namespace's pods skip every waypoint as clients, and the waypoint's plugins run only for clients that are in the mesh. `istioctl waypoint apply --enroll-namespace` warns about such a namespace. A Namespace without the label is not reported: its enrollment is decided elsewhere.",
    bad: `const legacy = new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.NONE });
legacy.useWaypoint(new Waypoint(legacy, 'waypoint'));`,
    message:
      'Namespace legacy is out of the ambient mesh (istio.io/dataplane-mode=none) but its use-waypoint label names waypoint legacy/waypoint: its pods are not captured, so their own requests skip every waypoint, and the plugins of legacy/waypoint run only for clients that are in the mesh (istioctl waypoint apply --enroll-namespace warns about such a namespace)',
    fix: "Enroll the namespace (dataplaneMode: DataplaneMode.AMBIENT, the default) so its pods are captured and go through their waypoints; or, if it stays out of the mesh, drop the waypoint labels (useWaypoint: 'none' on the namespace, or leave useWaypoint out).",
  },
  check(ctx) {
    const outside = ctx.ofKind('Namespace').filter((o) => labelsOf(o.manifest)[DATAPLANE_MODE] === 'none');
    if (outside.length === 0) return;
    // One pass over the Services, not one per Namespace: a cluster may keep many namespaces out of ambient.
    const servicesIn = new Map<string, BindingSubject[]>();
    for (const s of bindingSubjects(ctx)) {
      if (s.role === 'service') (servicesIn.get(s.namespace) ?? servicesIn.set(s.namespace, []).get(s.namespace)!).push(s);
    }
    for (const o of outside) {
      const labels = labelsOf(o.manifest);
      const name = o.manifest.metadata.name;
      const holders: string[] = [];
      const waypoints = new Set<string>();
      const own = useWaypointOf(labels, name);
      if (own.kind === 'waypoint') {
        holders.push('its use-waypoint label');
        waypoints.add(`${own.namespace}/${own.name}`);
      }
      const services = new Set<string>();
      for (const s of servicesIn.get(name) ?? []) {
        const use = useWaypointOf(s.labels, s.namespace);
        if (use.kind !== 'waypoint') continue;
        services.add(s.label);
        waypoints.add(`${use.namespace}/${use.name}`);
      }
      if (services.size > 0) holders.push(`the use-waypoint label${services.size > 1 ? 's' : ''} of ${[...services].sort().join(', ')}`);
      if (waypoints.size === 0) continue;
      const named = [...waypoints].sort().join(', ');
      const verb = holders.length === 1 && services.size <= 1 ? 'names' : 'name';
      ctx.report(o, {
        message: `Namespace ${name} is out of the ambient mesh (${DATAPLANE_MODE}=none) but ${holders.join(' and ')} ${verb} waypoint${waypoints.size > 1 ? 's' : ''} ${named}: its pods are not captured, so their own requests skip every waypoint, and the plugins of ${named} run only for clients that are in the mesh (istioctl waypoint apply --enroll-namespace warns about such a namespace)`,
      });
    }
  },
};

