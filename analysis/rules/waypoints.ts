/**
 * How istiod binds Services, Namespaces and workloads to waypoints
 * (shared/reference/istio-ambient-facts.md §2.3, §3.2, §3.3), over the model
 * of one target: the lookups the `binding/*` and waypoint-plugin rules share.
 */
import { type KubeObject, type ModelObject, type ModelReference } from '../../compiler/model';
import type { RuleContext } from '../rule';
import { isPlainObject } from '../schema/issue';
import { HBONE_LISTENER } from '../schema/gateway';
import { DECLARED_CONTROLLER, gatewayProxy, MESH_CONTROLLER, referenceClass, type GatewayProxy } from '../gateway-classes';

export const USE_WAYPOINT = 'istio.io/use-waypoint';
export const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
export const WAYPOINT_FOR = 'istio.io/waypoint-for';
export const TRAFFIC_TYPES = ['service', 'workload', 'all', 'none'] as const;
export type TrafficType = (typeof TRAFFIC_TYPES)[number];

export interface WaypointInfo {
  readonly namespace: string;
  readonly name: string;
  /** What istiod uses: the Gateway label, else the GatewayClass label, else `service`; unknown values act as `none`. */
  readonly trafficType: TrafficType;
  /** The HBONE listener's allowedRoutes (undefined: the default, `Same`). */
  readonly allowedRoutes: unknown;
  /**
   * What runs there. istiod binds to a Gateway of any class; only on a
   * `waypoint` proxy do Service-targeted plugins attach.
   */
  readonly proxy: GatewayProxy;
  /** An `ambient.istio.io/waypoint-inbound-binding` annotation (Gateway or class) picks another listener's allowedRoutes. */
  readonly inboundBinding: boolean;
  readonly about: ModelObject | ModelReference;
}

export const labelsOf = (m: { metadata?: { labels?: unknown } }): Record<string, string> =>
  (isPlainObject(m.metadata?.labels) ? m.metadata.labels : {}) as Record<string, string>;

/**
 * Whether a Gateway manifest, alone, is a waypoint: class `istio-waypoint`, or
 * a class the Waypoint construct declared a waypoint class. Where the target's
 * GatewayClasses are at hand, `gatewayProxyOf` decides.
 */
export function isWaypointGateway(m: KubeObject): boolean {
  return isPlainObject(m.spec) && gatewayProxy(m.spec.gatewayClassName, undefined, m.metadata.annotations?.[DECLARED_CONTROLLER]).kind === 'waypoint';
}

export const INBOUND_BINDING = 'ambient.istio.io/waypoint-inbound-binding';

function gatewayClassOf(ctx: RuleContext, className: unknown): KubeObject | undefined {
  return typeof className === 'string' ? ctx.find('GatewayClass', undefined, className)?.manifest : undefined;
}

/** The `spec.controllerName` of a GatewayClass of the target (undefined: none, or no spec to tell). */
export function controllerOf(gatewayClass: KubeObject | undefined): unknown {
  return gatewayClass && isPlainObject(gatewayClass.spec) ? gatewayClass.spec.controllerName : undefined;
}

/** What runs for a Gateway manifest of this target (see analysis/gateway-classes.ts). */
export function gatewayProxyOf(ctx: RuleContext, m: KubeObject, gatewayClass = gatewayClassOf(ctx, isPlainObject(m.spec) ? m.spec.gatewayClassName : undefined)): GatewayProxy {
  return gatewayProxy(isPlainObject(m.spec) ? m.spec.gatewayClassName : undefined, controllerOf(gatewayClass), m.metadata.annotations?.[DECLARED_CONTROLLER]);
}

/** istiod reads `istio.io/waypoint-for` from the Gateway, else from its own GatewayClass, else `service`. */
function trafficTypeOf(gatewayLabels: Record<string, string>, gatewayClass: KubeObject | undefined): TrafficType {
  const value = gatewayLabels[WAYPOINT_FOR] ?? (gatewayClass ? labelsOf(gatewayClass)[WAYPOINT_FOR] : undefined) ?? 'service';
  return (TRAFFIC_TYPES as readonly string[]).includes(value) ? (value as TrafficType) : 'none';
}

function hboneAllowedRoutes(m: KubeObject): unknown {
  const listeners = isPlainObject(m.spec) && Array.isArray(m.spec.listeners) ? m.spec.listeners : [];
  const hbone = listeners.find((l) => isPlainObject(l) && l.port === HBONE_LISTENER.port && l.protocol === HBONE_LISTENER.protocol);
  return isPlainObject(hbone) ? hbone.allowedRoutes : undefined;
}

export type WaypointLookup =
  /**
   * A Gateway of that name: istiod binds to it whatever its class;
   * `waypoint.proxy` says whether it is an Istio waypoint proxy.
   */
  | { readonly found: 'waypoint'; readonly waypoint: WaypointInfo }
  | { readonly found: 'nothing' };

/** The Gateway `namespace/name` in this target that `istio.io/use-waypoint` binds to: emitted or referenced. */
export function lookupWaypoint(ctx: RuleContext, namespace: string, name: string): WaypointLookup {
  const about = ctx.find('Gateway', namespace, name) ?? ctx.findReference('Gateway', namespace, name);
  if (!about) return { found: 'nothing' };
  // Every Service and plugin of a namespace asks for the same waypoint, in
  // several rules: describe each Gateway once per context (as resolveRef does).
  let known = lookups.get(ctx);
  if (!known) lookups.set(ctx, (known = new WeakMap()));
  let lookup = known.get(about);
  if (!lookup) known.set(about, (lookup = describeGateway(ctx, namespace, name, about)));
  return lookup;
}

const lookups = new WeakMap<RuleContext, WeakMap<ModelObject | ModelReference, WaypointLookup>>();

function describeGateway(ctx: RuleContext, namespace: string, name: string, about: ModelObject | ModelReference): WaypointLookup {
  if ('manifest' in about) {
    const m = about.manifest;
    const gatewayClass = gatewayClassOf(ctx, isPlainObject(m.spec) ? m.spec.gatewayClassName : undefined);
    const inboundBinding = m.metadata.annotations?.[INBOUND_BINDING] !== undefined || (gatewayClass !== undefined && annotationsOf(gatewayClass)[INBOUND_BINDING] !== undefined);
    return {
      found: 'waypoint',
      waypoint: { namespace, name, trafficType: trafficTypeOf(labelsOf(m), gatewayClass), allowedRoutes: hboneAllowedRoutes(m), proxy: gatewayProxyOf(ctx, m, gatewayClass), inboundBinding, about },
    };
  }
  // Waypoint.fromWaypointName states a waypoint of its class; a GatewayReference says nothing of its class.
  const className = referenceClass(about);
  const gatewayClass = gatewayClassOf(ctx, className);
  const proxy = gatewayProxy(className, controllerOf(gatewayClass), className === undefined ? undefined : MESH_CONTROLLER);
  return {
    found: 'waypoint',
    waypoint: { namespace, name, trafficType: trafficTypeOf({ ...about.labels }, gatewayClass), allowedRoutes: about.allowedRoutes, proxy, inboundBinding: false, about },
  };
}

function annotationsOf(m: KubeObject): Record<string, unknown> {
  return isPlainObject(m.metadata.annotations) ? m.metadata.annotations : {};
}

const waypointsByContext = new WeakMap<RuleContext, WaypointInfo[]>();

/** Every Istio waypoint proxy of the target, emitted or referenced, in a stable order (computed once per context). */
export function allWaypoints(ctx: RuleContext): readonly WaypointInfo[] {
  const cached = waypointsByContext.get(ctx);
  if (cached) return cached;
  const out: WaypointInfo[] = [];
  const seen = new Set<string>();
  const add = (ns: string | undefined, name: string) => {
    const key = `${ns ?? ''}/${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const l = lookupWaypoint(ctx, ns ?? '', name);
    if (l.found === 'waypoint' && l.waypoint.proxy.kind === 'waypoint') out.push(l.waypoint);
  };
  for (const o of ctx.ofKind('Gateway')) add(o.manifest.metadata.namespace, o.manifest.metadata.name);
  for (const r of ctx.references) if (r.kind === 'Gateway') add(r.namespace, r.name);
  out.sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  waypointsByContext.set(ctx, out);
  return out;
}

/** The waypoints a plugin in `namespace` could have been meant for: in it, or used by it. */
export function waypointsAround(ctx: RuleContext, namespace: string): WaypointInfo[] {
  const used = useWaypointOf(namespaceLabels(ctx, namespace).labels, namespace);
  return allWaypoints(ctx).filter((w) => w.namespace === namespace || (used.kind === 'waypoint' && used.namespace === w.namespace && used.name === w.name));
}

/** What an object's own `use-waypoint` labels say. */
export type UseWaypoint =
  | { readonly kind: 'unset'; readonly namespaceLabelOnly: boolean }
  | { readonly kind: 'opt-out' }
  | { readonly kind: 'waypoint'; readonly namespace: string; readonly name: string };

export function useWaypointOf(labels: Readonly<Record<string, string>>, ownNamespace: string): UseWaypoint {
  const name = labels[USE_WAYPOINT];
  if (name === undefined) return { kind: 'unset', namespaceLabelOnly: labels[USE_WAYPOINT_NAMESPACE] !== undefined };
  if (name === 'none') return { kind: 'opt-out' };
  // istiod reads presence, not content: an empty label (or namespace label)
  // names a waypoint that cannot exist, and it does not fall back.
  return { kind: 'waypoint', namespace: labels[USE_WAYPOINT_NAMESPACE] ?? ownNamespace, name };
}

/** The labels known for a namespace: its Namespace object's, plus the one the API server sets. */
export function namespaceLabels(ctx: RuleContext, namespace: string): { labels: Record<string, string>; object?: ModelObject } {
  const o = ctx.find('Namespace', undefined, namespace);
  return { labels: { ...(o ? labelsOf(o.manifest) : {}), 'kubernetes.io/metadata.name': namespace }, object: o };
}

/** Kubernetes label-selector semantics (matchLabels AND matchExpressions). */
export function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isPlainObject(selector)) return false; // from: Selector without a selector admits nothing
  const ml = isPlainObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of exprs) {
    if (!isPlainObject(e) || typeof e.key !== 'string') return false;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Keys a selector reads (to tell "does not match" from "cannot know"). */
function selectorKeys(selector: unknown): string[] {
  if (!isPlainObject(selector)) return [];
  const keys = Object.keys(isPlainObject(selector.matchLabels) ? selector.matchLabels : {});
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (isPlainObject(e) && typeof e.key === 'string') keys.push(e.key);
  }
  return keys;
}

export type Admission = 'admitted' | 'denied' | 'unknown';

function allowedNamespaces(wp: WaypointInfo): Record<string, unknown> {
  return isPlainObject(wp.allowedRoutes) && isPlainObject(wp.allowedRoutes.namespaces) ? wp.allowedRoutes.namespaces : {};
}

/** `allowedRoutes.namespaces.from` as Gateway API reads it: `Same` when unset. */
export function admittedFrom(wp: WaypointInfo): string {
  const from = allowedNamespaces(wp).from;
  return typeof from === 'string' ? from : 'Same';
}

/**
 * Whether the waypoint's allowedRoutes admit bindings from `consumerNamespace`.
 * `unknown` when a selector reads Namespace labels this model cannot see (the
 * Namespace is another team's, so it may carry labels we do not write).
 */
export function admission(ctx: RuleContext, wp: WaypointInfo, consumerNamespace: string): { result: Admission; from: string } {
  const ns = allowedNamespaces(wp);
  const from = admittedFrom(wp);
  // The annotation binds another listener (a gateway sandwich's PROXY listener), whose allowedRoutes are not modelled.
  if (wp.inboundBinding) return { result: 'unknown', from };
  if (from === 'All') return { result: 'admitted', from };
  if (from === 'Same') return { result: consumerNamespace === wp.namespace ? 'admitted' : 'denied', from };
  if (from !== 'Selector') return { result: 'denied', from };
  const { labels, object } = namespaceLabels(ctx, consumerNamespace);
  if (selectorMatches(ns.selector, labels)) return { result: 'admitted', from };
  const readsUnseen = selectorKeys(ns.selector).some((k) => !(k in labels));
  const weOwnIt = object?.ownership === 'owned';
  return { result: readsUnseen && !weOwnIt ? 'unknown' : 'denied', from };
}

/** Why an object ends up with no waypoint although it names one. */
export type Unbound = 'missing' | 'denied' | 'traffic-type';

export interface Resolution {
  /** Where the deciding label sits. */
  readonly source: 'own' | 'namespace' | 'none';
  readonly use: UseWaypoint;
  readonly waypoint?: WaypointInfo;
  /** Set when the object gets no waypoint despite a label naming one. */
  readonly unbound?: Unbound;
  /** The Namespace's labels were not in the model: the result is a guess. */
  readonly uncertain?: boolean;
}

/**
 * The waypoint a Service or ServiceEntry really gets: its own label first
 * (no fallback to the namespace's), else the Namespace's; the waypoint must
 * exist, admit the namespace, and handle service traffic.
 */
export function resolveServiceWaypoint(ctx: RuleContext, service: { namespace: string; labels: Readonly<Record<string, string>> }): Resolution {
  let use = useWaypointOf(service.labels, service.namespace);
  let source: Resolution['source'] = 'own';
  let uncertain = false;
  if (use.kind === 'unset') {
    const ns = namespaceLabels(ctx, service.namespace);
    uncertain = !ns.object && ctx.model.origin === 'manifests';
    use = useWaypointOf(ns.labels, service.namespace);
    source = use.kind === 'unset' ? 'none' : 'namespace';
  }
  if (use.kind !== 'waypoint') return { source, use, uncertain };
  const found = lookupWaypoint(ctx, use.namespace, use.name);
  if (found.found !== 'waypoint') return { source, use, unbound: 'missing', uncertain };
  const wp = found.waypoint;
  if (admission(ctx, wp, service.namespace).result === 'denied') return { source, use, waypoint: wp, unbound: 'denied', uncertain };
  if (wp.trafficType !== 'service' && wp.trafficType !== 'all') return { source, use, waypoint: wp, unbound: 'traffic-type', uncertain };
  return { source, use, waypoint: wp, uncertain };
}

/** The words every binding finding ends with: what Istio does instead. */
export function noFallback(wp: { namespace: string; name: string } | undefined, plugins: readonly string[]): string {
  const which = !wp
    ? 'no waypoint policy (WasmPlugin or AuthorizationPolicy) runs for it'
    : plugins.length > 0
      ? `the plugins on waypoint ${wp.namespace}/${wp.name} (${plugins.join(', ')}) do not run for it`
      : `the policies on waypoint ${wp.namespace}/${wp.name} do not run for it`;
  return `Istio does not fall back to another waypoint: ztunnel fails open and sends this traffic straight to the workloads, so ${which}.`;
}

export function labelsOfObject(o: ModelObject | ModelReference): Record<string, string> {
  if ('manifest' in o) return labelsOf(o.manifest);
  return { ...(o.labels ?? {}) };
}

/** Pod labels of a workload: a Pod's own, or the template of a controller. */
export function workloadPodLabels(m: KubeObject): Record<string, string> | undefined {
  if (m.kind === 'Pod' || m.kind === 'WorkloadEntry') return labelsOf(m);
  const spec = isPlainObject(m.spec) ? m.spec : undefined;
  const template = m.kind === 'CronJob' && spec && isPlainObject(spec.jobTemplate) && isPlainObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec.template : spec?.template;
  if (!isPlainObject(template) || !WORKLOAD_KINDS.includes(m.kind)) return undefined;
  return labelsOf(template as { metadata?: { labels?: unknown } });
}

export const WORKLOAD_KINDS = ['Pod', 'WorkloadEntry', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

/** An object whose labels can bind traffic to a waypoint. */
export interface BindingSubject {
  readonly about: ModelObject;
  /** The namespace asking to bind (a Namespace's own name). */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Which traffic the binding is for. */
  readonly role: 'namespace' | 'service' | 'workload';
  /** `Service shop/cart`, `Deployment shop/cart (pod template)`. */
  readonly label: string;
}

const SERVICE_KINDS = ['Service', 'ServiceEntry'];

const subjectsByContext = new WeakMap<RuleContext, BindingSubject[]>();

/** Every Namespace, Service, ServiceEntry and workload (with its pod labels) of the target, computed once per context. */
export function bindingSubjects(ctx: RuleContext): readonly BindingSubject[] {
  const cached = subjectsByContext.get(ctx);
  if (cached) return cached;
  const out: BindingSubject[] = [];
  for (const o of ctx.objects) {
    const m = o.manifest;
    const ns = m.metadata.namespace ?? '';
    if (m.kind === 'Namespace') {
      out.push({ about: o, namespace: m.metadata.name, labels: labelsOf(m), role: 'namespace', label: `Namespace ${m.metadata.name}` });
    } else if (SERVICE_KINDS.includes(m.kind)) {
      out.push({ about: o, namespace: ns, labels: labelsOf(m), role: 'service', label: `${m.kind} ${ns}/${m.metadata.name}` });
    } else if (WORKLOAD_KINDS.includes(m.kind)) {
      const labels = workloadPodLabels(m);
      const template = m.kind === 'Pod' || m.kind === 'WorkloadEntry' ? '' : ' (pod template)';
      if (labels) out.push({ about: o, namespace: ns, labels, role: 'workload', label: `${m.kind} ${ns}/${m.metadata.name}${template}` });
    }
  }
  subjectsByContext.set(ctx, out);
  return out;
}

/** Services and ServiceEntries of a namespace (emitted or referenced) that take the Namespace's waypoint. */
export function inheritingServices(ctx: RuleContext, namespace: string): string[] {
  const names = new Set<string>();
  for (const kind of SERVICE_KINDS) {
    for (const o of ctx.ofKind(kind)) {
      if (o.manifest.metadata.namespace === namespace && labelsOf(o.manifest)[USE_WAYPOINT] === undefined) names.add(`${kind} ${o.manifest.metadata.name}`);
    }
  }
  for (const r of ctx.references) {
    if (SERVICE_KINDS.includes(r.kind) && r.namespace === namespace && r.labels?.[USE_WAYPOINT] === undefined) names.add(`${r.kind} ${r.name}`);
  }
  return [...names].sort();
}
