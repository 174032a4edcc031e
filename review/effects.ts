import { objectKey, type MeshModel, type ModelObject } from '../compiler/model';
import { isSubstitutionPlaceholder, storedCredential } from '../constructs/plugins/basic-auth-format';
import { moduleId } from '../constructs/define-plugin';
import { BASIC_AUTH_URL } from '../constructs/plugins/basic-auth';
import { bindService } from '../simulator/binding';
import { buildChain } from '../simulator/chain';
import { GatewayInfo, MeshIndex, ServiceInfo } from '../simulator/mesh-index';
import { simulate } from '../simulator/simulate';
import { isSimulationError } from '../simulator/request';
import { describe, labelOnlyLeftBehind, prunedGatewayKeys, PrunedGateway, prunedGatewaysInUse, releasedAfterPrune } from './pruned-gateways';
import { credentialFingerprint } from './secrets';

/** Which waypoint a Service's traffic goes through, in words a reviewer reads. */
export interface BindingState {
  readonly waypoint?: string;
  readonly reason: string;
}

export interface BindingChange {
  readonly target: string;
  /** `namespace/name`, or `namespace/*` for every Service without labels of its own. */
  readonly service: string;
  readonly before: BindingState;
  readonly after: BindingState;
  /** The Service no longer passes any waypoint (its plugins stop applying). */
  readonly lostWaypoint: boolean;
}

export interface ChainChange {
  readonly target: string;
  /** `Service default/reviews` or `ingress gateway default/bookinfo-gateway`. */
  readonly subject: string;
  readonly before: string[];
  readonly after: string[];
}

export interface AccessCase {
  readonly target: string;
  readonly via?: string;
  readonly to: string;
  readonly method: string;
  readonly path: string;
  /** `none`, or a credential fingerprint (never the value). */
  readonly credential: string;
  readonly before: number | null;
  readonly after: number | null;
  /** Allowed now, refused before: listed first and marked. */
  readonly widened: boolean;
  readonly narrowed: boolean;
}

export interface EffectChanges {
  readonly bindings: BindingChange[];
  readonly chains: ChainChange[];
  readonly access: AccessCase[];
  /** Representative requests simulated on both sides. */
  readonly simulated: number;
  /** Cases left out to bound the work. */
  readonly truncated: number;
  /** Gateways this change prunes while objects of the head still use them. */
  readonly prunedInUse: PrunedGateway[];
}

const BASIC_AUTH = moduleId(BASIC_AUTH_URL);
const OTHER = '*';
const MAX_CASES = 400;

interface Rule {
  prefix?: string;
  exact?: string;
  suffix?: string;
  request_methods?: unknown;
  credentials?: unknown;
}

function targetsOf(model: MeshModel): string[] {
  return [...new Set(model.objects.map((o) => o.target))].sort();
}

function indexFor(model: MeshModel, target: string): MeshIndex | undefined {
  try {
    return MeshIndex.forTarget(model, target);
  } catch (e) {
    if (isSimulationError(e)) return undefined;
    throw e;
  }
}

function serviceList(models: MeshModel[], target: string): { namespace: string; name: string }[] {
  const out = new Map<string, { namespace: string; name: string }>();
  for (const m of models) {
    for (const o of m.objects.filter((x) => x.target === target)) {
      const ns = o.manifest.metadata.namespace ?? 'default';
      if (o.manifest.kind === 'Service') out.set(`${ns}/${o.manifest.metadata.name}`, { namespace: ns, name: o.manifest.metadata.name });
      if (o.manifest.kind === 'Namespace') out.set(`${o.manifest.metadata.name}/${OTHER}`, { namespace: o.manifest.metadata.name, name: OTHER });
      for (const ref of targetRefs(o)) {
        if (ref.kind === 'Service' && ref.name) out.set(`${ns}/${ref.name}`, { namespace: ns, name: ref.name });
      }
    }
  }
  return [...out.values()].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
}

function targetRefs(o: ModelObject): { kind?: string; name?: string; group?: string }[] {
  if (o.manifest.kind !== 'WasmPlugin') return [];
  const refs = (o.manifest.spec as { targetRefs?: unknown } | undefined)?.targetRefs;
  return Array.isArray(refs) ? (refs as { kind?: string; name?: string }[]) : [];
}

function serviceInfo(index: MeshIndex, ns: string, name: string): ServiceInfo {
  if (name !== OTHER) return index.service(ns, name);
  // Every Service of the namespace that has no labels of its own inherits the Namespace's.
  return { namespace: ns, name: OTHER, known: 'assumed', labels: {} };
}

/** What the head side knows beyond its manifests. */
interface HeadFacts {
  readonly pruned: ReadonlySet<string>;
  /** The label-only objects the head drops, whose live labels stay (see `headInCluster`): `objectKey` to how the review names it. */
  readonly leftBehind: ReadonlyMap<string, string>;
}

function binding(index: MeshIndex | undefined, ns: string, name: string, head?: HeadFacts): { state: BindingState; gateway?: GatewayInfo; service?: ServiceInfo } {
  if (!index) return { state: { reason: 'not in this revision' } };
  const service = serviceInfo(index, ns, name);
  // A waypoint absent from the manifests is another team's (assumed present), unless this change prunes it.
  const b = bindService(index, service, { unlistedWaypoints: 'assume-present', prunedWaypoints: head?.pruned });
  const waypoint = b.waypoint ? `${b.waypoint.namespace}/${b.waypoint.name}` : undefined;
  const why = b.trace.filter((t) => t.step === 'binding').map((t) => t.detail).pop() ?? b.reason;
  // The simulator's last binding step usually names the reason already.
  const reason = why.includes(b.reason) ? why : `${b.reason}: ${why}`;
  // The head's manifests no longer hold that label: say where it still comes from.
  const labelledBy = b.from === 'Namespace' ? { kind: 'Namespace', name: ns } : b.from === 'Service' ? { kind: 'Service', namespace: ns, name } : undefined;
  const left = labelledBy && head?.leftBehind.get(objectKey(labelledBy));
  const note = left ? `${left} is no longer managed here, but keeps its label in the cluster (GitOps never prunes it): ` : '';
  return { state: { waypoint, reason: `${note}${reason}` }, gateway: b.waypoint, service };
}

/**
 * The head as the cluster will hold it: plus the label-only objects it drops.
 * GitOps never prunes those, so their live labels, not the head's intent,
 * decide the bindings (no fallback to the Namespace's waypoint): a dropped
 * Service label keeps the Service on its waypoint, whatever that waypoint
 * now runs, and a dropped `none` keeps it off every waypoint.
 */
function headInCluster(head: MeshModel, leftBehind: readonly ModelObject[]): MeshModel {
  return leftBehind.length === 0 ? head : { ...head, objects: [...head.objects, ...leftBehind] };
}

function chainIds(index: MeshIndex | undefined, proxy: Parameters<typeof buildChain>[1] | undefined): string[] {
  if (!index || !proxy) return [];
  return buildChain(index, proxy).entries.map((e) => `${e.id}${e.applies === 'unknown' ? ' (may apply)' : ''}`);
}

function ingressGateways(models: MeshModel[], target: string): { namespace: string; name: string }[] {
  const out = new Map<string, { namespace: string; name: string }>();
  for (const m of models) {
    for (const o of m.objects.filter((x) => x.target === target)) {
      const ns = o.manifest.metadata.namespace ?? 'default';
      if (o.manifest.kind === 'Gateway' && (o.manifest.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName !== 'istio-waypoint') {
        out.set(`${ns}/${o.manifest.metadata.name}`, { namespace: ns, name: o.manifest.metadata.name });
      }
      for (const ref of targetRefs(o)) {
        if (ref.kind !== 'Gateway' || !ref.name) continue;
        const isWaypoint = m.objects.some((x) => x.target === target && x.manifest.kind === 'Gateway' && x.manifest.metadata.name === ref.name && (x.manifest.metadata.namespace ?? 'default') === ns && (x.manifest.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName === 'istio-waypoint');
        if (!isWaypoint) out.set(`${ns}/${ref.name}`, { namespace: ns, name: ref.name });
      }
    }
  }
  return [...out.values()].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
}

/** A path a rule protects, for a representative request. */
function representativePath(r: Rule): string | undefined {
  if (typeof r.exact === 'string' && r.exact) return r.exact;
  if (typeof r.prefix === 'string' && r.prefix) return r.prefix;
  if (typeof r.suffix === 'string' && r.suffix) return `/example${r.suffix.startsWith('/') ? '' : '/'}${r.suffix}`.replace('//', '/');
  return undefined;
}

interface Probe {
  via?: string;
  to: string;
  method: string;
  path: string;
  credential?: string;
}

/** Requests that exercise every basic_auth rule of either revision, with and without each credential. */
function probes(models: MeshModel[], target: string, services: { namespace: string; name: string }[], boundTo: Map<string, Set<string>>): Probe[] {
  const out = new Map<string, Probe>();
  const add = (p: Probe) => out.set(JSON.stringify([p.via, p.to, p.method, p.path, p.credential ?? '']), p);
  for (const m of models) {
    for (const o of m.objects.filter((x) => x.target === target && x.manifest.kind === 'WasmPlugin')) {
      const spec = (o.manifest.spec ?? {}) as { url?: unknown; pluginConfig?: { basic_auth_rules?: unknown } };
      if (typeof spec.url !== 'string' || moduleId(spec.url) !== BASIC_AUTH) continue;
      const rules = Array.isArray(spec.pluginConfig?.basic_auth_rules) ? (spec.pluginConfig!.basic_auth_rules as Rule[]) : [];
      const ns = o.manifest.metadata.namespace ?? 'default';
      const destinations: { via?: string; to: string }[] = [];
      for (const ref of targetRefs(o)) {
        if (!ref.name) continue;
        if (ref.kind === 'Service') destinations.push({ to: `${ns}/${ref.name}` });
        if (ref.kind === 'Gateway') {
          const bound = [...(boundTo.get(`${ns}/${ref.name}`) ?? [])];
          if (bound.length > 0) for (const s of bound) destinations.push({ to: s });
          else {
            const local = services.filter((s) => s.namespace === ns && s.name !== OTHER)[0];
            destinations.push({ via: `${ns}/${ref.name}`, to: `${ns}/${local?.name ?? 'example-service'}` });
          }
        }
        if (ref.kind === 'GatewayClass') for (const set of boundTo.values()) for (const s of set) destinations.push({ to: s });
      }
      for (const rule of rules) {
        const path = representativePath(rule);
        const methods = Array.isArray(rule.request_methods) ? rule.request_methods.filter((x): x is string => typeof x === 'string') : [];
        const creds = Array.isArray(rule.credentials) ? rule.credentials.filter((c): c is string => typeof c === 'string' && !isSubstitutionPlaceholder(c)) : [];
        if (!path) continue;
        for (const d of destinations) {
          for (const method of methods) {
            add({ ...d, method, path });
            for (const c of creds) add({ ...d, method, path, credential: c });
          }
        }
      }
    }
  }
  return [...out.values()].map((p) => ({ ...p, to: p.to.endsWith(`/${OTHER}`) ? p.to.replace(`/${OTHER}`, '/example-service') : p.to }));
}

function statusOf(model: MeshModel, target: string, p: Probe, pruned?: ReadonlySet<string>): number | null {
  if (!model.objects.some((o) => o.target === target)) return null;
  try {
    const headers: Record<string, string> = p.credential ? { authorization: `Basic ${storedCredential(p.credential)}` } : {};
    return simulate(model, { target, via: p.via, to: p.to, method: p.method, path: p.path, headers }, { unlistedWaypoints: 'assume-present', prunedWaypoints: pruned }).status;
  } catch (e) {
    if (isSimulationError(e)) return null;
    throw e;
  }
}

/** What the policies do differently between two revisions: bindings, chains, and access. */
export function effectChanges(base: MeshModel, head: MeshModel): EffectChanges {
  const bindings: BindingChange[] = [];
  const chains: ChainChange[] = [];
  const access: AccessCase[] = [];
  let simulated = 0;
  let truncated = 0;
  const prunedInUse: PrunedGateway[] = [];
  for (const target of [...new Set([...targetsOf(base), ...targetsOf(head)])].sort()) {
    const pruned = prunedGatewayKeys(base, head, target);
    const leftBehind = labelOnlyLeftBehind(base, head, target);
    prunedInUse.push(...prunedGatewaysInUse(pruned, head, target, leftBehind, releasedAfterPrune(base, head, target, pruned)));
    const live = headInCluster(head, leftBehind);
    const facts: HeadFacts = { pruned, leftBehind: new Map(leftBehind.map((o) => [objectKey(o.manifest), describe(o)])) };
    const bi = indexFor(base, target);
    const hi = indexFor(live, target);
    const services = serviceList([base, head], target);
    const boundTo = new Map<string, Set<string>>();
    for (const s of services) {
      const b = binding(bi, s.namespace, s.name);
      const h = binding(hi, s.namespace, s.name, facts);
      const label = `${s.namespace}/${s.name}`;
      for (const w of [b.state.waypoint, h.state.waypoint]) if (w) (boundTo.get(w) ?? boundTo.set(w, new Set()).get(w)!).add(label);
      if (b.state.waypoint !== h.state.waypoint) {
        bindings.push({ target, service: label, before: b.state, after: h.state, lostWaypoint: b.state.waypoint !== undefined && h.state.waypoint === undefined });
      }
      const before = chainIds(bi, b.gateway && b.service ? { kind: 'waypoint', gateway: b.gateway, service: b.service } : undefined);
      const after = chainIds(hi, h.gateway && h.service ? { kind: 'waypoint', gateway: h.gateway, service: h.service } : undefined);
      if (JSON.stringify(before) !== JSON.stringify(after)) chains.push({ target, subject: `Service ${label}`, before, after });
    }
    for (const g of ingressGateways([base, head], target)) {
      const proxyOf = (idx?: MeshIndex) => (idx ? { kind: 'ingress' as const, gateway: idx.gateway(g.namespace, g.name) ?? { ...g, known: 'assumed' as const, labels: {} } } : undefined);
      const before = chainIds(bi, proxyOf(bi));
      const after = chainIds(hi, proxyOf(hi));
      if (JSON.stringify(before) !== JSON.stringify(after)) chains.push({ target, subject: `ingress gateway ${g.namespace}/${g.name}`, before, after });
    }
    const all = probes([base, head], target, services, boundTo);
    for (const p of all) {
      if (simulated >= MAX_CASES) {
        truncated++;
        continue;
      }
      simulated++;
      const before = statusOf(base, target, p);
      const after = statusOf(live, target, p, pruned);
      if (before === after) continue;
      access.push({
        target,
        via: p.via,
        to: p.to,
        method: p.method,
        path: p.path,
        credential: p.credential ? credentialFingerprint(p.credential) : 'none',
        before,
        after,
        widened: after === 200 && before !== 200,
        narrowed: before === 200 && after !== 200,
      });
    }
  }
  access.sort((a, b) => Number(b.widened) - Number(a.widened));
  return { bindings, chains, access, simulated, truncated, prunedInUse };
}
