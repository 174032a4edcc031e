import { clusterDomainOf, isWaypointReference, type KubeObject, type MeshModel, type ModelObject, type ModelReference } from '../compiler/model';
import { admissionRefusal } from './admission';
import { SimulationError } from './request';
import { DECLARED_CONTROLLER, gatewayProxy, MESH_CONTROLLER, referenceClass, type GatewayProxy } from '../analysis/gateway-classes';

/** How the simulator knows an object. */
export type Knowledge =
  /** Read from a manifest (possibly a label-only one: then only its labels are known). */
  | 'manifest'
  /** Referenced by the policies but owned elsewhere: what the reference declares is known. */
  | 'reference'
  /** Absent: assumed to exist without labels (another team's object, not in our output). */
  | 'assumed';

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly known: Knowledge;
  readonly labels: Readonly<Record<string, string>>;
  /** The ports, when a full manifest lists them. */
  readonly ports?: readonly number[];
  /** Where it was read from (file or policy source), for the trace. */
  readonly where?: string;
}

export interface NamespaceInfo {
  readonly name: string;
  readonly known: Knowledge;
  /** Its labels, including the `kubernetes.io/metadata.name` every Namespace carries. */
  readonly labels: Readonly<Record<string, string>>;
  /** Whether these are all its labels: false for an absent or label-only (another team's) Namespace. */
  readonly labelsComplete: boolean;
  readonly where?: string;
}

export interface ListenerInfo {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly allowedRoutes?: unknown;
}

export interface GatewayInfo {
  readonly namespace: string;
  readonly name: string;
  readonly known: Knowledge;
  /** `spec.gatewayClassName`; for a waypoint reference its declared class (default `istio-waypoint`); undefined when unknown. */
  readonly className?: string;
  /** What runs for it, by its class (analysis/gateway-classes.ts): istiod binds to a Gateway of any class. */
  readonly proxy: GatewayProxy;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Its annotations, from a manifest.
   *
   * @default - none known (a reference or an assumed Gateway)
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Listeners from a manifest; a reference carries only the HBONE listener's allowedRoutes. */
  readonly listeners?: readonly ListenerInfo[];
  /** Why the API server refuses its manifest as written, when it does. */
  readonly refused?: string;
  readonly where?: string;
}

const MESH_KINDS = new Set(['Gateway', 'GatewayClass', 'WasmPlugin', 'Service', 'ServiceEntry', 'Namespace', 'AuthorizationPolicy', 'RequestAuthentication']);

/** Lookups over one target of a model: the only view the simulator has of the cluster. */
export class MeshIndex {
  /**
   * The index for `target`, or for the only target holding mesh objects
   * (GitOps delivery manifests alone do not make a target).
   */
  public static forTarget(model: MeshModel, target?: string): MeshIndex {
    const all = new Set([...model.objects.map((o) => o.target), ...model.references.map((r) => r.target)]);
    const mesh = [...new Set([...model.objects.filter((o) => MESH_KINDS.has(o.manifest.kind)).map((o) => o.target), ...model.references.map((r) => r.target)])].sort();
    if (target !== undefined) {
      if (!all.has(target)) {
        throw new SimulationError('target', `target ${JSON.stringify(target)} is not in the manifests; targets: ${[...all].sort().join(', ') || '(none)'}`, 'Pass one of the targets listed.');
      }
      return new MeshIndex(model, target);
    }
    if (mesh.length === 0) {
      throw new SimulationError('model', 'the manifests hold no mesh objects (Gateway, WasmPlugin, Service, Namespace)', 'Run synth first, or point at the folder holding the manifests.');
    }
    if (mesh.length > 1) {
      throw new SimulationError('target', `the manifests hold several targets (${mesh.join(', ')}); say which one to simulate`, 'Pass a target name.');
    }
    return new MeshIndex(model, mesh[0]);
  }

  public readonly rootNamespace: string;
  /** The cluster's DNS domain, which the default authorities end in. */
  public readonly clusterDomain: string;
  /**
   * The target's objects by kind, then namespace, then name, each list in
   * the model's order: the review looks up every Service of a mesh, and a
   * scan of every object per lookup made that quadratic in the mesh's size.
   */
  private readonly byKind = new Map<unknown, Map<unknown, Map<unknown, ModelObject[]>>>();
  /** Each object's position in the model, to merge lists of several namespaces back into the model's order. */
  private readonly position = new Map<ModelObject, number>();
  /** The first reference of each kind, namespace and name (as a scan in order finds it). */
  private readonly referenced = new Map<string, ModelReference>();

  private constructor(
    public readonly model: MeshModel,
    public readonly target: string,
  ) {
    this.rootNamespace = model.rootNamespace;
    this.clusterDomain = clusterDomainOf(model);
    for (const o of model.objects) {
      if (o.target !== target) continue;
      this.position.set(o, this.position.size);
      const namespaces = this.byKind.get(o.manifest.kind) ?? this.byKind.set(o.manifest.kind, new Map()).get(o.manifest.kind)!;
      const ns = namespaceOf(o.manifest);
      const names = namespaces.get(ns) ?? namespaces.set(ns, new Map()).get(ns)!;
      const name = o.manifest.metadata.name;
      (names.get(name) ?? names.set(name, []).get(name)!).push(o);
    }
    for (const r of model.references) {
      const key = JSON.stringify([r.kind, r.namespace, r.name]);
      if (r.target === target && !this.referenced.has(key)) this.referenced.set(key, r);
    }
  }

  /**
   * Objects of a kind, every copy (a label-only manifest and a full one may
   * both exist), in the model's order; only those in `namespace` and named
   * `name` when given.
   */
  public ofKind(kind: string, namespace?: string, name?: string): ModelObject[] {
    const namespaces = this.byKind.get(kind);
    if (!namespaces) return [];
    const lists = namespace === undefined ? [...namespaces.values()] : namespaces.has(namespace) ? [namespaces.get(namespace)!] : [];
    return this.inOrder(lists.flatMap((names) => (name === undefined ? [...names.values()] : names.has(name) ? [names.get(name)!] : [])));
  }

  /** Objects of a kind in any of `namespaces`, in the model's order. */
  public inNamespaces(kind: string, namespaces: ReadonlySet<string>): ModelObject[] {
    const lists: ModelObject[][] = [];
    for (const ns of namespaces) for (const list of this.byKind.get(kind)?.get(ns)?.values() ?? []) lists.push(list);
    return this.inOrder(lists);
  }

  /** Objects of a cluster-scoped kind (Namespace, GatewayClass) by name. */
  private named(kind: string, name: string): ModelObject[] {
    return this.inOrder([...(this.byKind.get(kind)?.values() ?? [])].flatMap((names) => (names.has(name) ? [names.get(name)!] : [])));
  }

  private inOrder(lists: readonly ModelObject[][]): ModelObject[] {
    if (lists.length === 1) return [...lists[0]];
    return lists.flat().sort((a, b) => this.position.get(a)! - this.position.get(b)!);
  }

  public service(namespace: string, name: string): ServiceInfo {
    const found = this.ofKind('Service', namespace, name);
    if (found.length > 0) {
      const ports = found
        .map((o) => (o.manifest.spec as { ports?: { port?: unknown }[] } | undefined)?.ports)
        .find((p) => Array.isArray(p));
      return {
        namespace,
        name,
        known: 'manifest',
        labels: merged(found, 'labels'),
        ports: ports?.map((p) => p.port).filter((p): p is number => typeof p === 'number'),
        where: whereOf(found[0]),
      };
    }
    const ref = this.reference('Service', namespace, name);
    if (ref) return { namespace, name, known: 'reference', labels: { ...(ref.labels ?? {}) }, where: ref.source };
    return { namespace, name, known: 'assumed', labels: {} };
  }

  /**
   * Where a ServiceEntry of this name is declared or referenced, when no
   * Service is: a request to it is not simulated, and must not be taken for
   * one to an unlabelled Service (its own waypoint and plugins would be missed).
   */
  public serviceEntry(namespace: string, name: string): { readonly where?: string } | undefined {
    const found = this.ofKind('ServiceEntry', namespace, name);
    if (found.length > 0) return { where: whereOf(found[0]) };
    const ref = this.reference('ServiceEntry', namespace, name);
    return ref ? { where: ref.source } : undefined;
  }

  public namespace(name: string): NamespaceInfo {
    const found = this.named('Namespace', name);
    const labels = { 'kubernetes.io/metadata.name': name, ...merged(found, 'labels') };
    if (found.length > 0) return { name, known: 'manifest', labels, labelsComplete: found.every((o) => o.ownership === 'owned'), where: whereOf(found[0]) };
    return { name, known: 'assumed', labels, labelsComplete: false };
  }

  /** A Gateway a request names (`via`): when nothing here names it, assumed to exist, with no labels. */
  public gatewayOrAssumed(namespace: string, name: string): GatewayInfo {
    return this.gateway(namespace, name) ?? { namespace, name, known: 'assumed', labels: {}, proxy: gatewayProxy(undefined, undefined) };
  }

  /** A Gateway, or undefined when neither a manifest nor a reference names it. */
  public gateway(namespace: string, name: string): GatewayInfo | undefined {
    const found = this.ofKind('Gateway', namespace, name);
    if (found.length > 0) {
      // A label-only copy is applied onto an existing object; only the full one is checked as a whole.
      const full = found.find((o) => o.manifest.spec !== undefined);
      const spec = (full?.manifest.spec ?? {}) as { gatewayClassName?: unknown; listeners?: unknown };
      const listeners = Array.isArray(spec.listeners) ? objectItems<ListenerInfo>(spec.listeners) : undefined;
      const refused = full ? admissionRefusal(full.manifest) : undefined;
      const annotations = merged(found, 'annotations');
      return {
        ...(refused ? { refused } : {}),
        namespace,
        name,
        known: 'manifest',
        className: typeof spec.gatewayClassName === 'string' ? spec.gatewayClassName : undefined,
        proxy: gatewayProxy(spec.gatewayClassName, this.gatewayClass(spec.gatewayClassName)?.controllerName, annotations[DECLARED_CONTROLLER]),
        labels: merged(found, 'labels'),
        annotations,
        listeners,
        where: whereOf(found[0]),
      };
    }
    const ref = this.reference('Gateway', namespace, name);
    if (!ref) return undefined;
    const labels = { ...(ref.labels ?? {}) };
    const isWaypoint = isWaypointReference(ref);
    const className = referenceClass(ref);
    return {
      namespace,
      name,
      known: 'reference',
      className,
      // Waypoint.fromWaypointName states that it is a waypoint; a GatewayReference says nothing of its class.
      proxy: gatewayProxy(className, this.gatewayClass(className)?.controllerName, isWaypoint ? MESH_CONTROLLER : undefined),
      labels,
      listeners: isWaypoint ? [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: ref.allowedRoutes }] : undefined,
      where: ref.source,
    };
  }

  /**
   * The labels, annotations and `spec.controllerName` of a GatewayClass, when
   * its manifest is present (controllerName undefined: a label-only copy).
   */
  public gatewayClass(name: unknown): { readonly labels: Readonly<Record<string, string>>; readonly annotations: Readonly<Record<string, string>>; readonly controllerName?: unknown } | undefined {
    const found = typeof name === 'string' ? this.named('GatewayClass', name) : [];
    if (found.length === 0) return undefined;
    const spec = found.find((o) => o.manifest.spec !== undefined)?.manifest.spec as { controllerName?: unknown } | undefined;
    return { labels: merged(found, 'labels'), annotations: merged(found, 'annotations'), controllerName: spec?.controllerName };
  }

  private reference(kind: string, namespace: string, name: string): ModelReference | undefined {
    return this.referenced.get(JSON.stringify([kind, namespace, name]));
  }
}

/**
 * The object items of a list field of a manifest. Anything else (a null
 * item) the API server refuses, and it describes nothing: skipped, so one
 * never crashes the simulation.
 */
export function objectItems<T>(list: unknown): T[] {
  return Array.isArray(list) ? (list.filter((x) => typeof x === 'object' && x !== null && !Array.isArray(x)) as T[]) : [];
}

/** A namespaced object's namespace; manifests without one go to `default`, as kubectl's default context would. */
export function namespaceOf(m: KubeObject): string {
  return m.metadata.namespace ?? 'default';
}

/** Where an object came from, for the trace: its file, else the policy line. */
export function whereOf(o: ModelObject): string | undefined {
  return o.file ?? o.source;
}

/** One metadata map of the manifests of one object, merged in the model's order. */
function merged(objects: readonly ModelObject[], field: 'labels' | 'annotations'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objects) Object.assign(out, o.manifest.metadata[field] ?? {});
  return out;
}
