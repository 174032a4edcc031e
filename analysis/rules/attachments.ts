/**
 * Which proxy each WasmPlugin runs on, as istiod attaches it (facts §1.6):
 * a Gateway ref in the plugin's namespace, the `istio-waypoint` GatewayClass
 * from the root namespace (every waypoint proxy, whatever its class), or a
 * Service/ServiceEntry ref in the plugin's namespace (that Service's chain on
 * its waypoint, when that is an Istio waypoint proxy).
 */
import type { ModelObject, ModelReference } from '../../compiler/model';
import type { RuleContext } from '../rule';
import { GATEWAY_GROUP } from '../../constructs/target-ref';
import { WAYPOINT_CLASS } from '../gateway-classes';
import { PluginTargetRef, PluginView, pluginView } from './plugin-spec';
import { allWaypoints, labelsOfObject, lookupWaypoint, Resolution, resolveServiceWaypoint, WaypointInfo } from './waypoints';


export interface Attachment {
  readonly plugin: PluginView;
  readonly ref: PluginTargetRef;
  /** `namespace/name` of the Gateway the plugin runs on. */
  readonly proxy: string;
  /** The waypoint, when the proxy is one. */
  readonly waypoint?: WaypointInfo;
  /** `*` for every chain of the proxy, else the one Service chain (`Service/ns/name`). */
  readonly scope: string;
}

/** What a targetRef points at in the plugin's namespace. */
export type Resolved =
  | { readonly kind: 'gateway'; readonly about: ModelObject | ModelReference; readonly waypoint?: WaypointInfo }
  | { readonly kind: 'service'; readonly about: ModelObject | ModelReference; readonly resolution: Resolution }
  | { readonly kind: 'gateway-class' }
  | { readonly kind: 'unresolved' }
  /** A kind istiod refuses, or a cross-namespace ref: the schema rules report those. */
  | { readonly kind: 'invalid' };

const SERVICE_KINDS: Record<string, string> = { Service: '', ServiceEntry: 'networking.istio.io' };

function findObject(ctx: RuleContext, kind: string, namespace: string, name: string): ModelObject | ModelReference | undefined {
  return ctx.find(kind, namespace, name) ?? ctx.findReference(kind, namespace, name);
}

// Four rules resolve every targetRef of every plugin; the model does not
// change during analysis, and plugin views (so their refs) are cached per object.
const resolved = new WeakMap<RuleContext, WeakMap<PluginTargetRef, Resolved>>();

export function resolveRef(ctx: RuleContext, p: PluginView, ref: PluginTargetRef): Resolved {
  let known = resolved.get(ctx);
  if (!known) resolved.set(ctx, (known = new WeakMap()));
  let r = known.get(ref);
  if (!r) known.set(ref, (r = resolveUncached(ctx, p, ref)));
  return r;
}

function resolveUncached(ctx: RuleContext, p: PluginView, ref: PluginTargetRef): Resolved {
  if (ref.namespace !== undefined && ref.namespace !== p.namespace) return { kind: 'invalid' };
  if (ref.kind === 'GatewayClass' && ref.group === GATEWAY_GROUP) return { kind: 'gateway-class' };
  if (ref.kind === 'Gateway' && ref.group === GATEWAY_GROUP) {
    const about = findObject(ctx, 'Gateway', p.namespace, ref.name);
    if (!about) return { kind: 'unresolved' };
    const l = lookupWaypoint(ctx, p.namespace, ref.name);
    // A Gateway of another kind bound as a waypoint (a gateway sandwich) is still a router proxy.
    return { kind: 'gateway', about, waypoint: l.found === 'waypoint' && l.waypoint.proxy.kind === 'waypoint' ? l.waypoint : undefined };
  }
  if (SERVICE_KINDS[ref.kind] === ref.group) {
    const about = findObject(ctx, ref.kind, p.namespace, ref.name);
    if (!about) return { kind: 'unresolved' };
    return { kind: 'service', about, resolution: resolveServiceWaypoint(ctx, { namespace: p.namespace, labels: labelsOfObject(about) }) };
  }
  return { kind: 'invalid' };
}

const cache = new WeakMap<RuleContext, Attachment[]>();

/** Every (plugin, proxy) attachment of the target, computed once per context. */
export function attachments(ctx: RuleContext): readonly Attachment[] {
  const cached = cache.get(ctx);
  if (cached) return cached;
  const out: Attachment[] = [];
  for (const o of ctx.ofKind('WasmPlugin')) {
    const p = pluginView(o);
    for (const ref of p.targetRefs) {
      const r = resolveRef(ctx, p, ref);
      if (r.kind === 'gateway') {
        out.push({ plugin: p, ref, proxy: `${p.namespace}/${ref.name}`, waypoint: r.waypoint, scope: '*' });
      } else if (r.kind === 'gateway-class' && ref.name === WAYPOINT_CLASS && p.namespace === ctx.model.rootNamespace) {
        for (const wp of allWaypoints(ctx)) out.push({ plugin: p, ref, proxy: `${wp.namespace}/${wp.name}`, waypoint: wp, scope: '*' });
      } else if (r.kind === 'service' && r.resolution.waypoint?.proxy.kind === 'waypoint' && !r.resolution.unbound) {
        const wp = r.resolution.waypoint;
        out.push({ plugin: p, ref, proxy: `${wp.namespace}/${wp.name}`, waypoint: wp, scope: `${ref.kind}/${p.namespace}/${ref.name}` });
      }
    }
  }
  cache.set(ctx, out);
  return out;
}

const namesByProxy = new WeakMap<RuleContext, Map<string, Set<string>>>();

/** Names of the plugins running on a waypoint (any chain), for messages. */
export function pluginsOnWaypoint(ctx: RuleContext, wp: { namespace: string; name: string } | undefined): string[] {
  if (!wp) return [];
  let index = namesByProxy.get(ctx);
  if (!index) {
    index = new Map();
    for (const a of attachments(ctx)) {
      const names = index.get(a.proxy) ?? new Set<string>();
      names.add(a.plugin.name);
      index.set(a.proxy, names);
    }
    namesByProxy.set(ctx, index);
  }
  return [...(index.get(`${wp.namespace}/${wp.name}`) ?? [])].sort();
}

/**
 * The refs through which a plugin runs on waypoints: a waypoint Gateway, the
 * `istio-waypoint` GatewayClass, or a Service/ServiceEntry (only waypoints
 * use those, whether or not this model shows the Service).
 */
export function waypointRefs(ctx: RuleContext, p: PluginView): PluginTargetRef[] {
  return p.targetRefs.filter((ref) => {
    const r = resolveRef(ctx, p, ref);
    if (r.kind === 'gateway') return r.waypoint !== undefined;
    if (r.kind === 'gateway-class') return ref.name === WAYPOINT_CLASS;
    if (r.kind === 'service') return true;
    return r.kind === 'unresolved' && SERVICE_KINDS[ref.kind] === ref.group;
  });
}
