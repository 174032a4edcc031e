/**
 * Which proxy runs for a Gateway, as Istio 1.30.3 decides it: the
 * `controllerName` of the GatewayClass of that name when the cluster has one,
 * else a builtin class (`gatewaycommon/deploymentcontroller.go` Reconcile,
 * `classinfo.go`). `istio.io/mesh-controller` renders the waypoint template,
 * whatever the class is called. istiod binds `istio.io/use-waypoint` to a
 * Gateway of any class (`gatewayToWaypointTransform` has no class check), so
 * binding and what runs on the proxy are separate questions: this module
 * answers the second, for the analysis and the simulator alike.
 */
import { isWaypointReference, type ModelReference } from '../compiler/model';

/** The GatewayClass istiod creates for waypoints, and the only one a GatewayClass targetRef attaches through. */
export const WAYPOINT_CLASS = 'istio-waypoint';
export const MESH_CONTROLLER = 'istio.io/mesh-controller';
export const GATEWAY_CONTROLLER = 'istio.io/gateway-controller';

/**
 * Written by the Waypoint construct on a Gateway of a class other than
 * `istio-waypoint`: the controller its class is declared to have. The class
 * is the platform's cluster-scoped config, normally absent from the target;
 * a GatewayClass in the target still wins over the declaration.
 */
export const DECLARED_CONTROLLER = 'waypoint-policy.io/gateway-class-controller';

// istiod's builtin classes: a Gateway may name them without a GatewayClass object.
// The last three exist only behind feature flags (multi-network, agentgateway).
const BUILTIN: ReadonlyMap<string, string> = new Map([
  ['istio', GATEWAY_CONTROLLER],
  [WAYPOINT_CLASS, MESH_CONTROLLER],
  ['istio-remote', 'istio.io/unmanaged-gateway'],
  ['istio-east-west', 'istio.io/eastwest-controller'],
  ['istio-agentgateway', 'istio.io/agentgateway-controller'],
]);

/**
 * Istio controllers whose proxies we do not model (not a waypoint, not an
 * ingress Envoy we simulate), and what becomes of a WasmPlugin targeting
 * their Gateway. istiod programs the east-west gateway (an Envoy built with
 * the waypoint listeners) and the agentgateway, so "istiod does not deliver
 * it" is not the reason there.
 */
const OTHER_ISTIO: ReadonlyMap<string, { readonly what: string; readonly plugins: string }> = new Map([
  ['istio.io/unmanaged-gateway', { what: 'a remote Istio gateway istiod does not program', plugins: 'istiod programs no proxy for it, so this plugin never runs there' }],
  ['istio.io/eastwest-controller', { what: 'an Istio east-west gateway', plugins: 'istiod programs it as an east-west gateway, not as a waypoint or ingress gateway, and whether this plugin runs there is not modelled here' }],
  ['istio.io/agentgateway-controller', { what: 'an Istio agentgateway (not Envoy: WasmPlugins do not run on it)', plugins: 'it is not Envoy, so this plugin never runs there' }],
]);

const NOT_ISTIOD = "istiod delivers WasmPlugins only to the proxies it programs, so this plugin runs there only if that controller implements Istio's WasmPlugin API itself";

/**
 * - `waypoint`: an Istio waypoint proxy: Service, ServiceEntry and
 *   `istio-waypoint` GatewayClass targetRefs attach on it.
 * - `istio-gateway`: an Istio (Envoy) gateway of another kind, a router proxy:
 *   only its own Gateway targetRefs (and selectors) attach.
 * - `other-proxy`: another controller's proxy (kgateway, an east-west
 *   gateway): whether our WasmPlugins run there is unknown.
 * - `unknown`: a class neither builtin nor in the target.
 */
export type GatewayProxyKind = 'waypoint' | 'istio-gateway' | 'other-proxy' | 'unknown';

export interface GatewayProxy {
  readonly kind: GatewayProxyKind;
  /** `class istio (an Istio gateway, controller istio.io/gateway-controller)`, for messages. */
  readonly description: string;
  /** For an `other-proxy`: what becomes of a WasmPlugin targeting its Gateway, for messages. */
  readonly plugins?: string;
}

/**
 * The proxy of a Gateway of class `className`. `classController`: the
 * `spec.controllerName` of the GatewayClass of that name in the target, or
 * undefined when the target has none. `declared`: a controller the policies
 * declare for the class (a Waypoint construct's `gatewayClassName`, a
 * waypoint reference), used only when the target has no GatewayClass and the
 * class is not one of istiod's builtins.
 */
export function gatewayProxy(className: unknown, classController: unknown, declared?: string): GatewayProxy {
  const name = typeof className === 'string' ? className : undefined;
  const cls = name === undefined ? 'no class' : `class ${name}`;
  if (classController !== undefined) {
    return byController(typeof classController === 'string' ? classController : '', `${cls}, whose GatewayClass has controller ${JSON.stringify(classController)}`);
  }
  // A builtin class is istiod's own (it creates its GatewayClass): a declaration cannot make class istio a waypoint class.
  const builtin = name === undefined ? undefined : BUILTIN.get(name);
  if (builtin) return byController(builtin, `${cls}, builtin with controller ${builtin}`);
  if (declared !== undefined) return byController(declared, `${cls}, declared by the policies to have controller ${declared}`);
  return {
    kind: 'unknown',
    description: `${cls}: neither an Istio builtin class nor a GatewayClass in this target, so which proxy runs for it is unknown`,
  };
}

function byController(controller: string, where: string): GatewayProxy {
  if (controller === MESH_CONTROLLER) return { kind: 'waypoint', description: `an Istio waypoint proxy (${where})` };
  if (controller === GATEWAY_CONTROLLER) return { kind: 'istio-gateway', description: `an Istio gateway, not a waypoint proxy (${where})` };
  const istio = OTHER_ISTIO.get(controller);
  return { kind: 'other-proxy', description: `${istio?.what ?? 'a proxy of another controller, not istiod\'s'} (${where})`, plugins: istio?.plugins ?? NOT_ISTIOD };
}

/** The class a Gateway reference declares: its own (default `istio-waypoint`) for a waypoint reference; none for a GatewayReference. */
export function referenceClass(r: ModelReference): string | undefined {
  return isWaypointReference(r) ? (r.gatewayClassName ?? WAYPOINT_CLASS) : undefined;
}

/** Whether a builtin class name runs something other than a waypoint proxy (`istio`, `istio-east-west`, ...). */
export function builtinNonWaypointClass(name: string): string | undefined {
  const controller = BUILTIN.get(name);
  return controller !== undefined && controller !== MESH_CONTROLLER ? controller : undefined;
}
