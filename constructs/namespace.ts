import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { z } from 'zod';
import { LABELS, NAMESPACE_NAME_LABEL, NO_WAYPOINT } from './labels';
import { ClusterScopedApiObject } from './internal/cluster-scoped-api-object';
import { markExternal } from './internal/ownership';
import { createDeferredApiObjects } from './internal/deferred-api-object';
import { callSiteOf, recordSource, sourceOf } from './internal/provenance';
import { dnsLabel, labelMap } from './internal/schemas';
import { nearest } from './internal/nearest';
import { declareConstructProps, fail, parseDeclaredProps, parseProps, refuseNonObjectProps, refuseOtherCopy, reserveId, vacant, withProps } from './internal/validate';
import { useWaypointLabels } from './internal/waypoint-labels';
import { isWaypoint, IWaypoint, useWaypointOption } from './waypoint';

/** How pods in a namespace join the mesh (`istio.io/dataplane-mode`). */
export enum DataplaneMode {
  /** Captured by ztunnel. */
  AMBIENT = 'ambient',
  /** Explicitly out of ambient mode. */
  NONE = 'none',
}

export interface MeshNamespaceProps {
  /**
   * The Kubernetes namespace name.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * `istio.io/dataplane-mode` to write on the Namespace.
   *
   * @default DataplaneMode.AMBIENT
   */
  readonly dataplaneMode?: DataplaneMode;

  /**
   * Whether to write `istio.io/dataplane-mode` at all. Set to false for a
   * namespace that only hosts shared waypoints or mesh-wide plugins (such as
   * the root namespace), whose enrollment someone else decides.
   *
   * @default true
   */
  readonly enroll?: boolean;

  /**
   * The waypoint every Service in the namespace uses unless the Service says
   * otherwise, or `'none'`. Can also be set later with `useWaypoint()`.
   *
   * @default - no namespace waypoint label
   */
  readonly useWaypoint?: IWaypoint | typeof NO_WAYPOINT;

  /**
   * Send traffic from ingress gateways through the namespace waypoint too
   * (`istio.io/ingress-use-waypoint: "true"`).
   *
   * @default false - not written
   */
  readonly ingressUseWaypoint?: boolean;

  /**
   * Whether this repo owns the Namespace. An owned Namespace is a normal
   * managed object, always emitted (even with no label: nothing in it could
   * be applied otherwise); one that another team owns (the default) is
   * emitted as a label-only manifest that GitOps tools never prune, delete or
   * overwrite, and only when it has a label to write.
   *
   * @default false
   */
  readonly owned?: boolean;

  /**
   * Extra labels to write on the Namespace (labels this repo then owns). Not
   * the Istio labels the other props write (`namespace/managed-label`).
   *
   * @default {}
   */
  readonly labels?: Record<string, string>;
}

const schema = z.object({
  name: dnsLabel('namespace name'),
  dataplaneMode: z.enum(DataplaneMode).optional(),
  enroll: z.boolean().optional(),
  useWaypoint: useWaypointOption.optional(),
  ingressUseWaypoint: z.boolean().optional(),
  owned: z.boolean().optional(),
  labels: labelMap.optional(),
});

/**
 * The labels MeshNamespace writes from its own props: the prop that sets
 * each, and how to use it. A Map: a label named toString or constructor is
 * a label like any other, not one of Object.prototype's members.
 */
const MANAGED_LABELS: ReadonlyMap<string, { prop: string; use: string }> = new Map([
  [LABELS.dataplaneMode, { prop: 'dataplaneMode', use: 'dataplaneMode (or enroll: false, to leave it unset)' }],
  [LABELS.useWaypoint, { prop: 'useWaypoint', use: 'useWaypoint (or ns.useWaypoint())' }],
  [LABELS.useWaypointNamespace, { prop: 'useWaypoint', use: 'useWaypoint (or ns.useWaypoint()), with a Waypoint of another namespace' }],
  [LABELS.ingressUseWaypoint, { prop: 'ingressUseWaypoint', use: 'ingressUseWaypoint' }],
]);

/**
 * The props that write these labels also check them against each other
 * (a cross-namespace waypoint needs both use-waypoint labels, say) and the
 * analysis reads them through the props; one given in `labels` as well was
 * overwritten without a word, so a namespace meant out of ambient was
 * enrolled.
 */
function refuseManagedLabels(ns: MeshNamespace, labels: Record<string, string>): void {
  // The API server writes this one itself, from the name, on every write
  // (SetDefaults_Namespace): another value would be replaced without a
  // word, leave the Namespace out of sync in the GitOps tool for ever, and
  // have the analysis admit bindings by a name the cluster does not have.
  const metadataName = labels[NAMESPACE_NAME_LABEL];
  if (metadataName !== undefined && metadataName !== ns.name) {
    fail(
      ns,
      'namespace/managed-label',
      `labels sets ${NAMESPACE_NAME_LABEL} to ${JSON.stringify(metadataName)}, but the API server sets that label to the Namespace's own name (${JSON.stringify(ns.name)}) on every write`,
      `Remove ${NAMESPACE_NAME_LABEL} from labels: every Namespace carries it with its own name (AllowedNamespaces.named() selects on it).`,
    );
  }
  for (const key of Object.keys(labels)) {
    const managed = MANAGED_LABELS.get(key);
    if (managed !== undefined) {
      fail(ns, 'namespace/managed-label', `labels sets ${key}, which MeshNamespace writes from its ${managed.prop} prop`, `Remove ${key} from labels and use ${managed.use}.`);
    }
    // A misspelling of one (`istio.io/use-waypiont`) is written as given and
    // read by no one: the namespace silently goes without its waypoint.
    const near = KNOWN_ISTIO_LABELS.has(key) ? undefined : nearest(key, MANAGED_LABEL_KEYS);
    if (near !== undefined) {
      const meant = MANAGED_LABELS.get(near)!;
      fail(
        ns,
        'namespace/managed-label',
        `labels sets ${key}, which misspells ${near} (MeshNamespace writes that from its ${meant.prop} prop): Istio reads only ${near}, so this label does nothing`,
        `Remove ${key} from labels and use ${meant.use}.`,
      );
    }
  }
}

/** Istio's label keys this library knows: never taken for a misspelling of another. */
const KNOWN_ISTIO_LABELS: ReadonlySet<string> = new Set(Object.values(LABELS));
const MANAGED_LABEL_KEYS = [...MANAGED_LABELS.keys()];

/**
 * A namespace of the mesh: the scope for the waypoints, services and plugins
 * that live in it, and its ambient enrollment labels.
 *
 * @example
 * const ns = new MeshNamespace(app, 'default');
 * ns.useWaypoint(new Waypoint(ns, 'waypoint'));
 */
export class MeshNamespace extends Chart {
  /** The namespace name. */
  public readonly name: string;
  /** Whether this repo owns the Namespace object. */
  public readonly owned: boolean;
  /**
   * Whether `x` is a MeshNamespace. Use this, not `instanceof`: cdk8s's Chart
   * defines `Symbol.hasInstance`, so `instanceof MeshNamespace` is true for any Chart.
   */
  public static isMeshNamespace(x: unknown): x is MeshNamespace {
    return typeof x === 'object' && x !== null && Object.prototype.isPrototypeOf.call(MeshNamespace.prototype, x);
  }

  private readonly labelStore: Record<string, string> = {};
  private namespaceObject?: ApiObject;

  /**
   * The Namespace manifest as a cdk8s `ApiObject` (the escape hatch), or
   * undefined for another team's Namespace while no label is written (then
   * nothing is emitted).
   */
  public get apiObject(): ApiObject | undefined {
    return this.namespaceObject;
  }

  constructor(scope: Construct, id: string, props: MeshNamespaceProps = {}) {
    refuseNonObjectProps(scope, id, props, new.target);
    const name = props.name ?? id;
    super(vacant(scope, id, new.target), id, { namespace: name, disableResourceNameHashes: true });
    recordSource(this, new.target);
    // Created with the first label, which may come after other children.
    reserveId(this, 'Namespace', 'its Namespace manifest');
    // A refused namespace must not stay in the tree half-labelled: a caller
    // that catches the error and goes on would otherwise synthesize it.
    try {
      const p = parseDeclaredProps(this, new.target, props, () => parseProps(this, 'MeshNamespace', schema, withProps(props, { name }), { nameFromId: props.name == null }));
      this.name = p.name;
      this.owned = p.owned ?? false;
      refuseManagedLabels(this, p.labels ?? {});
      // An owned Namespace is emitted even with no label: the objects in it cannot be applied before it exists.
      if (this.owned) this.namespaceManifest();
      this.setLabels(p.labels ?? {});
      if (p.enroll !== false) {
        this.setLabels({ [LABELS.dataplaneMode]: p.dataplaneMode ?? DataplaneMode.AMBIENT });
      }
      if (p.useWaypoint) this.useWaypoint(p.useWaypoint);
      if (p.ingressUseWaypoint) this.setLabels({ [LABELS.ingressUseWaypoint]: 'true' });
    } catch (e) {
      scope.node.tryRemoveChild(this.node.id);
      throw e;
    }
  }

  /**
   * cdk8s's own synth of this chart (`Testing.synth`, `toJson`). cdk8s orders
   * objects by their dependencies before it validates (which is when deferred
   * ApiObjects are created otherwise), so create them all first.
   */
  public override toJson(): ReturnType<Chart['toJson']> {
    createDeferredApiObjects(this.node.root);
    return super.toJson();
  }

  /** The labels written on the Namespace so far (a copy). */
  public get labelValues(): Readonly<Record<string, string>> {
    return { ...this.labelStore };
  }

  /**
   * Make `waypoint` the namespace waypoint (`istio.io/use-waypoint`, plus
   * `istio.io/use-waypoint-namespace` when it lives elsewhere), or opt out with `'none'`.
   */
  public useWaypoint(waypoint: IWaypoint | typeof NO_WAYPOINT): void {
    // Blamed on the call, not on the line that created the namespace.
    refuseOtherCopy(this, waypoint, () => 'useWaypoint() was given a Waypoint', () => callSiteOf(this.useWaypoint) ?? sourceOf(this));
    if (waypoint !== NO_WAYPOINT && !isWaypoint(waypoint)) {
      fail(this, 'props/invalid', `useWaypoint() needs a Waypoint or "none"`, 'Pass a Waypoint construct, Waypoint.fromWaypointName(), or "none".', callSiteOf(this.useWaypoint) ?? sourceOf(this));
    }
    if (this.labelStore[LABELS.useWaypoint] !== undefined) {
      fail(this, 'binding/conflict', `namespace '${this.name}' already uses waypoint '${this.labelStore[LABELS.useWaypoint]}'`, 'Call useWaypoint() once per namespace.', callSiteOf(this.useWaypoint) ?? sourceOf(this));
    }
    this.setLabels(useWaypointLabels(this.name, waypoint));
  }

  private setLabels(labels: Record<string, string>): void {
    if (Object.keys(labels).length === 0) return;
    Object.assign(this.labelStore, labels);
    const manifest = this.namespaceManifest();
    for (const [k, v] of Object.entries(labels)) manifest.metadata.addLabel(k, v);
  }

  private namespaceManifest(): ApiObject {
    if (!this.namespaceObject) {
      this.namespaceObject = new ClusterScopedApiObject(this, 'Namespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: this.name },
      });
      if (!this.owned) markExternal(this.namespaceObject);
    }
    return this.namespaceObject;
  }
}
declareConstructProps(MeshNamespace, Object.keys(schema.shape));
