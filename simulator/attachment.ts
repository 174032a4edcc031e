import type { KubeObject } from '../compiler/model';
import type { GatewayInfo, ServiceInfo } from './mesh-index';
import { GATEWAY_GROUP } from '../constructs/target-ref';
import { namespaceOf, objectItems } from './mesh-index';
import { WAYPOINT_CLASS } from '../analysis/gateway-classes';

/**
 * A proxy whose HTTP filter chain is simulated: an Istio waypoint proxy for a
 * Service, or an Istio gateway (router), which is also what a Gateway of class
 * `istio` bound as a Service's waypoint (a gateway sandwich) runs.
 */
export type Proxy =
  | { readonly kind: 'waypoint'; readonly gateway: GatewayInfo; readonly service: ServiceInfo }
  | { readonly kind: 'ingress'; readonly gateway: GatewayInfo };

/**
 * The proxy a Service's traffic meets on the Gateway it is bound to: istiod
 * binds to a Gateway of any class, but only a waypoint proxy attaches Service
 * targets (`ShouldAttachPolicy`, `IsWaypointProxy`). Undefined for another
 * controller's proxy or an unknown class: its chain is not ours to simulate.
 */
export function waypointProxy(gateway: GatewayInfo, service: ServiceInfo): Proxy | undefined {
  if (gateway.proxy.kind === 'waypoint') return { kind: 'waypoint', gateway, service };
  if (gateway.proxy.kind === 'istio-gateway') return { kind: 'ingress', gateway };
  return undefined;
}

/** Whether a policy applies to a proxy; `unknown` when it depends on what the manifests do not hold (pod labels). */
export interface Attachment {
  readonly applies: 'yes' | 'no' | 'unknown';
  readonly why: string;
}

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

interface Ref {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** The namespaces istiod looks policies up in for this proxy (`TrafficExtensionsByListenerInfo`). */
export function lookupNamespaces(proxy: Proxy, rootNamespace: string): Set<string> {
  const out = new Set([proxy.gateway.namespace, rootNamespace]);
  if (proxy.kind === 'waypoint') out.add(proxy.service.namespace);
  return out;
}

/**
 * What a policy's spec attaches to, as istiod reads it (`GetTargetRefs`): its
 * targetRefs, or the legacy singular targetRef when targetRefs is empty. The
 * review reads it here too, so that it follows a plugin where it runs.
 */
export function targetRefsOf(spec: Record<string, unknown>): Ref[] {
  const refs = objectItems<Ref>(spec.targetRefs);
  if (refs.length === 0 && spec.targetRef && typeof spec.targetRef === 'object') return [spec.targetRef as Ref];
  return refs;
}

function refLabel(r: Ref): string {
  return `${r.kind ?? '?'} ${r.name ?? '?'}`;
}

/**
 * istiod's `ShouldAttachPolicy` for one policy (WasmPlugin, AuthorizationPolicy,
 * RequestAuthentication) and one Gateway-API proxy: with targetRefs, a
 * Gateway ref (same namespace, same name), a Service ref (waypoints only,
 * plugin in the Service's namespace) or GatewayClass istio-waypoint (waypoint
 * proxies of any class, from the root namespace); without targetRefs, waypoints never use the
 * policy, and ingress gateways use its selector.
 */
export function attachmentOf(policy: KubeObject, proxy: Proxy, rootNamespace: string): Attachment {
  const spec = (policy.spec ?? {}) as Record<string, unknown>;
  const ns = namespaceOf(policy);
  const gw = proxy.gateway;
  const refs = targetRefsOf(spec);
  if (refs.length > 0) {
    const misses: string[] = [];
    for (const r of refs) {
      const group = r.group === 'core' ? '' : (r.group ?? '');
      if (r.kind === 'Gateway' && group === GATEWAY_GROUP) {
        if (r.name !== gw.name) continue;
        if (ns !== gw.namespace) {
          misses.push(`it targets Gateway ${r.name} but lives in namespace ${ns}, not the gateway's ${gw.namespace}`);
          continue;
        }
        if (r.namespace && r.namespace !== gw.namespace) continue;
        return { applies: 'yes', why: `targets Gateway ${gw.namespace}/${gw.name}` };
      }
      if (r.kind === 'GatewayClass' && group === GATEWAY_GROUP) {
        if (proxy.kind !== 'waypoint') {
          misses.push(`GatewayClass ${r.name} targets apply to waypoints only`);
        } else if (r.name !== WAYPOINT_CLASS) {
          misses.push(`it targets GatewayClass ${r.name}; only ${WAYPOINT_CLASS} ever matches (on every waypoint proxy, whatever its class)`);
        } else if (ns !== rootNamespace) {
          misses.push(`it targets GatewayClass ${WAYPOINT_CLASS} but is not in the root namespace ${rootNamespace}`);
        } else {
          return { applies: 'yes', why: `targets GatewayClass ${WAYPOINT_CLASS} from the root namespace ${rootNamespace}: every waypoint proxy` };
        }
        continue;
      }
      if (r.kind === 'Service' && group === '') {
        const svc = proxy.kind === 'waypoint' ? proxy.service : undefined;
        if (!svc) {
          misses.push(`it targets Service ${r.name}: Service targets apply on waypoints only`);
        } else if (r.name === svc.name && ns === svc.namespace) {
          return { applies: 'yes', why: `targets Service ${svc.namespace}/${svc.name}, which this waypoint serves` };
        } else if (r.name === svc.name) {
          misses.push(`it targets Service ${r.name} but lives in namespace ${ns}, not the Service's ${svc.namespace}`);
        }
        continue;
      }
    }
    if (misses.length > 0) return { applies: 'no', why: misses.join('; ') };
    return { applies: 'no', why: `its targetRefs (${refs.map(refLabel).join(', ')}) do not name this proxy` };
  }

  if (proxy.kind === 'waypoint') {
    return { applies: 'no', why: 'it has no targetRefs: waypoints ignore selector and namespace-wide policies' };
  }
  return selectorAttachment(spec.selector, ns, gw, rootNamespace);
}

function selectorAttachment(selector: unknown, ns: string, gw: GatewayInfo, rootNamespace: string): Attachment {
  const scope = ns === rootNamespace ? 'every workload in the mesh (root namespace)' : `every workload in namespace ${ns}`;
  const labels = (selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
  const keys = Object.keys(labels);
  if (keys.length === 0) return { applies: 'yes', why: `it has no targetRefs and no selector labels: it applies to ${scope}, this ingress gateway included` };
  // Istio labels every gateway pod with the Gateway's name; any other pod label is unknown offline.
  if (labels[GATEWAY_NAME_LABEL] !== undefined && labels[GATEWAY_NAME_LABEL] !== gw.name) {
    return { applies: 'no', why: `its selector names gateway ${labels[GATEWAY_NAME_LABEL]}` };
  }
  const unknown = keys.filter((k) => k !== GATEWAY_NAME_LABEL);
  if (unknown.length === 0) return { applies: 'yes', why: `its selector ${GATEWAY_NAME_LABEL}=${gw.name} matches the gateway's pods` };
  return { applies: 'unknown', why: `not simulated (selector): it applies only if the gateway's pods carry ${unknown.map((k) => `${k}=${labels[k]}`).join(', ')}, which the manifests do not say` };
}

interface TrafficSelector {
  mode?: string;
  ports?: { number?: number }[];
}

/**
 * A WasmPlugin's `type` and `match` on this proxy. A waypoint selects HTTP
 * plugins as SidecarInbound with port 0, so `mode: CLIENT` or any `ports`
 * never match there; a gateway counts as CLIENT.
 */
export function wasmMatch(plugin: KubeObject, proxy: Proxy): Attachment {
  const spec = (plugin.spec ?? {}) as { type?: string; match?: TrafficSelector[] };
  if (spec.type === 'NETWORK') return { applies: 'no', why: 'type NETWORK: it joins TCP filter chains only, never the HTTP chain' };
  const match = objectItems<TrafficSelector>(spec.match);
  if (match.length === 0) return { applies: 'yes', why: '' };
  const verdicts = match.map((m, i) => selectorVerdict(m, i, proxy));
  const yes = verdicts.find((v) => v.applies === 'yes');
  if (yes) return { applies: 'yes', why: yes.why };
  const unknown = verdicts.find((v) => v.applies === 'unknown');
  if (unknown) return unknown;
  return { applies: 'no', why: verdicts.map((v) => v.why).join('; ') };
}

function selectorVerdict(m: TrafficSelector, i: number, proxy: Proxy): Attachment {
  const mode = m.mode ?? 'UNDEFINED';
  const ports = objectItems<{ number?: unknown }>(m.ports).map((p) => p.number).filter((n): n is number => typeof n === 'number');
  const at = `match[${i}]`;
  if (proxy.kind === 'waypoint') {
    if (mode === 'CLIENT') return { applies: 'no', why: `${at} mode CLIENT never matches on a waypoint (its HTTP chain is server-side)` };
    if (ports.length > 0) return { applies: 'no', why: `${at} lists ports: a waypoint selects HTTP plugins with port 0, so it never matches` };
    return { applies: 'yes', why: `${at} matches (mode ${mode}, all ports)` };
  }
  if (mode === 'SERVER') return { applies: 'no', why: `${at} mode SERVER never matches on a gateway (gateways count as CLIENT)` };
  if (ports.length === 0) return { applies: 'yes', why: `${at} matches (mode ${mode}, all ports)` };
  const listenerPorts = (proxy.gateway.listeners ?? []).map((l) => l.port).filter((n): n is number => typeof n === 'number');
  if (listenerPorts.length > 0 && listenerPorts.every((p) => ports.includes(p))) return { applies: 'yes', why: `${at} lists every listener port of the gateway` };
  if (listenerPorts.length > 0 && !listenerPorts.some((p) => ports.includes(p))) return { applies: 'no', why: `${at} lists none of the gateway's listener ports (${listenerPorts.join(', ')})` };
  return { applies: 'unknown', why: `not simulated: ${at} lists ports ${ports.join(', ')}, and which gateway listener the request arrives on is unknown` };
}
