/**
 * The objects `waypoint-policy synth` writes for policies/main.ts, as a plain
 * cdk8s app: one Chart of ApiObjects, no validation, no analysis. Only the
 * cold-start comparison of `npm run bench` runs it (`cdk8s synth` here).
 */
import { ApiObject, App, Chart } from 'cdk8s';

const app = new App();
const chart = new Chart(app, 'demo', { disableResourceNameHashes: true });

const owned = (wave: number, labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => ({
  labels: { 'app.kubernetes.io/managed-by': 'waypoint-policy', 'app.kubernetes.io/part-of': 'bookinfo-policy', ...labels },
  annotations: { ...annotations, 'argocd.argoproj.io/sync-options': 'Delete=false,PruneLast=true', 'argocd.argoproj.io/sync-wave': String(wave) },
});

const external = (labels: Record<string, string>) => ({
  labels,
  annotations: {
    'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
    'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false,ServerSideApply=true',
    'argocd.argoproj.io/sync-wave': '2',
    'kustomize.toolkit.fluxcd.io/prune': 'disabled',
    'kustomize.toolkit.fluxcd.io/ssa': 'Merge',
  },
});

function waypoint(name: string): void {
  new ApiObject(chart, `gateway-${name}`, {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: 'default', ...owned(0, { 'istio.io/waypoint-for': 'service' }) },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  });
}

const ACKNOWLEDGED = {
  'acknowledged.waypoint-policy.io/credentials.literal': 'demo credentials printed in the Istio guide',
  'acknowledged.waypoint-policy.io/supply-chain.unpinned-module': 'the guide pins basic_auth by its 1.12.0 tag; add sha256 once the digest is verified',
};

function basicAuth(name: string, target: string, prefix: string, credentials: string[]): void {
  new ApiObject(chart, `wasmplugin-${name}`, {
    apiVersion: 'extensions.istio.io/v1alpha1',
    kind: 'WasmPlugin',
    metadata: { name, namespace: 'default', ...owned(1, {}, ACKNOWLEDGED) },
    spec: {
      phase: 'AUTHN',
      pluginConfig: { basic_auth_rules: [{ credentials, prefix, request_methods: ['GET', 'POST'] }] },
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: target }],
      url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0',
    },
  });
}

waypoint('waypoint');
waypoint('reviews-svc-waypoint');
basicAuth('basic-auth-at-gateway', 'bookinfo-gateway', '/productpage', ['ok:test', 'YWRtaW4zOmFkbWluMw==']);
basicAuth('basic-auth-at-waypoint', 'waypoint', '/productpage', ['ok:test', 'YWRtaW4zOmFkbWluMw==']);
basicAuth('basic-auth-for-service', 'reviews-svc-waypoint', '/reviews', ['ok:test', 'MXQtaW4zOmFkbWluMw==']);
new ApiObject(chart, 'namespace-default', {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'default', ...external({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }) },
});
new ApiObject(chart, 'service-reviews', {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'reviews', namespace: 'default', ...external({ 'istio.io/use-waypoint': 'reviews-svc-waypoint' }) },
});

app.synth();
