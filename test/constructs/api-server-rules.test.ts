/**
 * Props that synth would otherwise emit but that the API server refuses, or
 * that istiod reads differently from what the policy meant: refused at
 * construction, where the construct and its policy line are known.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonPatch, Lazy } from 'cdk8s';
import { compileApp } from '../../compiler/synth';
import { MeshNamespace, MeshService, PolicyApp, PolicyError, ReleasedKind, ReleasedLabels, ServiceEntryReference, Target, Waypoint, WasmPlugin } from '../../constructs';

const SHA = 'a'.repeat(64);
const URL = 'oci://ghcr.io/acme/auth:1.0.0';

function refusal(build: () => unknown): { rule: string; path?: string; message: string } {
  try {
    build();
  } catch (e) {
    assert.ok(e instanceof PolicyError, String(e));
    const [f] = e.findings;
    return { rule: f.rule, path: f.path, message: f.message };
  }
  assert.fail('not refused');
}

test("a plugin given another namespace's waypoint or Service is refused: istiod would attach it to the same-named object in the plugin's own namespace", () => {
  const t = new Target(new PolicyApp(), 'prod');
  const a = new MeshNamespace(t, 'a');
  const b = new MeshNamespace(t, 'b');
  a.useWaypoint(new Waypoint(a, 'waypoint'));
  const theirs = new Waypoint(b, 'waypoint');
  b.useWaypoint(theirs);
  assert.deepEqual(refusal(() => new WasmPlugin(a, 'auth', { url: URL, sha256: SHA, targets: [theirs] })), {
    rule: 'plugin/unresolved-target',
    path: 'prod/a/auth',
    message: "targets[0] (Gateway waypoint) is in namespace b, but istiod only attaches a plugin to targets in the plugin's own namespace (a): it would attach to a Gateway named waypoint there, if any, and never run in b",
  });
  const api = MeshService.fromServiceName(b, 'api', 'api', { useWaypoint: theirs });
  assert.match(refusal(() => new WasmPlugin(a, 'api-auth', { url: URL, sha256: SHA, targets: [api] })).message, /^targets\[0\] \(Service api\) is in namespace b/);
  // A refused plugin leaves nothing behind; the one in the right namespace is fine.
  assert.equal(a.node.tryFindChild('auth'), undefined);
  new WasmPlugin(b, 'auth', { url: URL, sha256: SHA, targets: [theirs, api] });
});

test("a plugin given another Target's waypoint is refused: in its own cluster it would attach to that cluster's object of the same name", () => {
  const app = new PolicyApp();
  const p = new MeshNamespace(new Target(app, 'p'), 'shop');
  const q = new MeshNamespace(new Target(app, 'q'), 'shop');
  p.useWaypoint(new Waypoint(p, 'waypoint'));
  const theirs = new Waypoint(q, 'waypoint');
  q.useWaypoint(theirs);
  assert.deepEqual(refusal(() => new WasmPlugin(p, 'auth', { url: URL, sha256: SHA, targets: [theirs] })), {
    rule: 'plugin/unresolved-target',
    path: 'p/shop/auth',
    message: "targets[0] (Gateway waypoint) belongs to Target 'q', but this plugin is written to Target 'p': in that cluster it would attach to p's Gateway named waypoint, if any",
  });
});

test('an empty selector is refused like no selector: it selects every workload of the namespace (of the mesh, from the root namespace)', () => {
  const ns = new MeshNamespace(new Target(new PolicyApp(), 'prod'), 'istio-system', { enroll: false });
  const r = refusal(() => new WasmPlugin(ns, 'everything', { url: URL, sha256: SHA, selector: {} }));
  assert.equal(r.rule, 'plugin/no-target');
  assert.match(r.message, /has no targets and an empty selector, so it would apply to every workload/);
});

test('a selector value no label can hold is refused: the plugin would select nothing', () => {
  const ns = new MeshNamespace(new Target(new PolicyApp(), 'prod'), 'shop');
  for (const value of ['my app', '-app', 'a'.repeat(64)]) {
    const r = refusal(() => new WasmPlugin(ns, 'sel', { url: URL, sha256: SHA, selector: { app: value } }));
    assert.equal(r.rule, 'names/label-syntax');
    assert.match(r.message, /^selector value .* of app is not a label value, so no workload can match it/);
  }
  // An empty value is a label value.
  new WasmPlugin(ns, 'sel', { url: URL, sha256: SHA, selector: { app: '' } });
});

test('a Service port list the API server refuses is refused: unnamed ports among several, a repeated name, a repeated port', () => {
  const ns = new MeshNamespace(new Target(new PolicyApp(), 'prod'), 'shop');
  assert.deepEqual(refusal(() => new MeshService(ns, 'api', { ports: [{ port: 80 }, { port: 8080 }] })), {
    rule: 'service/port-names',
    path: 'prod/shop/api',
    message: "MeshService prop 'ports[0].name': port 80 has no name: a Service with more than one port must name each of them",
  });
  assert.deepEqual(refusal(() => new MeshService(ns, 'web', { ports: [{ port: 80, name: 'http' }, { port: 80, name: 'alt' }] })), {
    rule: 'service/duplicate-port',
    path: 'prod/shop/web',
    message: "MeshService prop 'ports[1].port': port 80 is already listed as ports[0]: each port number may appear once (TCP)",
  });
  assert.deepEqual(refusal(() => new MeshService(ns, 'grpc', { ports: [{ port: 80, name: 'http' }, { port: 81, name: 'http' }] })), {
    rule: 'service/port-names',
    path: 'prod/shop/grpc',
    message: `MeshService prop 'ports[1].name': port name "http" is already used by ports[0]: port names must be unique`,
  });
  // What the API server takes still compiles: one unnamed port, or several named ones.
  new MeshService(ns, 'one', { ports: [{ port: 80 }] });
  new MeshService(ns, 'two', { ports: [{ port: 80, name: 'http' }, { port: 9090, name: 'metrics' }] });
  const { findings, files } = compileApp(ns.node.root as PolicyApp);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  assert.match(files.get('prod/3-enrollment/shop/service-two.yaml') ?? [...files.keys()].join('\n'), /name: metrics/);
});

test("a Service port put on the manifest past MeshService's props (cdk8s-plus bind(), a JSON patch) is still checked as the API server checks it, at synth, naming the construct", () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
  new MeshService(ns, 'api', { ports: [{ port: 80, name: 'http' }] }).service.bind(70000, { name: 'admin' });
  new MeshService(ns, 'web', { ports: [{ port: 80 }] }).apiObject.addJsonPatch(JsonPatch.replace('/spec/ports/0/port', 0));
  const { findings } = compileApp(app);
  const errors = findings.filter((f) => f.severity === 'error');
  assert.deepEqual(errors.map((f) => ({ rule: f.rule, path: f.path, message: f.message })), [
    { rule: 'schema/service', path: 'prod/shop/api/Resource', message: 'spec.ports[1].port: must be at most 65535, got 70000' },
    { rule: 'schema/service', path: 'prod/shop/web/Resource', message: 'spec.ports[0].port: must be at least 1, got 0' },
  ]);
  for (const f of errors) assert.match(f.source ?? '', /api-server-rules\.test\.ts:\d+/);
});

test('a WasmPlugin the CRD refuses for its match ports or selector size is refused at construction: a port twice in one match, a selector of over 4096 labels', () => {
  const ns = new MeshNamespace(new Target(new PolicyApp(), 'prod'), 'shop');
  assert.deepEqual(refusal(() => new WasmPlugin(ns, 'sidecar-stats', { url: URL, sha256: SHA, selector: { app: 'cart' }, match: [{ ports: [8080] }, { ports: [80, 443, 80] }] })), {
    rule: 'schema/wasm-plugin',
    path: 'prod/shop/sidecar-stats',
    message: "WasmPlugin prop 'match[1].ports[2]': port 80 is already listed as ports[0]: the CRD keys match ports by number, so the API server refuses a repeated one",
  });
  const selector = Object.fromEntries(Array.from({ length: 4097 }, (_, i) => [`label-${i}`, 'x']));
  assert.deepEqual(refusal(() => new WasmPlugin(ns, 'wide', { url: URL, sha256: SHA, selector })), {
    rule: 'schema/wasm-plugin',
    path: 'prod/shop/wide',
    message: "WasmPlugin prop 'selector': selector may hold at most 4096 labels (CRD maxProperties)",
  });
  // The same port in two match entries, and 4096 labels, are what the CRD takes.
  new WasmPlugin(ns, 'ok', { url: URL, sha256: SHA, selector: Object.fromEntries(Object.entries(selector).slice(1)), match: [{ ports: [80] }, { ports: [80, 443] }] });
});

test("ReleasedLabels for a Service is refused a name no Service can have (RFC 1035: it starts with a letter); a Namespace's may start with a digit", () => {
  const t = new Target(new PolicyApp(), 'prod');
  const ns = new MeshNamespace(t, 'shop');
  assert.deepEqual(refusal(() => ReleasedLabels.ofService(ns, '1st-api')), {
    rule: 'names/rfc1123',
    path: 'prod/shop/released-service-1st-api',
    message: `ReleasedLabels prop 'name': Service name must be an RFC 1035 label: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters; received "1st-api"`,
  });
  assert.equal(ReleasedLabels.ofService(ns, 'api').name, 'api');
  assert.equal(new ReleasedLabels(t, 'legacy', { kind: ReleasedKind.NAMESPACE, name: '1st-team' }).name, '1st-team');
});

test("a team's own ITargetable is refused at construction when istiod's webhook or the CRD would refuse its targetRef: another group/kind, an empty name", () => {
  const ns = new MeshNamespace(new Target(new PolicyApp(), 'prod'), 'shop');
  const target = (group: string, kind: string, name: string) => ({ targetRef: { group, kind, name }, targetNamespace: 'shop' });
  assert.deepEqual(refusal(() => new WasmPlugin(ns, 'p', { url: URL, sha256: SHA, targets: [target('', 'Gateway', 'edge')] })), {
    rule: 'plugin/target-kind',
    path: 'prod/shop/p',
    message: `targets[0] (Gateway edge) gives the targetRef group "", kind "Gateway": istiod's webhook accepts only Service (core), ServiceEntry (networking.istio.io), Gateway and GatewayClass (gateway.networking.k8s.io), and Gateway belongs to group "gateway.networking.k8s.io"`,
  });
  assert.equal(refusal(() => new WasmPlugin(ns, 'q', { url: URL, sha256: SHA, targets: [target('apps', 'Deployment', 'api')] })).rule, 'plugin/target-kind');
  assert.deepEqual(refusal(() => new WasmPlugin(ns, 'r', { url: URL, sha256: SHA, targets: [target('networking.istio.io', 'ServiceEntry', '')] })), {
    rule: 'schema/wasm-plugin',
    path: 'prod/shop/r',
    message: 'targets[0] (ServiceEntry ) has a targetRef name of 0 characters: the CRD takes 1 to 253 characters',
  });
  // Core may be spelt "core"; every pair the webhook takes passes.
  new WasmPlugin(ns, 's', { url: URL, sha256: SHA, targets: [target('core', 'Service', 'api'), target('', 'Service', 'web'), target('gateway.networking.k8s.io', 'Gateway', 'edge'), target('networking.istio.io', 'ServiceEntry', 'ext')] });
  // A plain JavaScript target without a group is written without one, which istiod reads as core.
  new WasmPlugin(ns, 't', { url: URL, sha256: SHA, targets: [{ targetRef: { kind: 'Service', name: 'cart' }, targetNamespace: 'shop' } as never] });
  const { findings } = compileApp(ns.node.root as PolicyApp);
  assert.deepEqual(findings.filter((f) => f.rule === 'plugin/target-kind' || f.rule === 'schema/wasm-plugin'), []);
});

test('an owned Namespace is emitted even with no label: the waypoints and plugins in it cannot be applied before it exists', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'shared-waypoints', { owned: true, enroll: false });
  new Waypoint(ns, 'waypoint');
  assert.ok(ns.apiObject);
  const { files, findings } = compileApp(app);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  const namespace = [...files.entries()].find(([k]) => k.endsWith('/namespace-shared-waypoints.yaml'));
  assert.ok(namespace, [...files.keys()].join('\n'));
  // Stage 1, with the waypoints: both tools create a Namespace before the namespaced objects of one apply.
  assert.match(namespace[0], /^prod\/1-waypoints\//);
  assert.doesNotMatch(namespace[1], /istio\.io\//);
  // Not owned and not labelled: still nothing (another team's Namespace is not ours to write).
  const theirs = new MeshNamespace(new Target(app, 'other'), 'theirs', { enroll: false });
  assert.equal(theirs.apiObject, undefined);
});

test("the Istio labels MeshNamespace writes from its props are refused in its labels prop, which they would overwrite without a word", () => {
  const t = new Target(new PolicyApp(), 'prod');
  assert.deepEqual(refusal(() => new MeshNamespace(t, 'legacy', { labels: { 'istio.io/dataplane-mode': 'none' } })), {
    rule: 'namespace/managed-label',
    path: 'prod/legacy',
    message: 'labels sets istio.io/dataplane-mode, which MeshNamespace writes from its dataplaneMode prop',
  });
  for (const key of ['istio.io/use-waypoint', 'istio.io/use-waypoint-namespace', 'istio.io/ingress-use-waypoint']) {
    assert.equal(refusal(() => new MeshNamespace(t, `ns-${key.length}`, { enroll: false, labels: { [key]: 'x' } })).rule, 'namespace/managed-label');
  }
  // Other labels are the team's to set, Istio's own included.
  const ns = new MeshNamespace(t, 'ok', { labels: { team: 'shop', 'istio.io/rev': 'canary' } });
  assert.equal(ns.labelValues.team, 'shop');
  assert.equal(ns.labelValues['istio.io/dataplane-mode'], 'ambient');
});

test("kubernetes.io/metadata.name in MeshNamespace labels is refused unless it is the namespace's own name: the API server overwrites it with the name", () => {
  const t = new Target(new PolicyApp(), 'prod');
  assert.deepEqual(refusal(() => new MeshNamespace(t, 'orders', { labels: { 'kubernetes.io/metadata.name': 'payments' } })), {
    rule: 'namespace/managed-label',
    path: 'prod/orders',
    message: `labels sets kubernetes.io/metadata.name to "payments", but the API server sets that label to the Namespace's own name ("orders") on every write`,
  });
  // Its own name is what the API server writes anyway.
  const ns = new MeshNamespace(t, 'shop', { labels: { 'kubernetes.io/metadata.name': 'shop' } });
  assert.equal(ns.labelValues['kubernetes.io/metadata.name'], 'shop');
});

test('a misspelt Istio ambient label in MeshNamespace labels is refused, naming the label it misspells: Istio ignores it, so the namespace would silently get no waypoint or enrollment', () => {
  const t = new Target(new PolicyApp(), 'prod');
  assert.deepEqual(refusal(() => new MeshNamespace(t, 'orders', { labels: { 'istio.io/use-waypiont': 'waypoint' } })), {
    rule: 'namespace/managed-label',
    path: 'prod/orders',
    message: 'labels sets istio.io/use-waypiont, which misspells istio.io/use-waypoint (MeshNamespace writes that from its useWaypoint prop): Istio reads only istio.io/use-waypoint, so this label does nothing',
  });
  for (const key of ['istio.io/dataplane_mode', 'istio.io/ingress-use-waypiont', 'istio.io/use-waypoint-namspace']) {
    assert.equal(refusal(() => new MeshNamespace(t, `typo-${key.length}-${key.charCodeAt(0)}`, { enroll: false, labels: { [key]: 'x' } })).rule, 'namespace/managed-label', key);
  }
  // Istio's other labels, and labels of other prefixes, are not taken for misspellings.
  const ns = new MeshNamespace(t, 'fine', { labels: { 'istio.io/rev': 'canary', 'istio.io/waypoint-for': 'service', 'example.io/use-waypoint': 'x' } });
  assert.equal(ns.labelValues['istio.io/rev'], 'canary');
});

test('an acknowledgement reason is a reason, not a document: over 1024 characters is refused (each becomes an annotation, capped at 256 KiB together)', () => {
  const ns = new MeshNamespace(new Target(new PolicyApp(), 'prod'), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const r = refusal(() => new WasmPlugin(ns, 'p', { url: URL, targets: [waypoint], acknowledge: { unpinnedModule: 'x'.repeat(1025) } }));
  assert.equal(r.rule, 'props/invalid');
  assert.match(r.message, /acknowledge\.unpinnedModule/);
  new WasmPlugin(ns, 'q', { url: URL, targets: [waypoint], acknowledge: { unpinnedModule: 'x'.repeat(1024) } });
});

test("a plugin on another team's ServiceEntry, in a namespace without a waypoint label, is a warning: the ServiceEntry's own labels are not in the app and may name a waypoint", () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'istio-egress');
  new Waypoint(ns, 'waypoint');
  const se = ServiceEntryReference.fromServiceEntryName(ns, 'httpbin', 'httpbin');
  new WasmPlugin(ns, 'egress-audit', { url: URL, sha256: SHA, targets: [se] });
  const { findings, files } = compileApp(app);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  const [w] = findings.filter((f) => f.rule === 'plugin/target-without-waypoint');
  assert.equal(w.severity, 'warning');
  assert.match(w.message, /targets ServiceEntry httpbin, whose labels are not in this app, and its Namespace has no istio\.io\/use-waypoint/);
  assert.ok(files.size > 0);
});

test("a raw WasmPlugin's pluginConfig is copied whole at construction, like every other prop: later changes to the caller's object do not reach the manifest", () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
  const config: Record<string, unknown> = { limits: { rps: 10 } };
  new WasmPlugin(ns, 'p', { url: URL, sha256: SHA, targets: [new Waypoint(ns, 'waypoint')], pluginConfig: config });
  (config.limits as { rps: number }).rps = 99999;
  config.mode = 'strict';
  const plugin = compileApp(app).collected.model.objects.find((o) => o.manifest.kind === 'WasmPlugin')!;
  assert.deepEqual((plugin.manifest.spec as { pluginConfig: unknown }).pluginConfig, { limits: { rps: 10 } });
});

test('a raw WasmPlugin config may hold cdk8s Lazy values and tokens: they are kept, not copied into plain objects, and resolve when rendered', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
  // Producers as classes, the way cdk8s code writes them: their methods live on the prototype.
  class Produces {
    constructor(private readonly value: unknown) {}
    produce(): unknown {
      return this.value;
    }
  }
  new WasmPlugin(ns, 'p', { url: URL, sha256: SHA, targets: [new Waypoint(ns, 'waypoint')], pluginConfig: { limits: { rps: Lazy.any(new Produces(10)) }, mode: Lazy.any(new Produces('strict')) } });
  const { files } = compileApp(app);
  const yaml = files.get('prod/2-policies/shop/wasmplugin-p.yaml') ?? '';
  assert.match(yaml, /limits:\n\s+rps: 10\n/);
  assert.match(yaml, /mode: strict\n/);
});

test('the 16-target limit counts targets as emitted: the same waypoint 17 times is one targetRef, 17 distinct Services are refused', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  new WasmPlugin(ns, 'same', { url: URL, sha256: SHA, targets: Array.from({ length: 17 }, () => waypoint) });
  const services = Array.from({ length: 17 }, (_, i) => MeshService.fromServiceName(ns, `svc-${i}`, `svc-${i}`, { useWaypoint: waypoint }));
  assert.equal(refusal(() => new WasmPlugin(ns, 'many', { url: URL, sha256: SHA, targets: services })).rule, 'plugin/too-many-targets');
  const plugin = compileApp(app).collected.model.objects.find((o) => o.manifest.metadata.name === 'same')!;
  assert.equal((plugin.manifest.spec as { targetRefs: unknown[] }).targetRefs.length, 1);
});

test('a refused MeshNamespace or Waypoint leaves nothing behind: a caller that catches the error can create it again, and nothing half-built is emitted', () => {
  const app = new PolicyApp();
  const t = new Target(app, 'prod');
  // Refused after its owned Namespace manifest was made.
  assert.throws(() => new MeshNamespace(t, 'shop', { owned: true, useWaypoint: 'bogus' as never }), PolicyError);
  assert.equal(t.node.tryFindChild('shop'), undefined);
  const ns = new MeshNamespace(t, 'shop');
  assert.throws(() => new Waypoint(ns, 'edge', { name: 'edge.v2' }), PolicyError);
  assert.equal(ns.node.tryFindChild('edge'), undefined);
  new Waypoint(ns, 'edge');
  const { files, findings } = compileApp(app);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  // The Namespace is the second one's: another team's, label-only, not the refused owned one.
  const namespaces = [...files.entries()].filter(([k]) => k.endsWith('/namespace-shop.yaml'));
  assert.equal(namespaces.length, 1, [...files.keys()].join('\n'));
  assert.doesNotMatch(namespaces[0][1], /managed-by/);
  assert.ok(files.has('prod/1-waypoints/shop/gateway-edge.yaml'), [...files.keys()].join('\n'));
});
