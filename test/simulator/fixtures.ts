/** Small builders for simulator tests: manifests as plain objects, the way `readManifests` yields them. */
import type { KubeObject, MeshModel } from '../../compiler/model';

export const BASIC_AUTH = 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0';

export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function modelOf(objects: KubeObject[], options: { origin?: 'app' | 'manifests'; rootNamespace?: string; target?: string } = {}): MeshModel {
  return {
    objects: objects.map((manifest) => ({ manifest, target: options.target ?? 'test', ownership: 'owned' as const, file: `${manifest.kind}-${manifest.metadata.name}.yaml` })),
    references: [],
    rootNamespace: options.rootNamespace ?? 'istio-system',
    origin: options.origin ?? 'manifests',
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function service(ns: string, name: string, labels: Record<string, string> = {}, ports?: number[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels },
    ...(ports ? { spec: { ports: ports.map((port) => ({ port })) } } : {}),
  };
}

export function waypoint(ns: string, name: string, options: { waypointFor?: string; allowedRoutes?: unknown; className?: string } = {}): KubeObject {
  const listener: Record<string, unknown> = { name: 'mesh', port: 15008, protocol: 'HBONE' };
  if (options.allowedRoutes !== undefined) listener.allowedRoutes = options.allowedRoutes;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: ns, labels: options.waypointFor !== undefined ? { 'istio.io/waypoint-for': options.waypointFor } : {} },
    spec: { gatewayClassName: options.className ?? 'istio-waypoint', listeners: [listener] },
  };
}

export function ingressGateway(ns: string, name: string, ports: number[] = [80]): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: ns },
    spec: { gatewayClassName: 'istio', listeners: ports.map((port, i) => ({ name: `http-${i}`, port, protocol: 'HTTP' })) },
  };
}

export interface PluginOptions {
  readonly targetRefs?: { group?: string; kind: string; name: string }[];
  readonly selector?: Record<string, string>;
  readonly phase?: string;
  readonly priority?: number;
  readonly url?: string;
  readonly pluginConfig?: unknown;
  readonly match?: unknown[];
  readonly type?: string;
}

export function plugin(ns: string, name: string, o: PluginOptions): KubeObject {
  const spec: Record<string, unknown> = { url: o.url ?? BASIC_AUTH };
  if (o.targetRefs) spec.targetRefs = o.targetRefs.map((r) => ({ group: r.group ?? (r.kind === 'Service' ? '' : 'gateway.networking.k8s.io'), kind: r.kind, name: r.name }));
  if (o.selector) spec.selector = { matchLabels: o.selector };
  if (o.phase) spec.phase = o.phase;
  if (o.priority !== undefined) spec.priority = o.priority;
  if (o.pluginConfig !== undefined) spec.pluginConfig = o.pluginConfig;
  if (o.match) spec.match = o.match;
  if (o.type) spec.type = o.type;
  return { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name, namespace: ns }, spec };
}

/** A basic_auth config protecting `prefix` for GET and POST. */
export function basicAuthConfig(prefix: string, credentials: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { basic_auth_rules: [{ prefix, request_methods: ['GET', 'POST'], credentials }], ...extra };
}

export const toGateway = (name: string) => [{ kind: 'Gateway', name }];
