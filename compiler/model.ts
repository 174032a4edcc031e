/**
 * The compiler's plain data model: what every later stage (analysis, render,
 * simulator, diff) works on. Built from a construct tree (compiler/collect.ts)
 * or read from a directory of manifests (compiler/read-manifests.ts).
 */

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One emitted object and where it came from. */
export interface ModelObject {
  readonly manifest: KubeObject;
  /** Target (environment or cluster) it belongs to. */
  readonly target: string;
  /** `external`: another team's object, emitted label-only. */
  readonly ownership: 'owned' | 'external';
  /** Construct path, when built from a construct tree. */
  readonly path?: string;
  /** `file:line` of the policy code that created it (relative to the project root). */
  readonly source?: string;
  /** The manifest file it was read from (validate --manifests). */
  readonly file?: string;
  /** The 1-based line in `file` where its document (or List item) starts: findings name `file:line`. */
  readonly line?: number;
}

/** An object the policies reference but do not emit. */
export interface ModelReference {
  readonly target: string;
  readonly apiVersion?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly allowedRoutes?: unknown;
  /**
   * A referenced waypoint's class, when it is not `istio-waypoint`
   * (Waypoint.fromWaypointName).
   */
  readonly gatewayClassName?: string;
  readonly path?: string;
  readonly source?: string;
}

/**
 * Whether a referenced Gateway is a waypoint: Waypoint.fromWaypointName
 * declares its traffic type (`istio.io/waypoint-for`); a GatewayReference,
 * which declares none, is an ingress gateway.
 */
export function isWaypointReference(r: ModelReference): boolean {
  return r.kind === 'Gateway' && r.labels?.['istio.io/waypoint-for'] !== undefined;
}

export interface MeshModel {
  readonly objects: readonly ModelObject[];
  readonly references: readonly ModelReference[];
  /** The mesh root namespace (istiod `rootNamespace`). */
  readonly rootNamespace: string;
  /**
   * The cluster's DNS domain (kubelet `--cluster-domain`): the fully
   * qualified name of a Service is `<name>.<namespace>.svc.<clusterDomain>`.
   * Optional so that a model written by hand keeps compiling; read it with
   * `clusterDomainOf`.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /** `app`: compiled from policies; `manifests`: read from YAML we may not have written. */
  readonly origin: 'app' | 'manifests';
}

/** Kubernetes' default cluster DNS domain, and Istio's (`global.proxy.clusterDomain`). */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** The DNS domain Service names of `model` end in. */
export function clusterDomainOf(model: Pick<MeshModel, 'clusterDomain'>): string {
  return model.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
}

// The well-known cluster-scoped kinds: they keep no namespace, and a manifest of one without it is not read into `default`.
const CLUSTER_SCOPED = new Set([
  'APIService',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'GatewayClass',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

export function objectKey(o: { kind: string; metadata?: { namespace?: string; name: string }; namespace?: string; name?: string }): string {
  const ns = o.metadata ? o.metadata.namespace : o.namespace;
  const name = o.metadata ? o.metadata.name : o.name;
  return `${o.kind}/${ns ?? ''}/${name}`;
}
