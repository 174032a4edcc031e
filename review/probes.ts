import type { MeshModel } from '../compiler/model';
import { isSubstitutionPlaceholder } from '../constructs/plugins/basic-auth-format';
import { ingressUsesWaypoint } from '../simulator/binding';
import type { MeshIndex } from '../simulator/mesh-index';
import { checkAuthority, isSimulationError } from '../simulator/request';
import { basicAuthPlugins, otherAuthPlugins, type BasicAuthPlugin, type Rule } from './auth-plugins';
import { OTHER, serviceInfo } from './target-subjects';

/**
 * The representative requests (probes) of one target: built from the auth
 * plugins of either revision, sent where those plugins' targets receive
 * traffic (in the mesh, and through each ingress gateway where the
 * waypoint is on that path), and keyed so that each is simulated once, in
 * a stable order.
 */

/** One representative request: where it goes, and what it sends. */
export interface Probe {
  via?: string;
  to: string;
  method: string;
  path: string;
  /** Unset: the simulator's default (the Service's or gateway's cluster host), which a rule with `hosts` skips. */
  authority?: string;
  credential?: string;
}

export type Destination = Pick<Probe, 'via' | 'to'>;
type Shape = Omit<Probe, 'via' | 'to'>;

/** Where probes may go, and which ingress paths exist, in one target. */
export interface ProbeScope {
  readonly services: { namespace: string; name: string }[];
  readonly boundTo: Map<string, Set<string>>;
  /** Ingress gateways (`namespace/name`) of either revision. */
  readonly ingress: readonly string[];
  /** Services (`namespace/name` or `namespace/*`) whose ingress traffic passes their waypoint in either revision. */
  readonly ingressServices: ReadonlySet<string>;
  /** Gateways (`namespace/name`) of class istio-waypoint in either revision. */
  readonly waypoints: ReadonlySet<string>;
}

/**
 * The ingress gateways requests may enter by, from `ingressGateways` (which
 * left out what either revision declares a waypoint, by the same
 * `waypointKeys` the probes use). A Gateway only a plugin names may still be
 * a waypoint declared elsewhere: one with Services bound is not an entry.
 */
export function ingressEntries(gateways: { namespace: string; name: string }[], indexes: (MeshIndex | undefined)[], boundTo: Map<string, Set<string>>): string[] {
  const keys = gateways.map((g) => `${g.namespace}/${g.name}`).filter((k) => !boundTo.has(k));
  if (keys.length > 0) return keys;
  // Ingress gateways usually belong to another team, so the manifests may name none; the label still says ingress traffic exists.
  const root = indexes.find((i) => i)?.rootNamespace ?? 'istio-system';
  return [`${root}/example-ingress-gateway`];
}

/** The Services (`namespace/name` or `namespace/*`) whose ingress traffic passes their waypoint in either revision. */
export function ingressServices(services: { namespace: string; name: string }[], indexes: (MeshIndex | undefined)[]): Set<string> {
  const out = new Set<string>();
  for (const s of services) {
    if (indexes.some((i) => i && ingressUsesWaypoint(i, serviceInfo(i, s.namespace, s.name)).uses)) out.add(`${s.namespace}/${s.name}`);
  }
  return out;
}

/**
 * Paths a rule protects, for representative requests: the match string itself,
 * and one that only some match kinds accept (the module compares the raw path,
 * query included), so that a change of kind shows up: prefix `/a` covers
 * `/a?x=1`, exact `/a` does not, and suffix `/a` covers `/example/a`, not `/a?x=1`.
 */
function representativePaths(r: Rule): string[] {
  if (typeof r.exact === 'string' && r.exact) return [r.exact, `${r.exact}?x=1`];
  if (typeof r.prefix === 'string' && r.prefix) return [r.prefix, `${r.prefix}?x=1`];
  if (typeof r.suffix === 'string' && r.suffix) {
    const inside = `/example${r.suffix.startsWith('/') ? '' : '/'}${r.suffix}`.replace('//', '/');
    return r.suffix.startsWith('/') ? [inside, `${r.suffix}?x=1`] : [inside];
  }
  return [];
}

/**
 * A concrete host the module's `hostMatch` accepts for one `hosts` entry, or
 * undefined when any host does (`*`) or none can be sent: the simulator
 * refuses such an authority, and one with `user:pass@` must never be printed.
 */
function representativeHost(entry: string): string | undefined {
  let host = entry;
  if (entry.startsWith('*')) host = entry.length === 1 ? '' : `${entry[1] === '.' ? 'www' : ''}${entry.slice(1)}`;
  else if (entry.endsWith('*')) host = `${entry.slice(0, -1)}${entry.endsWith('.*') ? 'example' : ''}`;
  try {
    return host === '' ? undefined : checkAuthority(host);
  } catch (e) {
    if (isSimulationError(e)) return undefined;
    throw e;
  }
}

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : [];
}

/** One rule's requests: each of its paths and methods, each host it names (and none), without and with each credential. */
function ruleShapes(rule: Rule): Shape[] {
  const creds = strings(rule.credentials).filter((c) => !isSubstitutionPlaceholder(c));
  const hosts = [undefined, ...strings(rule.hosts).map(representativeHost).filter((h) => h !== undefined)];
  const out: Shape[] = [];
  for (const path of representativePaths(rule)) {
    for (const method of strings(rule.request_methods)) {
      for (const authority of hosts) {
        out.push({ method, path, authority });
        for (const credential of creds) out.push({ method, path, authority, credential });
      }
    }
  }
  return out;
}

/** The requests a plugin's targets receive: in the mesh, or through the ingress gateway it targets. */
function pluginDestinations(plugin: Pick<BasicAuthPlugin, 'namespace' | 'refs'>, scope: ProbeScope): Destination[] {
  const ns = plugin.namespace;
  const out: Destination[] = [];
  for (const ref of plugin.refs) {
    if (!ref.name) continue;
    if (ref.kind === 'Service') out.push({ to: `${ns}/${ref.name}` });
    if (ref.kind === 'Gateway') {
      const key = `${ns}/${ref.name}`;
      const bound = [...(scope.boundTo.get(key) ?? [])];
      if (bound.length > 0) for (const s of bound) out.push({ to: s });
      // A waypoint no Service uses carries no traffic in either revision (a
      // new one not yet adopted, an old one already released): requests
      // cannot be sent "via" it, only through an ingress gateway.
      else if (!scope.waypoints.has(key)) {
        const local = scope.services.filter((s) => s.namespace === ns && s.name !== OTHER)[0];
        out.push({ via: `${ns}/${ref.name}`, to: `${ns}/${local?.name ?? 'example-service'}` });
      }
    }
    if (ref.kind === 'GatewayClass') for (const set of scope.boundTo.values()) for (const s of set) out.push({ to: s });
  }
  return out;
}

/**
 * The same waypoint requests sent through every ingress gateway, where
 * `ingress-use-waypoint` puts the waypoint on that path in either revision:
 * dropping the label, or a gateway's plugin, changes only these.
 */
function viaIngress(destinations: Destination[], scope: ProbeScope): Destination[] {
  return destinations.filter((d) => !d.via && scope.ingressServices.has(d.to)).flatMap((d) => scope.ingress.map((via) => ({ via, to: d.to })));
}

function probeKey(p: Probe): string {
  // In-mesh requests first: when the bound is hit, the ingress paths are what is left out.
  return JSON.stringify([p.via === undefined ? 0 : 1, p.via ?? '', p.to, p.path, p.method, p.authority ?? '', p.credential ?? '']);
}

/** Requests that exercise every basic_auth rule of either revision, with and without each credential, and reach every other auth plugin. */
export function probes(models: MeshModel[], target: string, scope: ProbeScope): { probe: Probe; changed: boolean }[] {
  const out = new Map<string, { probe: Probe; changed: boolean }>();
  const standIn = (to: string) => (to.endsWith(`/${OTHER}`) ? to.replace(`/${OTHER}`, '/example-service') : to);
  for (const plugin of basicAuthPlugins(models, target)) {
    const direct = pluginDestinations(plugin, scope);
    const destinations = [...direct, ...viaIngress(direct, scope)];
    plugin.rules.forEach((rule, i) => {
      for (const shape of ruleShapes(rule)) {
        for (const d of destinations) {
          const probe: Probe = { ...shape, via: d.via, to: standIn(d.to) };
          const key = probeKey(probe);
          out.set(key, { probe, changed: plugin.changed[i] || out.get(key)?.changed === true });
        }
      }
    });
  }
  // A plugin the simulator cannot decide answers `unknown`: one request to
  // each Service it reaches shows it removed, moved away or narrowed as
  // `unknown -> 200`, where its having no rules to probe showed nothing.
  for (const plugin of otherAuthPlugins(models, target)) {
    const direct = pluginDestinations(plugin, scope);
    for (const d of [...direct, ...viaIngress(direct, scope)]) {
      const probe: Probe = { method: 'GET', path: '/', via: d.via, to: standIn(d.to) };
      const key = probeKey(probe);
      out.set(key, { probe, changed: plugin.changed || out.get(key)?.changed === true });
    }
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}
