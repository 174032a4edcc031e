/**
 * Our schema of the Gateway API Gateway (v1 and v1beta1, bundle v1.6.1),
 * limited to what matters for waypoints and the ingress Gateways plugins
 * target (shared/reference/istio-ambient-facts.md §2.1, §2.3): spec and
 * listener fields, the listener CEL rules, and, for a waypoint (Istio checks
 * the class's controller, istio.io/mesh-controller), the one listener Istio accepts. TLS certificate settings and addresses are
 * only type-checked: a waypoint has none.
 */
import { childPath, isPlainObject, IssueCollector, SchemaIssue, SUBDOMAIN_RE } from './issue';
import { checkMetadata, TOP_LEVEL } from './metadata';
import { WAYPOINT_CLASS } from '../gateway-classes';

export const GATEWAY_API_VERSIONS = ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'];
/** The only listener Istio accepts on a waypoint. */
export const HBONE_LISTENER = { port: 15008, protocol: 'HBONE' } as const;

const SPEC_FIELDS = ['addresses', 'allowedListeners', 'gatewayClassName', 'infrastructure', 'listeners', 'tls'] as const;
const LISTENER_FIELDS = ['allowedRoutes', 'hostname', 'name', 'port', 'protocol', 'tls'] as const;
const NAME = { re: SUBDOMAIN_RE, says: 'is not a listener name (lower-case DNS name)' };
const HOSTNAME = { re: /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, says: 'is not a hostname (lower-case DNS name, optionally starting with "*.")' };
const PROTOCOL = {
  re: /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/,
  says: 'is not a protocol (HTTP, HTTPS, TLS, TCP, UDP, HBONE, or a domain-prefixed name like example.com/proto)',
};
export const FROM_VALUES = ['All', 'Selector', 'Same'] as const;

interface Listener {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly hostname?: string;
  readonly tls?: Record<string, unknown>;
}

function checkLabelSelector(c: IssueCollector, v: unknown, path: string): void {
  const s = c.object(v, path, ['matchExpressions', 'matchLabels']);
  if (!s) return;
  if (s.matchLabels !== undefined) c.stringMap(s.matchLabels, childPath(path, 'matchLabels'));
  if (s.matchExpressions === undefined) return;
  const exprs = c.array(s.matchExpressions, childPath(path, 'matchExpressions'));
  exprs?.forEach((e, i) => {
    const at = childPath(childPath(path, 'matchExpressions'), i);
    const expr = c.object(e, at, ['key', 'operator', 'values'], ['key', 'operator']);
    if (!expr) return;
    if (expr.key !== undefined) c.string(expr.key, childPath(at, 'key'));
    if (expr.operator !== undefined) c.string(expr.operator, childPath(at, 'operator'));
    if (expr.values !== undefined) c.array(expr.values, childPath(at, 'values'))?.forEach((x, j) => c.string(x, childPath(childPath(at, 'values'), j)));
  });
}

function checkAllowedRoutes(c: IssueCollector, v: unknown, path: string): void {
  const ar = c.object(v, path, ['kinds', 'namespaces']);
  if (!ar) return;
  if (ar.kinds !== undefined) {
    c.array(ar.kinds, childPath(path, 'kinds'), { max: 8 })?.forEach((k, i) => {
      const at = childPath(childPath(path, 'kinds'), i);
      const kind = c.object(k, at, ['group', 'kind'], ['kind']);
      if (kind?.group !== undefined) c.string(kind.group, childPath(at, 'group'), { max: 253 });
      if (kind?.kind !== undefined) c.string(kind.kind, childPath(at, 'kind'), { min: 1, max: 63 });
    });
  }
  if (ar.namespaces === undefined) return;
  const ns = c.object(ar.namespaces, childPath(path, 'namespaces'), ['from', 'selector']);
  if (!ns) return;
  if (ns.from !== undefined) c.string(ns.from, childPath(path, 'namespaces.from'), { oneOf: FROM_VALUES });
  if (ns.selector !== undefined) checkLabelSelector(c, ns.selector, childPath(path, 'namespaces.selector'));
}

/** One listener; returns it when every field the CEL rules read is well-typed. */
function checkListener(c: IssueCollector, v: unknown, path: string): Listener | undefined {
  const l = c.object(v, path, LISTENER_FIELDS, ['name', 'port', 'protocol']);
  if (!l) return undefined;
  const nameOk = l.name !== undefined && c.string(l.name, childPath(path, 'name'), { min: 1, max: 253, pattern: NAME });
  const portOk = l.port !== undefined && c.integer(l.port, childPath(path, 'port'), { min: 1, max: 65535, int32: true });
  const protocolOk = l.protocol !== undefined && c.string(l.protocol, childPath(path, 'protocol'), { min: 1, max: 255, pattern: PROTOCOL });
  const hostnameOk = l.hostname === undefined || c.string(l.hostname, childPath(path, 'hostname'), { min: 1, max: 253, pattern: HOSTNAME });
  if (l.allowedRoutes !== undefined) checkAllowedRoutes(c, l.allowedRoutes, childPath(path, 'allowedRoutes'));
  let tls: Record<string, unknown> | undefined;
  if (l.tls !== undefined) {
    tls = c.object(l.tls, childPath(path, 'tls'), ['certificateRefs', 'mode', 'options']);
    if (tls) {
      const mode = tls.mode ?? 'Terminate'; // the CRD default
      c.string(mode, childPath(path, 'tls.mode'), { oneOf: ['Terminate', 'Passthrough'] });
      const refs = tls.certificateRefs === undefined ? [] : c.array(tls.certificateRefs, childPath(path, 'tls.certificateRefs'), { max: 64 });
      const options = tls.options === undefined ? {} : tls.options;
      if (mode === 'Terminate' && refs && (refs.length === 0 && (!isPlainObject(options) || Object.keys(options).length === 0))) {
        c.add(childPath(path, 'tls'), 'terminates TLS without certificateRefs or options');
      }
      tls = { ...tls, mode };
    }
  }
  if (!nameOk || !portOk || !protocolOk || !hostnameOk) return undefined;
  return { name: l.name as string, port: l.port as number, protocol: l.protocol as string, hostname: l.hostname as string | undefined, tls };
}

/**
 * The listener CEL rules of the CRD, on a list whose items are all
 * well-typed. (Unique names are already checked as the list's map key.)
 */
function checkListenerRules(c: IssueCollector, listeners: readonly Listener[]): void {
  listeners.forEach((l, i) => {
    const at = childPath('spec.listeners', i);
    if (['HTTP', 'TCP', 'UDP'].includes(l.protocol) && l.tls) c.add(at, `sets tls, which protocol ${l.protocol} does not allow`);
    if (l.protocol === 'HTTPS' && l.tls && l.tls.mode !== 'Terminate' && l.tls.mode !== '') c.add(at, 'must use tls mode Terminate with protocol HTTPS');
    if (l.protocol === 'TLS' && !l.tls) c.add(at, 'needs tls (with a mode) for protocol TLS');
    if (['TCP', 'UDP'].includes(l.protocol) && l.hostname !== undefined && l.hostname !== '') {
      c.add(at, `sets hostname, which protocol ${l.protocol} does not allow`);
    }
    const same = listeners.findIndex((o) => o.port === l.port && o.protocol === l.protocol && o.hostname === l.hostname);
    if (same !== i) c.add(at, `port ${l.port}, protocol ${l.protocol} and hostname ${l.hostname ?? '(none)'} repeat spec.listeners[${same}]; the combination must be unique`);
  });
}

/**
 * Istio accepts exactly one listener on a waypoint, port 15008 with protocol
 * HBONE; any other listener is marked UnsupportedProtocol.
 */
function checkWaypointListeners(c: IssueCollector, listeners: readonly Listener[]): void {
  const hbone = listeners.filter((l) => l.port === HBONE_LISTENER.port && l.protocol === HBONE_LISTENER.protocol);
  if (hbone.length === 0) {
    c.add('spec.listeners', 'has no listener on port 15008 with protocol HBONE: the waypoint never becomes ready, so nothing can use it', {
      rule: 'waypoint/listener',
      by: 'istio',
    });
  }
  listeners.forEach((l, i) => {
    if (l.port === HBONE_LISTENER.port && l.protocol === HBONE_LISTENER.protocol && l === hbone[0]) return;
    c.add(childPath('spec.listeners', i), `listener ${JSON.stringify(l.name)} (port ${l.port}, ${l.protocol}) is refused by Istio as UnsupportedProtocol: a waypoint takes a single listener on port 15008 with protocol HBONE`, {
      rule: 'waypoint/listener',
      by: 'istio',
    });
  });
}

/**
 * Every problem in one Gateway object. `waypoint`: whether its class runs an
 * Istio waypoint proxy (controller istio.io/mesh-controller), which only the
 * target's GatewayClasses tell; by default, whether the class is `istio-waypoint`.
 */
export function validateGateway(obj: unknown, waypoint?: boolean): SchemaIssue[] {
  const c = new IssueCollector('schema/gateway');
  const root = c.object(obj, '', TOP_LEVEL, ['spec']);
  if (!root) return c.issues;
  checkMetadata(c, (obj as Record<string, unknown>).metadata);
  if (root.spec === undefined) return c.issues;
  const spec = c.object(root.spec, 'spec', SPEC_FIELDS, ['gatewayClassName', 'listeners']);
  if (!spec) return c.issues;
  if (spec.gatewayClassName !== undefined) c.string(spec.gatewayClassName, 'spec.gatewayClassName', { min: 1, max: 253 });
  if (spec.addresses !== undefined) c.array(spec.addresses, 'spec.addresses', { max: 16 });
  if (spec.infrastructure !== undefined) c.object(spec.infrastructure, 'spec.infrastructure', ['annotations', 'labels', 'parametersRef']);
  if (spec.allowedListeners !== undefined) c.object(spec.allowedListeners, 'spec.allowedListeners', ['namespaces']);
  if (spec.tls !== undefined) c.object(spec.tls, 'spec.tls', ['backend', 'frontend']);
  if (spec.listeners === undefined) return c.issues;
  const raw = c.array(spec.listeners, 'spec.listeners', { min: 1, max: 64 });
  if (!raw) return c.issues;
  c.uniqueBy(raw, 'spec.listeners', 'name');
  const listeners = raw.map((l, i) => checkListener(c, l, childPath('spec.listeners', i)));
  const typed = listeners.filter((l): l is Listener => l !== undefined);
  if (typed.length !== listeners.length) return c.issues;
  checkListenerRules(c, typed);
  if (waypoint ?? spec.gatewayClassName === WAYPOINT_CLASS) checkWaypointListeners(c, typed);
  return c.issues;
}
