import type { Rule } from '../rule';
import { pluginsOnWaypoint } from './attachments';
import { bindingSubjects, inheritingServices, lookupWaypoint, noFallback, useWaypointOf } from './waypoints';

const SERVICE_OK = ['service', 'all'];
const WORKLOAD_OK = ['workload', 'all'];

export const bindingTrafficType: Rule = {
  id: 'binding/traffic-type',
  severity: 'error',
  docs: {
    summary: "The waypoint a Service uses (its own label, or its Namespace's) must handle service traffic (istio.io/waypoint-for service or all); a Pod's own label needs workload or all. Otherwise istiod binds no waypoint at all (UnsupportedTrafficType), with no fallback.",
    bad: `const wp = new Waypoint(ns, 'pods-only', { waypointFor: WaypointFor.WORKLOAD });
MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: wp });`,
    message: 'Service shop/cart uses waypoint shop/pods-only, which handles only workload traffic (istio.io/waypoint-for): the Service gets no waypoint at all (UnsupportedTrafficType). Istio does not fall back to another waypoint: ztunnel fails open and sends this traffic straight to the workloads, so the policies on waypoint shop/pods-only do not run for it.',
    fix: "Use a waypoint whose waypointFor is SERVICE or ALL for Services (WORKLOAD or ALL for pods), or change the waypoint's waypointFor.",
  },
  check(ctx) {
    for (const s of bindingSubjects(ctx)) {
      const use = useWaypointOf(s.labels, s.namespace);
      if (use.kind !== 'waypoint') continue;
      const found = lookupWaypoint(ctx, use.namespace, use.name);
      if (found.found !== 'waypoint') continue;
      const wp = found.waypoint;
      const ok = s.role === 'workload' ? WORKLOAD_OK : SERVICE_OK;
      // Every Service of a mesh passes here: the message is built only for those that fail.
      if (ok.includes(wp.trafficType)) continue;
      const plugins = () => pluginsOnWaypoint(ctx, wp);
      const handles = `waypoint ${wp.namespace}/${wp.name}, which handles ${wp.trafficType === 'none' ? 'no' : `only ${wp.trafficType}`} traffic (istio.io/waypoint-for)`;
      if (s.role === 'service') {
        ctx.report(s.about, { message: `${s.label} uses ${handles}: the Service gets no waypoint at all (UnsupportedTrafficType). ${noFallback(wp, plugins())}` });
      } else if (s.role === 'workload') {
        ctx.report(s.about, { message: `${s.label} uses ${handles}: its pods get no waypoint (UnsupportedTrafficType). ${noFallback(wp, plugins())}` });
      } else if (s.role === 'namespace') {
        const services = inheritingServices(ctx, s.namespace);
        const who = services.length > 0 ? `${services.slice(0, 5).join(', ')}${services.length > 5 ? ` and ${services.length - 5} more` : ''}` : 'every Service in it without its own label';
        ctx.report(s.about, {
          message: `${s.label} uses ${handles}, and Services inherit the Namespace's waypoint: ${who} get${services.length === 1 ? 's' : ''} no waypoint (UnsupportedTrafficType). ${noFallback(wp, plugins())}`,
          severity: services.length > 0 || wp.trafficType === 'none' ? 'error' : 'warning',
        });
      }
    }
  },
};
