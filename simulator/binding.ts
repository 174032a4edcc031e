import { isDnsLabel, isDnsSubdomain } from '../constructs/internal/schemas';
import { LABELS, NO_WAYPOINT } from '../constructs/labels';
import type { GatewayInfo, MeshIndex, NamespaceInfo, ServiceInfo } from './mesh-index';
import { objectItems } from './mesh-index';
import { gatewayProxy, WAYPOINT_CLASS } from '../analysis/gateway-classes';
import type { TraceEntry } from './trace';

/**
 * Istio's reason for a Service's waypoint binding (the `istio.io/WaypointBound`
 * condition), plus the cases without a condition.
 */
export type BindingReason =
  | 'WaypointAccepted'
  /** No `istio.io/use-waypoint` on the Service or its Namespace. */
  | 'NoWaypoint'
  /** `istio.io/use-waypoint: none`. */
  | 'OptedOut'
  | 'WaypointIsNotReady'
  | 'AttachmentDenied'
  | 'UnsupportedTrafficType'
  /** A waypoint's own Service never gets a waypoint. */
  | 'IsWaypoint'
  /** The manifests do not say enough to decide. */
  | 'Undetermined';

export interface WaypointBinding {
  readonly reason: BindingReason;
  /** The waypoint service traffic goes through, when one is bound. */
  readonly waypoint?: GatewayInfo;
  /** Where the waypoint label came from. */
  readonly from?: 'Service' | 'Namespace';
  readonly trace: readonly TraceEntry[];
}

export interface BindingOptions {
  /**
   * A waypoint Gateway that a label names but the model does not hold:
   * `missing` (Istio: WaypointIsNotReady) or `assume-present` (owned by
   * another team, absent from our output).
   */
  readonly unlistedWaypoints: 'missing' | 'assume-present';
  /**
   * Waypoints (`namespace/name`) that an earlier revision owned and this one
   * no longer emits: GitOps prunes them, so they are missing whatever
   * `unlistedWaypoints` says.
   *
   * @default - none
   */
  readonly prunedWaypoints?: ReadonlySet<string>;
}

const FAILS_OPEN = 'ztunnel then sends the traffic straight to the Service\'s pods (it fails open): no waypoint plugin runs';

function labelText(labels: Readonly<Record<string, string>>, keys: readonly string[]): string {
  const shown = keys.filter((k) => labels[k] !== undefined).map((k) => `${k}=${labels[k]}`);
  return shown.length > 0 ? shown.join(', ') : 'no waypoint labels';
}

const WAYPOINT_KEYS = [LABELS.useWaypoint, LABELS.useWaypointNamespace, LABELS.ingressUseWaypoint];

export function describeService(s: ServiceInfo): TraceEntry {
  if (s.known === 'assumed') {
    return { step: 'assumption', detail: `Service ${s.namespace}/${s.name} is not in the manifests: assumed to exist without labels (another team's Service, absent from our output)` };
  }
  const from = s.known === 'reference' ? 'referenced by the policies' : `from ${s.where ?? 'the manifests'}`;
  return { step: 'binding', detail: `Service ${s.namespace}/${s.name} (${from}): ${labelText(s.labels, WAYPOINT_KEYS)}` };
}

export function describeNamespace(n: NamespaceInfo): TraceEntry {
  if (n.known === 'assumed') {
    return { step: 'assumption', detail: `Namespace ${n.name} is not in the manifests: assumed to exist without labels` };
  }
  return { step: 'binding', detail: `Namespace ${n.name} (from ${n.where ?? 'the manifests'}): ${labelText(n.labels, WAYPOINT_KEYS)}` };
}

/**
 * Which waypoint traffic addressed to a Service goes through, by istiod's
 * rules (`fetchWaypointForService`): the Service's own label over the
 * Namespace's, `none` opts out, and a named waypoint that is missing, denies
 * the namespace (allowedRoutes) or cannot take service traffic means no
 * waypoint at all: there is never a fallback to the namespace waypoint.
 */
export function bindService(index: MeshIndex, service: ServiceInfo, options: BindingOptions): WaypointBinding {
  const trace: TraceEntry[] = [describeService(service)];
  // istiod deploys a waypoint's Service under the Gateway's own name (the
  // waypoint controller's classes have no name suffix), labelled as managed by it.
  const ofWaypoint = index.gateway(service.namespace, service.name)?.proxy.kind === 'waypoint';
  if (ofWaypoint || service.labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller') {
    const why = ofWaypoint ? `the Service istiod deploys for waypoint ${service.namespace}/${service.name}` : "a waypoint's own Service (gateway.istio.io/managed=istio.io-mesh-controller)";
    trace.push({ step: 'binding', detail: `${service.namespace}/${service.name} is ${why}: it never gets a waypoint` });
    return { reason: 'IsWaypoint', trace };
  }
  const ns = index.namespace(service.namespace);
  trace.push(describeNamespace(ns));

  const own = service.labels[LABELS.useWaypoint];
  const inherited = ns.labels[LABELS.useWaypoint];
  const from: 'Service' | 'Namespace' | undefined = own !== undefined ? 'Service' : inherited !== undefined ? 'Namespace' : undefined;
  if (from === undefined) {
    trace.push({ step: 'binding', detail: `neither the Service nor Namespace ${ns.name} has ${LABELS.useWaypoint}: no waypoint, traffic goes from ztunnel straight to the pods` });
    return { reason: 'NoWaypoint', trace };
  }
  const labels = from === 'Service' ? service.labels : ns.labels;
  const value = labels[LABELS.useWaypoint];
  const overridden = from === 'Service' && inherited !== undefined && inherited !== NO_WAYPOINT ? ` (the Service label wins over the Namespace's ${LABELS.useWaypoint}=${inherited})` : '';
  if (value === NO_WAYPOINT) {
    trace.push({ step: 'binding', detail: `${from} has ${LABELS.useWaypoint}=none: opted out of any waypoint${overridden}` });
    return { reason: 'OptedOut', from, trace };
  }
  const wpNamespace = labels[LABELS.useWaypointNamespace] ?? (from === 'Service' ? service.namespace : ns.name);
  const noFallback = from === 'Service' && inherited !== undefined && inherited !== NO_WAYPOINT ? `; no fallback to ${inherited}, the Namespace's waypoint` : '';
  trace.push({ step: 'binding', detail: `${from} label ${LABELS.useWaypoint}=${value} names waypoint ${wpNamespace}/${value}${overridden}` });

  const fail = (reason: BindingReason, detail: string): WaypointBinding => {
    trace.push({ step: 'binding', detail: `${detail} => no waypoint (${reason})${noFallback}; ${FAILS_OPEN}` });
    return { reason, from, trace };
  };

  // Presence decides, not content: an empty label names a Gateway that cannot exist.
  if (value === '' || wpNamespace === '') {
    return fail('WaypointIsNotReady', `the waypoint label is empty, and no Gateway has an empty ${value === '' ? 'name' : 'namespace'}`);
  }
  // A label value may hold what no object name can (upper case, '_'): no such Gateway exists, whoever owns it.
  const badName = typeof value === 'string' && !isDnsSubdomain(value);
  if (badName || (typeof wpNamespace === 'string' && !isDnsLabel(wpNamespace))) {
    const what = badName ? `name ${JSON.stringify(value)} (object names are lower-case RFC 1123 subdomains)` : `namespace ${JSON.stringify(wpNamespace)} (namespace names are lower-case RFC 1123 labels)`;
    return fail('WaypointIsNotReady', `no Gateway can have the ${what}`);
  }
  let gw = index.gateway(wpNamespace, value);
  if (!gw) {
    if (options.prunedWaypoints?.has(`${wpNamespace}/${value}`)) {
      return fail('WaypointIsNotReady', `waypoint ${wpNamespace}/${value} was owned by the base revision and is no longer emitted: GitOps prunes it`);
    }
    if (options.unlistedWaypoints === 'missing') {
      return fail('WaypointIsNotReady', `waypoint ${wpNamespace}/${value} does not exist in this target`);
    }
    gw = { namespace: wpNamespace, name: value, known: 'assumed', className: WAYPOINT_CLASS, labels: {}, proxy: gatewayProxy(WAYPOINT_CLASS, undefined) };
    trace.push({ step: 'assumption', detail: `waypoint ${wpNamespace}/${value} is not in the manifests: assumed to exist and be ready, owned by another team, of class ${WAYPOINT_CLASS}, without labels (so it takes service traffic)` });
  } else if (gw.proxy.kind !== 'waypoint') {
    // istiod binds use-waypoint to a Gateway of any class once it has status.addresses (gatewayToWaypointTransform).
    const what = gw.className === undefined ? 'a Gateway referenced by the policies without a class' : `${gw.proxy.description}`;
    trace.push({ step: 'binding', detail: `Gateway ${wpNamespace}/${value} is ${what}; istiod binds to a Gateway of any class, so the binding is checked as for a waypoint` });
  }

  if (gw.refused) {
    trace.push({ step: 'binding', detail: `the API server refuses waypoint Gateway ${wpNamespace}/${value} as written (${gw.refused}): it is never created, so the Service binds to it only if an earlier admitted version exists, which is unknown offline` });
    return { reason: 'Undetermined', from, waypoint: gw, trace };
  }

  // allowedRoutes of the HBONE listener decides which namespaces may bind.
  const gatewayClass = index.gatewayClass(gw.className);
  const admission = admitsNamespace(gw, ns, gatewayClass?.annotations);
  if (admission.admitted === false) return fail('AttachmentDenied', admission.why);
  if (admission.admitted === 'unknown') {
    trace.push({ step: 'binding', detail: `${admission.why}: whether the waypoint binds is not simulated` });
    return { reason: 'Undetermined', from, waypoint: gw, trace };
  }
  trace.push({ step: gw.known === 'assumed' ? 'assumption' : 'binding', detail: admission.why });

  const classFor = gatewayClass?.labels[LABELS.waypointFor];
  const trafficType = gw.labels[LABELS.waypointFor] ?? classFor ?? 'service';
  const typeSource = gw.labels[LABELS.waypointFor] !== undefined ? `its ${LABELS.waypointFor} label` : classFor !== undefined ? `GatewayClass ${gw.className}'s ${LABELS.waypointFor} label` : `no ${LABELS.waypointFor} label, so the default`;
  if (trafficType !== 'service' && trafficType !== 'all') {
    return fail('UnsupportedTrafficType', `waypoint ${wpNamespace}/${value} takes ${JSON.stringify(trafficType)} traffic (${typeSource}), not service traffic`);
  }
  trace.push({ step: 'binding', detail: `waypoint ${wpNamespace}/${value} takes ${trafficType} traffic (${typeSource}) => bound (WaypointAccepted): service traffic goes through it` });
  return { reason: 'WaypointAccepted', from, waypoint: gw, trace };
}

interface Admission {
  readonly admitted: boolean | 'unknown';
  readonly why: string;
}

/** Binds ztunnel's inbound tunnel to a listener, whose allowedRoutes istiod then reads instead of the HBONE listener's. */
const INBOUND_BINDING = 'ambient.istio.io/waypoint-inbound-binding';

/**
 * `allowedRoutes.namespaces` of the waypoint's HBONE listener (port 15008),
 * default `Same`. `classAnnotations`: those of the waypoint's GatewayClass,
 * when its manifest is present.
 */
export function admitsNamespace(gw: GatewayInfo, ns: NamespaceInfo, classAnnotations?: Readonly<Record<string, string>>): Admission {
  const label = `waypoint ${gw.namespace}/${gw.name}`;
  if (gw.known === 'assumed') {
    if (gw.namespace === ns.name) return { admitted: true, why: `${label} is in the same namespace, which the default allowedRoutes (Same) admits` };
    // The default (Same, as istioctl generates it) would deny; only All or a matching Selector admits.
    return { admitted: 'unknown', why: `${label} is not in the manifests, so its allowedRoutes are unknown: it admits namespace ${ns.name} only with from All or a Selector that matches it (the default, Same, does not)` };
  }
  // The Gateway's annotation wins over its GatewayClass's (istio-ambient-facts.md §2.3, §3.1).
  const boundBy = gw.annotations?.[INBOUND_BINDING] !== undefined ? 'the Gateway' : classAnnotations?.[INBOUND_BINDING] !== undefined ? `its GatewayClass ${gw.className}` : undefined;
  if (boundBy) {
    return { admitted: 'unknown', why: `${label}: ${boundBy} has annotation ${INBOUND_BINDING}, so istiod takes allowedRoutes from the listener it binds (when one matches) instead of the HBONE listener's, which is not simulated` };
  }
  const listener = gw.listeners?.find((l) => l.port === 15008 && l.protocol === 'HBONE');
  // A waypoint proxy without it never becomes ready; istiod reads any other Gateway without one as allowedRoutes Same (makeAllowedRoutes).
  if (!listener && gw.proxy.kind === 'waypoint') return { admitted: 'unknown', why: `${label} has no HBONE listener on port 15008` };
  const routes = (listener?.allowedRoutes ?? {}) as { namespaces?: { from?: unknown; selector?: LabelSelector } };
  const from = routes.namespaces?.from ?? 'Same';
  if (from === 'All') return { admitted: true, why: `${label} admits every namespace (allowedRoutes from: All)` };
  if (from === 'Same') {
    return gw.namespace === ns.name
      ? { admitted: true, why: `${label} is in the same namespace (allowedRoutes from: Same)` }
      : { admitted: false, why: `${label} admits only its own namespace (allowedRoutes from: Same${!listener ? ', as for every Gateway without an HBONE listener' : listener.allowedRoutes === undefined ? ', the default' : ''}), not ${ns.name}` };
  }
  if (from === 'Selector') {
    // A null selector is one the API server drops: none.
    const selector = routes.namespaces?.selector ?? undefined;
    const match = selector === undefined ? false : selectorMatches(selector, ns.labels);
    if (match) return { admitted: true, why: `${label} admits namespace ${ns.name}: its labels match the allowedRoutes selector` };
    const unknownKeys = selector === undefined || ns.labelsComplete ? [] : selectorKeys(selector).filter((k) => ns.labels[k] === undefined);
    if (unknownKeys.length > 0) {
      return { admitted: 'unknown', why: `${label}'s allowedRoutes selector reads label(s) ${unknownKeys.join(', ')} of namespace ${ns.name}, which another team owns and the manifests do not show` };
    }
    return { admitted: false, why: `${label}'s allowedRoutes selector does not match namespace ${ns.name}'s labels (we are not permitted to attach to waypoint "${gw.namespace}/${gw.name}")` };
  }
  return { admitted: false, why: `${label} has allowedRoutes from: ${JSON.stringify(from)}, which admits no namespace` };
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

type Expression = NonNullable<LabelSelector['matchExpressions']>[number];

function selectorKeys(selector: LabelSelector): string[] {
  return [...Object.keys(selector.matchLabels ?? {}), ...objectItems<Expression>(selector.matchExpressions).map((e) => e.key)];
}

/** A Kubernetes label selector; an empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = objectItems<Expression>(selector.matchExpressions).every((e) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        return has && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn':
        return !has || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export interface IngressUse {
  readonly uses: boolean;
  readonly trace: readonly TraceEntry[];
}

/**
 * `istio.io/ingress-use-waypoint`: the Service label if present, else the
 * Namespace's, parsed like Go's strconv.ParseBool (an invalid value is false).
 * Without it, traffic from an ingress gateway goes straight to the Service.
 */
export function ingressUsesWaypoint(index: MeshIndex, service: ServiceInfo): IngressUse {
  const key = LABELS.ingressUseWaypoint;
  const ns = index.namespace(service.namespace);
  const from = service.labels[key] !== undefined ? 'Service' : ns.labels[key] !== undefined ? 'Namespace' : undefined;
  if (from === undefined) {
    return { uses: false, trace: [{ step: 'ingress-use-waypoint', detail: `neither the Service nor Namespace ${ns.name} has ${key}: traffic from the ingress gateway goes straight to the Service, skipping the waypoint` }] };
  }
  const value = from === 'Service' ? service.labels[key] : ns.labels[key];
  if (GO_TRUE.has(value)) {
    return { uses: true, trace: [{ step: 'ingress-use-waypoint', detail: `${from} has ${key}=${value}: traffic from the ingress gateway goes through the waypoint too` }] };
  }
  const why = GO_FALSE.has(value) ? `${key}=${value}` : `${key}=${JSON.stringify(value)} is not a boolean (Go ParseBool), so istiod treats it as false`;
  return { uses: false, trace: [{ step: 'ingress-use-waypoint', detail: `${from} has ${why}: traffic from the ingress gateway goes straight to the Service, skipping the waypoint` }] };
}
