import { ApiObject } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { z } from 'zod';
import { isPolicyError, PolicyError } from './errors';
import { namespaceOf } from './app';
import { LABELS, NO_WAYPOINT } from './labels';
import { DeferredApiObject, deferredApiObjectOf } from './internal/deferred-api-object';
import { recordSource } from './internal/provenance';
import { markReference } from './internal/reference';
import { dns1035Label, dnsLabel, labelMap } from './internal/schemas';
import { declareConstructProps, parseDeclaredProps, parseProps, refuseNonObjectProps, ruleParams, vacant, withProps } from './internal/validate';
import { useWaypointLabels } from './internal/waypoint-labels';
import { ITargetable, TargetRef } from './target-ref';
import { IWaypoint, useWaypointOption } from './waypoint';

/** A Service of the mesh, owned here or by another team. */
export interface IMeshService extends ITargetable {
  readonly name: string;
  readonly namespace: string;
}

/** The waypoint options shared by owned and external Services. */
export interface ServiceWaypointOptions {
  /**
   * The waypoint this Service's traffic goes through, overriding the
   * namespace waypoint; `'none'` opts the Service out of any waypoint.
   *
   * @default - inherit the namespace's waypoint
   */
  readonly useWaypoint?: IWaypoint | typeof NO_WAYPOINT;

  /**
   * Send traffic from ingress gateways through the waypoint too
   * (`istio.io/ingress-use-waypoint`).
   *
   * @default - not written: the namespace's setting applies
   */
  readonly ingressUseWaypoint?: boolean;
}

const waypointOptionSchema = {
  useWaypoint: useWaypointOption.optional(),
  ingressUseWaypoint: z.boolean().optional(),
};

export interface MeshServicePort {
  /** The port the Service exposes. */
  readonly port: number;
  /**
   * The container port traffic goes to.
   *
   * @default - same as `port`
   */
  readonly targetPort?: number;
  /**
   * The port name (`http`, `grpc`...): Istio uses it for protocol detection.
   *
   * @default - unnamed
   */
  readonly name?: string;
}

export interface MeshServiceProps extends ServiceWaypointOptions {
  /**
   * The Service name.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /** The ports the Service exposes (at least one). */
  readonly ports: MeshServicePort[];

  /**
   * Pod labels the Service selects.
   *
   * @default - `{ app: <name> }`
   */
  readonly selector?: Record<string, string>;
}

// Strict: a misspelt targetPort (or a protocol, never written: every port is TCP) would be dropped, and traffic sent to the port itself.
const portSchema = z.strictObject({
  port: z.number().int().min(1).max(65535),
  targetPort: z.number().int().min(1).max(65535).optional(),
  name: dnsLabel('port name').optional(),
});

/**
 * The API server's rules for a Service's port list as a whole: with more
 * than one port each needs a name, and names and port numbers (all TCP here)
 * are unique. One refused Service fails its whole enrollment stage.
 */
function refuseClashingPorts(ports: z.infer<typeof portSchema>[], ctx: z.RefinementCtx): void {
  const names = new Map<string, number>();
  const numbers = new Map<number, number>();
  ports.forEach((p, i) => {
    if (ports.length > 1 && p.name === undefined) {
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `port ${p.port} has no name: a Service with more than one port must name each of them`, ...ruleParams('service/port-names', 'Name every port: ports: [{ port: 80, name: "http" }, { port: 9090, name: "metrics" }].') });
    }
    if (p.name !== undefined) {
      const first = names.get(p.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `port name ${JSON.stringify(p.name)} is already used by ports[${first}]: port names must be unique`, ...ruleParams('service/port-names', 'Give each port its own name.') });
      else names.set(p.name, i);
    }
    const same = numbers.get(p.port);
    if (same !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'port'], message: `port ${p.port} is already listed as ports[${same}]: each port number may appear once (TCP)`, ...ruleParams('service/duplicate-port', 'List each port once.') });
    else numbers.set(p.port, i);
  });
}

const ownedSchema = z.object({
  name: dns1035Label('Service name'),
  ports: z
    .array(portSchema)
    .refine((ports) => ports.length > 0, { message: 'a Service needs at least one port', ...ruleParams('service/no-ports', 'Add ports: [{ port: 8080, name: "http" }].') })
    .superRefine(refuseClashingPorts),
  selector: labelMap.optional(),
  ...waypointOptionSchema,
});

function waypointLabels(namespace: string, o: ServiceWaypointOptions): Record<string, string> {
  const labels: Record<string, string> = o.useWaypoint ? useWaypointLabels(namespace, o.useWaypoint) : {};
  if (o.ingressUseWaypoint !== undefined) labels[LABELS.ingressUseWaypoint] = String(o.ingressUseWaypoint);
  return labels;
}

/**
 * A Service construct's props, parsed (keys refused as `refuseUndeclaredProps`
 * does for `constructed`, the class `new` was called on), and its namespace
 * (`noun` names the Service in the error when it has none). A
 * refused Service is taken out of `scope` again: its id would otherwise stay
 * taken for a caller that catches the error and goes on.
 */
function parseServiceProps<S extends z.ZodObject>(service: Construct, scope: Construct, constructed: Function, constructName: string, noun: string, schema: S, props: object, nameFromId: boolean): { p: z.infer<S>; namespace: string } {
  try {
    const p = parseDeclaredProps(service, constructed, props, () => parseProps(service, constructName, schema, props, { nameFromId }));
    return { p, namespace: namespaceOf(service, `${noun} '${(p as { name: string }).name}'`) };
  } catch (e) {
    scope.node.tryRemoveChild(service.node.id);
    throw e;
  }
}

/**
 * A Service this repo owns: the full manifest (built with cdk8s-plus), with
 * its waypoint labels.
 */
export class MeshService extends Construct implements IMeshService {
  /**
   * Reference a Service another team owns. Nothing is emitted unless waypoint
   * options are given; then only a label-only manifest carrying those labels.
   */
  public static fromServiceName(scope: Construct, id: string, name: string, options: ServiceWaypointOptions = {}): ExternalService {
    try {
      return new ExternalService(scope, id, withProps(options, { name }));
    } catch (e) {
      if (!isPolicyError(e)) throw e;
      // Named as the caller wrote it: they never wrote ExternalService, and name is not one of their options.
      throw new PolicyError(e.findings.map((f) => (f.rule === 'props/unknown' ? { ...f, message: f.message.replace(/^ExternalService has no prop/, 'MeshService.fromServiceName has no option'), fix: f.fix?.replace(/; ExternalService takes .*$/, '; its options are ingressUseWaypoint, useWaypoint.') } : f)));
    }
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly targetRef: TargetRef;
  public readonly targetNamespace: string;
  /** The cdk8s-plus Service. */
  public readonly service: kplus.Service;

  /** The Service manifest as a cdk8s `ApiObject` (the escape hatch). */
  public get apiObject(): ApiObject {
    return ApiObject.of(this.service);
  }

  constructor(scope: Construct, id: string, props: MeshServiceProps) {
    refuseNonObjectProps(scope, id, props, new.target);
    super(vacant(scope, id, new.target), id);
    recordSource(this, new.target);
    const { p, namespace } = parseServiceProps(this, scope, new.target, 'MeshService', 'MeshService', ownedSchema, withProps(props, { name: props.name ?? id }), props.name == null);
    this.namespace = namespace;
    this.name = p.name;
    this.targetRef = { group: '', kind: 'Service', name: this.name };
    this.targetNamespace = this.namespace;
    // cdk8s-plus takes ~150 ms to load: only programs with owned Services pay for it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Service } = require('cdk8s-plus-33') as typeof kplus;
    this.service = new Service(this, 'Resource', {
      metadata: { name: this.name, labels: waypointLabels(this.namespace, p) },
      ports: p.ports.map((port) => ({ port: port.port, targetPort: port.targetPort ?? port.port, name: port.name })),
    });
    for (const [k, v] of Object.entries(p.selector ?? { app: this.name })) this.service.selectLabel(k, v);
  }
}
declareConstructProps(MeshService, Object.keys(ownedSchema.shape));

export interface ExternalServiceProps extends ServiceWaypointOptions {
  /**
   * The name of the Service another team owns.
   *
   * @default - the construct id
   */
  readonly name?: string;
}

const externalSchema = z.object({ name: dns1035Label('Service name'), ...waypointOptionSchema });

/**
 * A Service another team owns. We emit only what we own: a label-only
 * manifest with its waypoint labels (and none at all when there are none).
 */
export class ExternalService extends Construct implements IMeshService {
  public readonly name: string;
  public readonly namespace: string;
  public readonly targetRef: TargetRef;
  public readonly targetNamespace: string;
  /**
   * The label-only manifest as a cdk8s `ApiObject`, when any label is set.
   * Created on first access (see `WasmPlugin.apiObject`).
   */
  public get apiObject(): ApiObject | undefined {
    return deferredApiObjectOf(this)?.get();
  }

  constructor(scope: Construct, id: string, props: ExternalServiceProps = {}) {
    refuseNonObjectProps(scope, id, props, new.target);
    super(vacant(scope, id, new.target), id);
    recordSource(this, new.target);
    const { p, namespace } = parseServiceProps(this, scope, new.target, 'ExternalService', 'Service', externalSchema, withProps(props, { name: props.name ?? id }), props.name == null);
    this.namespace = namespace;
    this.name = p.name;
    this.targetRef = { group: '', kind: 'Service', name: this.name };
    this.targetNamespace = this.namespace;
    const labels = waypointLabels(this.namespace, p);
    if (Object.keys(labels).length > 0) {
      addExternalServiceLabels(this, labels);
    } else {
      markReference(this, { apiVersion: 'v1', kind: 'Service', namespace: this.namespace, name: this.name });
    }
  }
}
declareConstructProps(ExternalService, Object.keys(externalSchema.shape));

/**
 * Write labels on another team's Service, into its one label-only manifest
 * (created now if it had no label yet). Patterns that bind a Service to a
 * waypoint after it was referenced go through here, so that `apiObject`, the
 * waypoint queries and the output all see one manifest with every label, and
 * its `ApiObject` is still created only when someone asks for it.
 */
export function addExternalServiceLabels(service: ExternalService, labels: Record<string, string>): void {
  const manifest = deferredApiObjectOf(service);
  if (!manifest) {
    new DeferredApiObject(service, 'Labels', { apiVersion: 'v1', kind: 'Service', metadata: { name: service.name, labels: { ...labels } } }, true);
  } else if (manifest.created) {
    // The ApiObject copied the props when it was created: write to it.
    for (const [k, v] of Object.entries(labels)) manifest.created.metadata.addLabel(k, v);
  } else {
    // The props are read when the ApiObject is created or the output collected.
    Object.assign(manifest.props.metadata!.labels!, labels);
  }
}

/** The value of a label on another team's Service, without creating its `ApiObject`. */
export function externalServiceLabel(service: ExternalService, key: string): string | undefined {
  const manifest = deferredApiObjectOf(service);
  if (!manifest) return undefined;
  return manifest.created ? manifest.created.metadata.getLabel(key) : manifest.props.metadata?.labels?.[key];
}
