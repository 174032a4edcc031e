import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { z } from 'zod';
import { namespaceOf, Target, targetNameOf } from '../app';
import { Credential } from '../credentials';
import { callSiteOf, recordSource } from '../internal/provenance';
import { dnsSubdomain } from '../internal/schemas';
import { fail, parseProps, refuseNonObjectProps, refuseUnknownProps, ruleParams, vacant } from '../internal/validate';
import { PolicyError } from '../errors';
import { IMeshService } from '../mesh-service';
import { BasicAuth, BasicAuthRule } from '../plugins/basic-auth';
import { WasmPluginOptions, wasmPluginOptionsShape } from '../wasm-plugin';
import { isWaypoint, IWaypoint, Waypoint, WaypointFor, waypointName } from '../waypoint';
import { canLabelService, failCannotLabel, findWaypoint, labelServiceWaypoint, meshNamespaceOf, serviceWaypoint } from './service-waypoint';

/**
 * Every standard HTTP method. The basic_auth plugin only checks the methods a
 * rule lists, so "protect this path" has to list them all.
 */
export const ALL_HTTP_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** One protected path. Exactly one of `prefix`, `exact`, `suffix`. */
export interface ProtectedPath {
  /** Paths starting with this (plain string prefix; the query string is part of the path). @default - unset */
  readonly prefix?: string;
  /** Exactly this path (query included). @default - unset */
  readonly exact?: string;
  /** Paths ending with this (query included). @default - unset */
  readonly suffix?: string;
}

export interface ProtectPathsOptions extends Omit<WasmPluginOptions, 'targets' | 'selector'> {
  /** The paths to protect. A plain string is a prefix (`'/admin'`). */
  readonly paths: Array<string | ProtectedPath>;

  /** The accepted credentials (`Credential.fromEnv(...)`). */
  readonly credentials: Credential[];

  /**
   * Methods to protect. Methods not listed pass without credentials.
   *
   * @default ALL_HTTP_METHODS
   */
  readonly methods?: string[];

  /**
   * Hosts (`:authority` without port) to protect; `*.x` and `x*` wildcards.
   *
   * @default - every host
   */
  readonly hosts?: string[];

  /**
   * Realm in `WWW-Authenticate: Basic realm=<realm>`.
   *
   * @default - unset: the plugin uses `istio`
   */
  readonly realm?: string;

  /**
   * The waypoint to use. When the Service's traffic does not already go
   * through it, the Service is labeled to use it.
   *
   * @default - the Service's waypoint (its own label, else its Namespace's); if it has none, a waypoint named `waypointName` in the Service's namespace (reused if it exists, else created), and the Service is labeled to use it
   */
  readonly waypoint?: IWaypoint;

  /**
   * Name of the waypoint to create (or reuse) when the Service has none.
   *
   * @default 'waypoint'
   */
  readonly waypointName?: string;

  /**
   * The WasmPlugin name.
   *
   * @default - `<service name>-basic-auth`
   */
  readonly name?: string;

  /**
   * The basic_auth module from a mirror of the same image, for clusters that
   * cannot reach the public registry.
   *
   * @default - the catalogue's basic_auth url
   */
  readonly url?: string;
}

export interface ProtectedServiceProps extends ProtectPathsOptions {
  /** The Service whose paths are protected (a MeshService or MeshService.fromServiceName). */
  readonly service: IMeshService;
}

const isService = (s: unknown): s is IMeshService & IConstruct =>
  typeof s === 'object' && s !== null && (s as IMeshService).targetRef?.kind === 'Service' && typeof (s as IConstruct).node === 'object';

const pathSchema = z.union([
  z.string(),
  z.object({ prefix: z.string().optional(), exact: z.string().optional(), suffix: z.string().optional() }).strict(),
]);

const schema = z.object({
  service: z.custom<IMeshService & IConstruct>(isService, { message: 'service must be a MeshService or MeshService.fromServiceName(...)' }),
  paths: z.array(pathSchema).refine((a) => a.length > 0, { message: 'paths must list at least one path', ...ruleParams('protect/no-paths', "List the paths, e.g. ['/admin'].") }),
  credentials: z.array(z.unknown()),
  methods: z.array(z.string()).refine((a) => a.length > 0, { message: 'methods must list at least one method (leave it unset to protect every method)', ...ruleParams('basic-auth/empty-methods') }).optional(),
  hosts: z.array(z.string()).optional(),
  realm: z.string().optional(),
  waypoint: z.custom<IWaypoint>(isWaypoint, { message: 'waypoint must be a Waypoint or Waypoint.fromWaypointName(...)' }).optional(),
  waypointName: waypointName('waypointName').optional(),
  name: dnsSubdomain('WasmPlugin name').optional(),
});

/** ProtectedServiceProps: its own, and the WasmPlugin options it passes on (not targets or selector). */
const KNOWN_PROPS: ReadonlySet<string> = new Set([...Object.keys(schema.shape), ...Object.keys(wasmPluginOptionsShape).filter((k) => k !== 'targets' && k !== 'selector'), 'url']);
/** What ProtectedService passes on to the BasicAuth it creates: every prop it takes but those it reads itself. */
const PASSED_ON: ReadonlySet<string> = new Set([...KNOWN_PROPS].filter((k) => !['service', 'paths', 'credentials', 'methods', 'hosts', 'waypoint', 'waypointName'].includes(k)));

/**
 * "Protect these paths of this Service" with HTTP Basic auth, in the form
 * Istio applies per Service: a BasicAuth whose target is the Service itself
 * (targetRef kind Service), in the Service's namespace, running on the
 * Service's waypoint. Other Services on the same waypoint are not affected.
 *
 * If the Service has no waypoint, one is created (or the namespace's
 * waypoint of that name reused) and the Service is labeled to use it.
 *
 * @example
 * new ProtectedService(ns, 'reviews-admin', {
 *   service: MeshService.fromServiceName(ns, 'reviews', 'reviews'),
 *   paths: ['/admin'],
 *   credentials: [Credential.fromEnv('REVIEWS_ADMIN')],
 * });
 */
export class ProtectedService extends Construct {
  /** The protected Service. */
  public readonly service: IMeshService;
  /** The BasicAuth plugin (Service-targeted). */
  public readonly plugin: BasicAuth;
  /** The waypoint name the Service's traffic goes through. */
  public readonly waypointName: string;
  /** The waypoint construct, when this app defines or references it. */
  public readonly waypoint?: IWaypoint;
  /** Whether this construct created the waypoint. */
  public readonly createdWaypoint: boolean;
  /** Whether this construct labeled the Service to use the waypoint. */
  public readonly labeledService: boolean;

  constructor(scope: Construct, id: string, props: ProtectedServiceProps) {
    refuseNonObjectProps(scope, id, props, new.target);
    super(vacant(scope, id, new.target), id);
    recordSource(this, new.target);
    // Set once a waypoint is being created: removed again if the call fails.
    let creating: WaypointPlan['create'];
    try {
      // Checked here, not by the BasicAuth it makes: that error would name
      // BasicAuth's props, not these. A team's subclass may take props of
      // its own, as WasmPlugin's subclasses may: only this very class is checked.
      if (new.target === ProtectedService && typeof props === 'object' && props !== null) refuseUnknownProps(this, 'ProtectedService', props, KNOWN_PROPS);
      const p = parseProps(this, 'ProtectedService', schema, props, { secretKeys: ['credentials'] });
      const service = p.service;
      this.service = service;
      const namespace = namespaceOf(this, `ProtectedService '${id}'`);
      if (namespace !== service.namespace) {
        // A Service-targeted plugin only applies from the Service's own namespace.
        fail(this, 'protect/wrong-namespace', `ProtectedService is in namespace '${namespace}' but Service '${service.name}' is in '${service.namespace}': a Service-targeted plugin only applies from the Service's namespace`, "Create it in the Service's MeshNamespace, or use protectPaths(service, ...).");
      }
      if (Target.of(this) !== Target.of(service)) {
        // Each target is written to its own folder and applied to its own
        // cluster: the waypoint and label would change the Service's target,
        // the plugin this one, and neither half would work.
        fail(this, 'protect/wrong-target', `ProtectedService is in target '${targetNameOf(this)}' but Service '${service.name}' is in target '${targetNameOf(service)}': each target is applied to its own cluster, so the plugin would not reach the Service`, "Create it in the Service's MeshNamespace, or use protectPaths(service, ...).");
      }
      const earlier = protectionOf(service);
      if (earlier) {
        // A request must satisfy every plugin on the Service, so a second
        // plugin would not add paths to the first but demand its credentials
        // too wherever their paths overlap: all paths belong in one.
        fail(this, 'protect/duplicate', `paths of Service '${service.name}' are already protected by the ProtectedService at '${earlier.node.path}'`, `Put every path in that one ProtectedService (or protectPaths() call), and remove this one.`);
      }

      // Decide first, change nothing until every check has passed: a refused
      // call must not leave a waypoint or a label behind.
      const plan = planWaypoint(this, service, p.waypoint, p.waypointName ?? 'waypoint');
      if (plan.waypoint) checkWaypointTakes(this, plan.waypoint, service);
      if (plan.label && !canLabelService(service)) failCannotLabel(service, plan.name!);

      const methods = p.methods ?? [...ALL_HTTP_METHODS];
      const rules: BasicAuthRule[] = coveringPaths(this, p.paths).map((path) => ({
        ...path,
        methods,
        credentials: props.credentials,
        ...(p.hosts ? { hosts: p.hosts } : {}),
      }));
      // Only the plugin options: a subclass's own props are not BasicAuth's.
      const pluginOptions = Object.fromEntries(Object.entries(props).filter(([k]) => PASSED_ON.has(k)));
      this.plugin = new BasicAuth(this, 'BasicAuth', {
        ...pluginOptions,
        name: p.name ?? `${service.name}-basic-auth`,
        targets: [service],
        rules,
      });

      creating = plan.create;
      const waypoint = plan.create ? new Waypoint(plan.create.scope, plan.create.name) : plan.waypoint;
      if (plan.label) labelServiceWaypoint(service, waypoint!);
      this.waypoint = waypoint;
      this.waypointName = waypoint?.name ?? plan.name!;
      this.createdWaypoint = plan.create !== undefined;
      this.labeledService = plan.label;
      protections.set(service, this);
    } catch (e) {
      scope.node.tryRemoveChild(id);
      // The waypoint lives in the Service's namespace, not under this
      // construct; its id was free when planned, so what holds it now is ours
      // (even half-built, if the Waypoint itself refused its name).
      if (creating) creating.scope.node.tryRemoveChild(creating.name);
      throw e;
    }
  }
}

/** The ProtectedService of each Service, to refuse a second one. */
const protections = new WeakMap<IConstruct, ProtectedService>();

/** The ProtectedService already protecting `service`, unless it was removed from the tree since. */
function protectionOf(service: IConstruct): ProtectedService | undefined {
  const earlier = protections.get(service);
  for (let c: IConstruct | undefined = earlier; c?.node.scope; c = c.node.scope) {
    if (c.node.scope.node.tryFindChild(c.node.id) !== c) return undefined;
  }
  return earlier;
}

interface WaypointPlan {
  /** The waypoint construct, when known. */
  readonly waypoint?: IWaypoint;
  /** The waypoint name (known even when only a label names it). */
  readonly name?: string;
  /** The waypoint to create in the Service's namespace: its name (also its id) and scope. */
  readonly create?: { readonly name: string; readonly scope: Construct };
  /** Whether the Service must be labeled to use the waypoint. */
  readonly label: boolean;
}

/** Which waypoint the protection runs on, and what has to change for that. */
function planWaypoint(scope: IConstruct, service: IMeshService & IConstruct, wanted: IWaypoint | undefined, createName: string): WaypointPlan {
  const binding = serviceWaypoint(service);
  if (wanted) {
    const same = binding.name === wanted.name && binding.namespace === wanted.namespace;
    if (binding.source === 'service' && !same) {
      const current = binding.optedOut ? "opts out of waypoints ('none')" : `uses waypoint '${binding.namespace}/${binding.name}'`;
      fail(scope, 'binding/conflict', `Service '${service.name}' already ${current} by its own label, not '${wanted.namespace}/${wanted.name}'`, "Drop the waypoint option, or change the Service's useWaypoint.");
    }
    return { waypoint: wanted, name: wanted.name, label: !same };
  }
  if (binding.optedOut) {
    fail(scope, 'protect/opted-out', `Service '${service.name}' opts out of waypoints (istio.io/use-waypoint: none), so a plugin targeting it would never run`, 'Remove the opt-out, or pass the waypoint to use.');
  }
  if (binding.name) return { waypoint: findWaypoint(scope, binding.name, binding.namespace!), name: binding.name, label: false };
  const existing = findWaypoint(service, createName, service.namespace);
  if (existing) return { waypoint: existing, name: createName, label: true };
  const chart = meshNamespaceOf(service) ?? Chart.of(service);
  if (chart.node.tryFindChild(createName)) {
    fail(scope, 'protect/waypoint-id-taken', `cannot create waypoint '${createName}' in namespace '${service.namespace}': the id is taken by another construct`, 'Pass waypointName, or create the waypoint yourself and pass it as waypoint.');
  }
  return { name: createName, create: { name: createName, scope: chart }, label: true };
}

/**
 * Protect paths of a Service: a ProtectedService in the Service's namespace.
 * Call it once per Service (put every path in one call).
 *
 * @example
 * protectPaths(reviews, { paths: ['/admin'], credentials: [Credential.fromEnv('REVIEWS_ADMIN')] });
 */
export function protectPaths(service: IMeshService & IConstruct, options: ProtectPathsOptions): ProtectedService {
  if (!isService(service)) {
    // Not a construct, so it has no path: the call is what to point at.
    throw new PolicyError([{ rule: 'props/invalid', severity: 'error', message: 'protectPaths(service, ...): service must be a MeshService or MeshService.fromServiceName(...)', fix: 'Pass the Service construct.', source: callSiteOf(protectPaths) }]);
  }
  let chart: Chart;
  try {
    chart = Chart.of(service);
  } catch {
    fail(service, 'scope/no-namespace', `Service '${service.name}' is not inside a namespace`, 'Create the Service inside a MeshNamespace.');
  }
  // Named after the Service, not its construct id: a reusable construct gives
  // each instance's Service the same id ('Service'), while a Service name is
  // unique in its namespace.
  const id = `${service.name}-protected`;
  const taken = chart.node.tryFindChild(id);
  // The same Service again, or another construct for a Service of the same
  // name (the same object in the cluster): either way a second protection.
  const earlier = protectionOf(service);
  const again = earlier !== undefined ? earlier === taken : taken instanceof ProtectedService && protectionOf(taken.service as IMeshService & IConstruct) === taken;
  if (again) {
    fail(taken!, 'protect/duplicate', `paths of Service '${service.name}' are already protected by an earlier protectPaths() call`, 'Put every path in one protectPaths() call (a request must satisfy every matching rule anyway).');
  }
  return new ProtectedService(chart, id, { ...options, service });
}

/** The waypoint must accept the Service: take service traffic, and admit its namespace. */
function checkWaypointTakes(scope: IConstruct, waypoint: IWaypoint, service: IMeshService): void {
  if (waypoint.waypointFor !== WaypointFor.SERVICE && waypoint.waypointFor !== WaypointFor.ALL) {
    fail(scope, 'protect/waypoint-not-for-service', `waypoint '${waypoint.namespace}/${waypoint.name}' has waypoint-for '${waypoint.waypointFor}', so it never handles traffic addressed to Service '${service.name}' and the plugin would never run`, "Use a waypoint with waypointFor SERVICE or ALL.");
  }
  const ns = meshNamespaceOf(scope);
  if (!waypoint.allowedNamespaces.admits(waypoint.namespace, service.namespace, ns?.labelValues ?? {})) {
    fail(scope, 'protect/waypoint-not-allowed', `waypoint '${waypoint.namespace}/${waypoint.name}' does not admit namespace '${service.namespace}' (allowedNamespaces), so Istio refuses the binding and the plugin would never run`, 'Give the waypoint allowedNamespaces that admit this namespace, or use a waypoint in the same namespace.');
  }
}

/**
 * The paths as BasicAuth rules, without paths another prefix already covers:
 * with the same methods and credentials such a rule adds nothing, and the
 * analysis would report it as shadowed.
 */
function coveringPaths(scope: IConstruct, paths: Array<string | ProtectedPath>): ProtectedPath[] {
  const all = paths.map((p) => (typeof p === 'string' ? { prefix: p } : p));
  for (const p of all) {
    const keys = (['prefix', 'exact', 'suffix'] as const).filter((k) => p[k] !== undefined);
    if (keys.length !== 1) {
      fail(scope, 'basic-auth/path-match', `a protected path needs exactly one of prefix, exact or suffix; got ${keys.length === 0 ? 'none' : keys.join(' and ')}`, 'Keep exactly one of prefix, exact, suffix.');
    }
    const v = p.prefix ?? p.exact;
    if (v !== undefined && v !== '' && !v.startsWith('/')) {
      fail(scope, 'protect/relative-path', `path ${JSON.stringify(v)} does not start with '/': request paths always do, so it would never match`, `Write ${JSON.stringify(`/${v}`)}.`);
    }
  }
  const prefixes = all.filter((p) => p.prefix !== undefined && p.prefix !== '').map((p) => p.prefix!);
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    const v = p.prefix ?? p.exact;
    if (v === undefined) return true;
    return !prefixes.some((q) => q !== p.prefix && v.startsWith(q));
  });
}

