import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { z } from 'zod';
import { namespaceOf } from './app';
import { recordSource } from './internal/provenance';
import { markReference } from './internal/reference';
import { dns1035Label, dnsSubdomain, isLabelKey, isLabelValue, dnsLabel, quotedLabel, unwritableKeyProblem } from './internal/schemas';
import { declareConstructProps, fail, kindOf, parseDeclaredProps, parseProps, refuseNonObjectProps, refusePropsOutside, ruleParams, vacant, withProps } from './internal/validate';
import { NAMESPACE_NAME_LABEL, NO_WAYPOINT } from './labels';
import { GATEWAY_GROUP, ITargetable, TargetRef } from './target-ref';
import { builtinNonWaypointClass, DECLARED_CONTROLLER, MESH_CONTROLLER, WAYPOINT_CLASS } from '../analysis/gateway-classes';

/** Which traffic a waypoint handles (`istio.io/waypoint-for`). */
export enum WaypointFor {
  /** Traffic addressed to a Service (the default). */
  SERVICE = 'service',
  /** Traffic addressed straight to pods. */
  WORKLOAD = 'workload',
  /** Both. */
  ALL = 'all',
  /** Neither: the waypoint takes no traffic. */
  NONE = 'none',
}

/** Which namespaces may bind to a waypoint (the HBONE listener's `allowedRoutes`). */
export class AllowedNamespaces {
  /** Only the waypoint's own namespace (Gateway API default; nothing is emitted). */
  public static same(): AllowedNamespaces {
    return new AllowedNamespaces('Same');
  }

  /** Every namespace. */
  public static all(): AllowedNamespaces {
    return new AllowedNamespaces('All');
  }

  /**
   * Namespaces whose labels match all of `matchLabels`. istiod applies it to
   * the waypoint's own namespace too: that namespace binds only if it matches.
   */
  public static selector(matchLabels: Record<string, string>): AllowedNamespaces {
    // Kept as given when it is no map: spread, a missing selector (read from a
    // config file) would become {}, which admits every namespace. The Waypoint refuses it.
    const map = typeof matchLabels === 'object' && matchLabels !== null && !Array.isArray(matchLabels);
    return new AllowedNamespaces('Selector', map ? { ...matchLabels } : matchLabels);
  }

  /**
   * Exactly the named namespace (a selector on `kubernetes.io/metadata.name`),
   * and so not the waypoint's own namespace, unless it is the one named.
   */
  public static named(namespace: string): AllowedNamespaces {
    return AllowedNamespaces.selector({ [NAMESPACE_NAME_LABEL]: namespace });
  }

  private constructor(
    public readonly from: 'Same' | 'All' | 'Selector',
    public readonly matchLabels?: Readonly<Record<string, string>>,
  ) {}

  /** Whether a namespace with these labels may bind. */
  public admits(waypointNamespace: string, namespace: string, labels: Record<string, string> = {}): boolean {
    if (this.from === 'All') return true;
    if (this.from === 'Same') return namespace === waypointNamespace;
    const all: Record<string, string> = { [NAMESPACE_NAME_LABEL]: namespace, ...labels };
    return Object.entries(this.matchLabels ?? {}).every(([k, v]) => all[k] === v);
  }
}

/** A waypoint, owned here or referenced. */
export interface IWaypoint extends ITargetable {
  readonly name: string;
  readonly namespace: string;
  /** Which traffic it handles. */
  readonly waypointFor: WaypointFor;
  /** Which namespaces may bind to it. */
  readonly allowedNamespaces: AllowedNamespaces;
  /** Its Gateway's class. */
  readonly gatewayClassName: string;
}

export interface WaypointProps {
  /**
   * The Gateway's name. `none` is reserved by Istio.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Which traffic the waypoint handles. Always written as the
   * `istio.io/waypoint-for` label, so the intent is visible in git.
   *
   * @default WaypointFor.SERVICE
   */
  readonly waypointFor?: WaypointFor;

  /**
   * Control-plane revision or tag that runs this waypoint (`istio.io/rev`).
   *
   * @default - the Namespace's revision, else the default revision
   */
  readonly revision?: string;

  /**
   * Which other namespaces may use this waypoint.
   *
   * @default AllowedNamespaces.same() - only this namespace; no allowedRoutes is emitted
   */
  readonly allowedNamespaces?: AllowedNamespaces;

  /**
   * The Gateway's class, for a platform whose waypoints use their own
   * GatewayClass. It must be a class whose `controllerName` is
   * `istio.io/mesh-controller` (istiod then runs an Istio waypoint proxy for
   * it, whatever its name); that GatewayClass is the platform's
   * cluster-scoped config and is not emitted. The Gateway then carries the
   * annotation `waypoint-policy.io/gateway-class-controller:
   * istio.io/mesh-controller`, so that the analysis and `explain` treat it as
   * a waypoint without the GatewayClass; when the GatewayClass is in the
   * target (validate --manifests), its controller decides instead.
   *
   * @default 'istio-waypoint'
   */
  readonly gatewayClassName?: string;
}

const WAYPOINT_NAME_FIX = `Choose another name; 'none' means "no waypoint" in istio.io/use-waypoint.`;

/**
 * The name of a waypoint this app creates. istiod names the waypoint's
 * Service and Deployment after the Gateway, so it must be a valid Service
 * name (an RFC 1035 label), not just a valid Gateway name.
 */
export const waypointName = (what: string) => dns1035Label(what, " (a waypoint's name is also the name of its Service and Deployment)");

const reservedName = (n: string) => n !== 'none';
const RESERVED_NAME = { message: `'none' is a reserved value and cannot name a waypoint`, ...ruleParams('waypoint/reserved-name', WAYPOINT_NAME_FIX) };

const waypointSchema = z.object({
  name: waypointName('Waypoint name').refine(reservedName, RESERVED_NAME),
  waypointFor: z.enum(WaypointFor).optional(),
  revision: z.string().refine(isLabelValue, { message: 'revision must be a valid label value', ...ruleParams('names/label-syntax') }).optional(),
  allowedNamespaces: z
    .custom<AllowedNamespaces>((v) => v instanceof AllowedNamespaces, { message: 'allowedNamespaces must come from AllowedNamespaces.same(), .all(), .selector() or .named()' })
    .optional(),
  gatewayClassName: dnsSubdomain('gatewayClassName (a GatewayClass name)')
    .superRefine((name, ctx) => {
      const controller = builtinNonWaypointClass(name);
      if (controller === undefined) return;
      ctx.addIssue({
        code: 'custom',
        message: `gatewayClassName '${name}' is Istio's builtin class for controller ${controller}, not a waypoint class`,
        ...ruleParams('props/invalid', `Leave gatewayClassName out for '${WAYPOINT_CLASS}', or name a GatewayClass whose controllerName is ${MESH_CONTROLLER}.`),
      });
    })
    .optional(),
});

// Built once: zod compiles a parser per schema instance on its first parse.
// A referenced waypoint exists already and is not written here, so its name
// is not held to what this app writes: a Gateway name of at most 63.
const waypointRefSchema = waypointSchema.extend({
  name: dnsSubdomain('Waypoint name')
    .refine((n) => n.length <= 63, { message: 'Waypoint name must be at most 63 characters (it names a Service and a Deployment)', ...ruleParams('names/rfc1123') })
    .refine(reservedName, RESERVED_NAME),
  namespace: dnsLabel('namespace'),
});

/**
 * A waypoint proxy: a Gateway API Gateway of class `istio-waypoint` (or the
 * platform's own waypoint class, `gatewayClassName`), exactly the shape
 * `istioctl waypoint generate` writes, plus an explicit
 * `istio.io/waypoint-for` label.
 *
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/
 */
export class Waypoint extends Construct implements IWaypoint {
  /** Reference a waypoint that this repo does not own (e.g. a shared one). */
  public static fromWaypointName(
    scope: Construct,
    id: string,
    ref: { name: string; namespace: string; waypointFor?: WaypointFor; allowedNamespaces?: AllowedNamespaces; gatewayClassName?: string },
  ): IWaypoint {
    return new WaypointReference(scope, id, ref);
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly waypointFor: WaypointFor;
  public readonly revision?: string;
  public readonly allowedNamespaces: AllowedNamespaces;
  public readonly gatewayClassName: string;
  public readonly targetRef: TargetRef;
  public readonly targetNamespace: string;
  /** The emitted Gateway. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: WaypointProps = {}) {
    refuseNonObjectProps(scope, id, props, new.target);
    super(vacant(scope, id, new.target), id);
    recordSource(this, new.target);
    // A refused waypoint must not stay in the tree: its id would stay taken for a caller that catches the error and goes on.
    try {
      const p = parseDeclaredProps(this, new.target, props, () => parseProps(this, 'Waypoint', waypointSchema, withProps(props, { name: props.name ?? id }), { nameFromId: props.name == null }));
      this.name = p.name;
      this.namespace = namespaceOf(this, `Waypoint '${this.name}'`);
      this.waypointFor = p.waypointFor ?? WaypointFor.SERVICE;
      this.revision = p.revision;
      this.allowedNamespaces = p.allowedNamespaces ?? AllowedNamespaces.same();
      this.targetRef = { group: GATEWAY_GROUP, kind: 'Gateway', name: this.name };
      this.targetNamespace = this.namespace;

      this.gatewayClassName = p.gatewayClassName ?? WAYPOINT_CLASS;

      const labels: Record<string, string> = { 'istio.io/waypoint-for': this.waypointFor };
      if (this.revision) labels['istio.io/rev'] = this.revision;
      // The class is the platform's, not in our output: say what it is meant to be, for the analysis and explain.
      const annotations = this.gatewayClassName === WAYPOINT_CLASS ? undefined : { [DECLARED_CONTROLLER]: MESH_CONTROLLER };

      const listener: Record<string, unknown> = { name: 'mesh', port: 15008, protocol: 'HBONE' };
      const allowed = this.allowedNamespaces;
      refuseNonMapSelector(this, allowed);
      for (const [k, v] of Object.entries(allowed.matchLabels ?? {})) {
        const unwritable = unwritableKeyProblem(k);
        if (unwritable !== undefined && k !== '__proto__') {
          fail(this, 'names/label-syntax', `allowedNamespaces selector key ${JSON.stringify(k)} cannot be written: ${unwritable}`, 'Select on another label key in AllowedNamespaces.selector().');
        }
        if (!isLabelKey(k) || typeof v !== 'string' || !isLabelValue(v)) {
          // named(undefined) leaves the label without a value; a config file may give a number.
          const what = typeof v === 'string' ? `selector ${quotedLabel(`${k}=${v}`)} is` : `selector label ${quotedLabel(k)} has ${v === undefined ? 'no value' : `${kindOf(v)} as its value, not a string`}, so it is`;
          fail(this, 'names/label-syntax', `allowedNamespaces ${what} not a valid label selector`, 'Use valid label keys and values in AllowedNamespaces.selector(), and a namespace name in AllowedNamespaces.named().');
        }
      }
      const allowedRoutes = allowedRoutesOf(allowed);
      if (allowedRoutes) listener.allowedRoutes = allowedRoutes;

      this.apiObject = new ApiObject(this, 'Resource', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: this.name, namespace: this.namespace, labels, ...(annotations ? { annotations } : {}) },
        spec: { gatewayClassName: this.gatewayClassName, listeners: [listener] },
      });
    } catch (e) {
      scope.node.tryRemoveChild(this.node.id);
      throw e;
    }
  }
}
declareConstructProps(Waypoint, Object.keys(waypointSchema.shape));

class WaypointReference extends Construct implements IWaypoint {
  public readonly name: string;
  public readonly namespace: string;
  public readonly waypointFor: WaypointFor;
  public readonly allowedNamespaces: AllowedNamespaces;
  public readonly gatewayClassName: string;
  public readonly targetRef: TargetRef;
  public readonly targetNamespace: string;

  constructor(
    scope: Construct,
    id: string,
    ref: { name: string; namespace: string; waypointFor?: WaypointFor; allowedNamespaces?: AllowedNamespaces; gatewayClassName?: string },
  ) {
    super(vacant(scope, id, new.target), id);
    recordSource(this, new.target);
    // A misspelt waypointFor would leave a workload waypoint read as a service one, without a word.
    refusePropsOutside(this, 'Waypoint.fromWaypointName', ref, waypointRefSchema);
    const p = parseProps(
      this,
      'Waypoint.fromWaypointName',
      waypointRefSchema,
      ref,
    );
    this.name = p.name;
    this.namespace = p.namespace;
    this.waypointFor = p.waypointFor ?? WaypointFor.SERVICE;
    this.allowedNamespaces = p.allowedNamespaces ?? AllowedNamespaces.same();
    this.gatewayClassName = p.gatewayClassName ?? WAYPOINT_CLASS;
    refuseNonMapSelector(this, this.allowedNamespaces);
    this.targetRef = { group: GATEWAY_GROUP, kind: 'Gateway', name: this.name };
    this.targetNamespace = this.namespace;
    markReference(this, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      namespace: this.namespace,
      name: this.name,
      labels: { 'istio.io/waypoint-for': this.waypointFor },
      allowedRoutes: allowedRoutesOf(this.allowedNamespaces),
      ...(p.gatewayClassName !== undefined && p.gatewayClassName !== WAYPOINT_CLASS ? { gatewayClassName: p.gatewayClassName } : {}),
    });
  }
}

/** A selector() given no map (an unset value of a config file): read as {}, it would admit every namespace. */
function refuseNonMapSelector(scope: Construct, a: AllowedNamespaces): void {
  const m: unknown = a.matchLabels;
  if (a.from !== 'Selector' || (typeof m === 'object' && m !== null && !Array.isArray(m))) return;
  fail(
    scope,
    'props/invalid',
    `allowedNamespaces is AllowedNamespaces.selector(${m === undefined ? 'undefined' : kindOf(m)}): a selector needs a map of labels, and none would admit every namespace`,
    'Pass the labels to select on, AllowedNamespaces.selector({ team: "shop" }); AllowedNamespaces.all() if every namespace is meant.',
  );
}

function allowedRoutesOf(a: AllowedNamespaces): unknown {
  if (a.from === 'Same') return undefined;
  if (a.from === 'All') return { namespaces: { from: 'All' } };
  return { namespaces: { from: 'Selector', selector: { matchLabels: { ...a.matchLabels } } } };
}

/** Whether a construct is a waypoint defined or referenced in this app. */
export function isWaypoint(x: unknown): x is IWaypoint {
  return x instanceof Waypoint || x instanceof WaypointReference;
}

/**
 * The `useWaypoint` option of namespaces and Services. One check, not a
 * union of "none" and a waypoint: zod words a failed union as "Invalid
 * input", which says neither what was expected nor how to fix it.
 */
export const useWaypointOption = z.custom<IWaypoint | typeof NO_WAYPOINT>((v) => v === NO_WAYPOINT || isWaypoint(v), {
  message: 'useWaypoint must be a Waypoint, a Waypoint.fromWaypointName() reference, or "none" (a waypoint\'s name alone is not enough: pass its construct)',
});
