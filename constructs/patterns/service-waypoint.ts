import { Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { Target } from '../app';
import { LABELS, NO_WAYPOINT } from '../labels';
import { fail, refuseOtherCopy } from '../internal/validate';
import { useWaypointLabels } from '../internal/waypoint-labels';
import { addExternalServiceLabels, ExternalService, externalServiceLabel, IMeshService, MeshService } from '../mesh-service';
import { MeshNamespace } from '../namespace';
import { isWaypoint, IWaypoint } from '../waypoint';

/** Which waypoint a Service's traffic goes through, as Istio decides from labels. */
export interface ServiceWaypointBinding {
  /**
   * Where the decision comes from: the Service's own `istio.io/use-waypoint`
   * label (which wins), its Namespace's, or neither.
   */
  readonly source: 'service' | 'namespace' | 'none';
  /** The waypoint's name; undefined when there is none or the Service opts out. */
  readonly name?: string;
  /** The waypoint's namespace (`istio.io/use-waypoint-namespace`, else the label owner's). */
  readonly namespace?: string;
  /** Whether the Service itself says `istio.io/use-waypoint: none`. */
  readonly optedOut: boolean;
}

/** The labels this app writes on a Service (none known for other IMeshService kinds). */
export function serviceLabels(service: IMeshService): Record<string, string> {
  const out: Record<string, string> = {};
  const read = (get: (k: string) => string | undefined) => {
    for (const key of [LABELS.useWaypoint, LABELS.useWaypointNamespace]) {
      const v = get(key);
      if (v !== undefined) out[key] = v;
    }
  };
  if (service instanceof MeshService) read((k) => service.service.metadata.getLabel(k));
  // Not through `apiObject`: asking would create the ApiObject it defers.
  else if (service instanceof ExternalService) read((k) => externalServiceLabel(service, k));
  return out;
}

/**
 * Whether `x` is a MeshNamespace. Not `instanceof`: cdk8s's Chart defines
 * `Symbol.hasInstance`, which every subclass inherits, so `x instanceof
 * MeshNamespace` is true for any Chart.
 */
export function isMeshNamespace(x: unknown): x is MeshNamespace {
  return MeshNamespace.isMeshNamespace(x);
}

/** The MeshNamespace a construct lives in, if it lives in one. */
export function meshNamespaceOf(c: IConstruct): MeshNamespace | undefined {
  let chart: Chart;
  try {
    chart = Chart.of(c);
  } catch {
    return undefined;
  }
  // Another copy's MeshNamespace is not one this copy can see into (its waypoint, its labels).
  refuseOtherCopy(c, chart, () => `the namespace of '${c.node.path}' was`);
  return isMeshNamespace(chart) ? chart : undefined;
}

/**
 * The waypoint a Service uses, from the labels this app writes: the Service
 * label wins over the Namespace label; `none` on the Service opts it out,
 * `none` on the Namespace means no namespace waypoint.
 */
export function serviceWaypoint(service: IMeshService & IConstruct): ServiceWaypointBinding {
  const own = serviceLabels(service);
  const ownName = own[LABELS.useWaypoint];
  if (ownName === NO_WAYPOINT) return { source: 'service', optedOut: true };
  if (ownName) return { source: 'service', name: ownName, namespace: own[LABELS.useWaypointNamespace] ?? service.namespace, optedOut: false };
  const ns = meshNamespaceOf(service);
  const nsName = ns?.labelValues[LABELS.useWaypoint];
  if (ns && nsName && nsName !== NO_WAYPOINT) {
    return { source: 'namespace', name: nsName, namespace: ns.labelValues[LABELS.useWaypointNamespace] ?? ns.name, optedOut: false };
  }
  return { source: 'none', optedOut: false };
}

/** The waypoint construct (owned or referenced) with this name and namespace, in the same target. */
export function findWaypoint(from: IConstruct, name: string, namespace: string): IWaypoint | undefined {
  const root = from.node.root;
  return root.node.findAll().find((c): c is IWaypoint & IConstruct => isWaypoint(c) && c.name === name && c.namespace === namespace && sameTarget(c, from));
}

function sameTarget(a: IConstruct, b: IConstruct): boolean {
  return Target.of(a) === Target.of(b);
}

/** Whether this app can write waypoint labels on the Service (it owns it, or references it as an ExternalService). */
export function canLabelService(service: IMeshService): boolean {
  return service instanceof MeshService || service instanceof ExternalService;
}

/**
 * Write `istio.io/use-waypoint` (and `-namespace`) on a Service: on the full
 * manifest of an owned Service, or on the label-only manifest of another
 * team's Service (the one `ExternalService` emits for its own labels, so the
 * Service keeps a single manifest that `apiObject` and `serviceWaypoint` see).
 */
export function labelServiceWaypoint(service: IMeshService & IConstruct, waypoint: IWaypoint): void {
  const labels = useWaypointLabels(service.namespace, waypoint);
  if (service instanceof MeshService) {
    for (const [k, v] of Object.entries(labels)) service.service.metadata.addLabel(k, v);
    return;
  }
  if (service instanceof ExternalService) {
    addExternalServiceLabels(service, labels);
    return;
  }
  failCannotLabel(service, waypoint.name);
}

export function failCannotLabel(service: IMeshService & IConstruct, waypointName: string): never {
  fail(service, 'protect/cannot-label', `cannot label Service '${service.name}' to use waypoint '${waypointName}': it is neither a MeshService nor an ExternalService`, 'Pass a MeshService or MeshService.fromServiceName(...), or give the waypoint explicitly and label the Service yourself.');
}
