/**
 * The performance work must not change a byte: the fast paths give exactly
 * what they replace, and the bench's baselines handle exactly the files synth
 * writes.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import type { IConstruct } from 'constructs';
import { meshFiles, readTemplate } from '../../bench/manifests';
import { buildMesh } from '../../bench/mesh';
import { apiObjectJson } from '../../compiler/api-object-json';
import { compileApp, synthToDirectory } from '../../compiler/synth';
import { AllowedNamespaces, BasicAuth, Credential, ExternalService, MeshNamespace, MeshService, PolicyApp, WasmPlugin, Waypoint } from '../../constructs';
import { readTree } from '../../compiler/write';
import { toYaml, YamlValue } from '../../compiler/yaml';
import { tempDir } from '../support/helpers';

function apiObjects(c: IConstruct, out: ApiObject[] = []): ApiObject[] {
  if (c instanceof ApiObject) out.push(c);
  for (const child of c.node.children) apiObjects(child, out);
  return out;
}

/** The same JSON, key order included, or the same error. */
function assertSameJson(o: ApiObject): void {
  const outcome = (f: () => unknown) => {
    try {
      return JSON.stringify(f());
    } catch (e) {
      return `throws ${(e as Error).message}`;
    }
  };
  assert.equal(outcome(() => apiObjectJson(o)), outcome(() => o.toJson()), o.node.path);
}

function trickyChart(app: App): Chart {
  const chart = new Chart(app, 'tricky', { namespace: 'ns', labels: { team: 'x' }, disableResourceNameHashes: true });
  const plain = (id: string, rest: Record<string, unknown>) => new ApiObject(chart, id, { apiVersion: 'v1', kind: 'ConfigMap', ...rest });
  plain('empties', { metadata: { name: 'e', annotations: {}, finalizers: [] }, data: { b: '1', a: null, c: undefined, '10': 'x', '9': 'y', nested: { z: [], y: {} } } });
  plain('lazy', { data: { a: Lazy.any({ produce: () => 'produced' }) } });
  plain('patched', { data: { a: '1' } }).addJsonPatch(JsonPatch.add('/data/b', '2'));
  plain('own-constructor', { spec: { constructor: 'x' } });
  plain('null-prototype', { spec: Object.assign(Object.create(null), { a: 1 }) });
  plain('token', { spec: { a: { resolve: () => 'resolved' } } });
  plain('union', { spec: { port: new (class IntOrString { public readonly value = 8080; })() } });
  plain('arrays', { spec: { list: [1, null, { b: 2, a: [] }], empty: [], holes: [1, , 3] } });
  plain('function', { spec: { f: () => 1 } });
  plain('proto-key', { spec: JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') });
  new ApiObject(chart, 'cluster', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', namespace: undefined as unknown as string, labels: { b: '2', a: '1' } } });
  const meta = plain('metadata', { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'n', uid: 'u' }], extra: { q: 1 } } });
  meta.metadata.addAnnotation('z', 'a');
  meta.metadata.addLabel('l', 'v');
  meta.metadata.addFinalizers('f');
  new kplus.Service(chart, 'plus-service', { ports: [{ port: 80 }] });
  return chart;
}

test('apiObjectJson gives exactly toJson(), for our constructs and for anything else', () => {
  process.env.WP_BENCH_CREDENTIAL ??= 'bench:bench-password';
  for (const o of apiObjects(buildMesh(2))) assertSameJson(o);
  const app = new App();
  trickyChart(app);
  const objects = apiObjects(app);
  assert.equal(objects.length, 13);
  for (const o of objects) assertSameJson(o);
  // With sorting disabled, and with an app that has its own resolver.
  process.env.CDK8S_DISABLE_SORT = '1';
  try {
    for (const o of objects) assertSameJson(o);
  } finally {
    delete process.env.CDK8S_DISABLE_SORT;
  }
  class Upper implements IResolver {
    public resolve(context: ResolutionContext): void {
      if (typeof context.value === 'string' && context.value !== context.value.toUpperCase()) context.replaceValue(context.value.toUpperCase());
    }
  }
  const custom = new App({ resolvers: [new Upper()] });
  trickyChart(custom);
  for (const o of apiObjects(custom)) assertSameJson(o);
});

test("the bench's baselines write exactly synth's files", () => {
  process.env.WP_BENCH_CREDENTIAL ??= 'bench:bench-password';
  const dir = tempDir('wp-baseline-');
  const one = path.join(dir, 'one');
  const three = path.join(dir, 'three');
  synthToDirectory(buildMesh(1), { outdir: one, root: path.resolve(__dirname, '..', '..') });
  synthToDirectory(buildMesh(3), { outdir: three, root: path.resolve(__dirname, '..', '..') });
  const floor = new Map(
    meshFiles(readTemplate(one), 3).map((f) => [f.path, `${f.header.map((l) => (l === '' ? '#' : `# ${l}`)).join('\n')}\n${toYaml(f.doc as YamlValue)}`]),
  );
  const synth = readTree(three);
  assert.deepEqual([...floor.keys()].sort(), [...synth.keys()].sort());
  for (const [rel, text] of synth) assert.equal(floor.get(rel), text, rel);
});

/** Every WasmPlugin and ExternalService in the tree, whose ApiObject is created only on demand. */
function deferredOwners(c: IConstruct, out: (WasmPlugin | ExternalService)[] = []): (WasmPlugin | ExternalService)[] {
  if (c instanceof WasmPlugin || c instanceof ExternalService) out.push(c);
  for (const child of c.node.children) deferredOwners(child, out);
  return out;
}

/** Our constructs inside a plain cdk8s Chart that has its own labels and namespace. */
function plainChartApp(): PolicyApp {
  process.env.WP_FAST_PATH_CREDENTIAL = 'ops:fast-path';
  const app = new PolicyApp({ partOf: 'fast-paths' });
  const chart = new Chart(app, 'team-chart', { namespace: 'team', labels: { 'example.com/team': 'blue' }, disableResourceNameHashes: true });
  const ns = new MeshNamespace(app, 'shop');
  // Admits the chart's namespace too, so the whole app compiles without errors.
  const waypoint = new Waypoint(ns, 'waypoint', { allowedNamespaces: AllowedNamespaces.all() });
  for (const scope of [chart, ns]) {
    const svc = MeshService.fromServiceName(scope, 'api', 'api', { useWaypoint: waypoint, ingressUseWaypoint: true });
    MeshService.fromServiceName(scope, 'unlabeled', 'unlabeled');
    new BasicAuth(scope, 'auth', {
      targets: [svc],
      sha256: 'a'.repeat(64),
      priority: 10,
      acknowledge: { ambiguousOrder: 'a test' },
      rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('WP_FAST_PATH_CREDENTIAL')] }],
    });
  }
  return app;
}

test('a deferred ApiObject compiles to exactly what the ApiObject itself gives, and compiling creates none', () => {
  const root = path.resolve(__dirname, '..', '..');
  for (const make of [() => buildMesh(3), plainChartApp]) {
    const app = make();
    const owners = deferredOwners(app);
    assert.ok(owners.length > 0);
    const deferred = compileApp(app, { root });
    assert.deepEqual(deferred.findings.filter((f) => f.severity === 'error'), []);
    // The compiler read the props: no construct got its ApiObject child.
    assert.deepEqual(owners.filter((o) => o.node.children.length > 0).map((o) => o.node.path), []);
    // Create every ApiObject, as the escape hatch does: the files stay byte-identical.
    for (const o of owners) {
      if (o.apiObject) assertSameJson(o.apiObject);
    }
    const created = compileApp(app, { root });
    assert.deepEqual([...created.files], [...deferred.files]);
    assert.deepEqual(created.collected.model.objects, deferred.collected.model.objects);
  }
});

test("cdk8s's own synth sees deferred objects, and the escape hatch changes the output", () => {
  const app = plainChartApp();
  const chart = app.node.findChild('team-chart') as Chart;
  // Chart.toJson() (what cdk8s Testing.synth calls) validates first, which creates them.
  const kinds = chart.toJson().map((o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`);
  assert.deepEqual(kinds.sort(), ['Service/api', 'WasmPlugin/auth']);

  const fresh = plainChartApp();
  const ns = fresh.node.findChild('shop');
  const plugin = ns.node.findChild('auth') as WasmPlugin;
  const svc = ns.node.findChild('api') as ExternalService;
  plugin.apiObject.addJsonPatch(JsonPatch.add('/spec/priority', 7));
  svc.apiObject!.metadata.addLabel('example.com/extra', 'yes');
  const files = compileApp(fresh, { root: path.resolve(__dirname, '..', '..') }).files;
  assert.match(files.get('default/2-policies/shop/wasmplugin-auth.yaml')!, /\n {2}priority: 7\n/);
  assert.match(files.get('default/3-enrollment/shop/service-api.yaml')!, /example\.com\/extra: "?yes"?\n/);
});

test("a MeshNamespace's own cdk8s synth orders deferred objects by their dependencies, as if they had been created", () => {
  const build = (touch: boolean) => {
    process.env.WP_FAST_PATH_CREDENTIAL = 'ops:fast-path';
    const app = new PolicyApp({ partOf: 'fast-paths' });
    const ns = new MeshNamespace(app, 'shop', { enroll: false });
    const api = MeshService.fromServiceName(ns, 'api', 'api', { ingressUseWaypoint: true });
    const config = new ApiObject(ns, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'zz' } });
    const auth = new BasicAuth(ns, 'auth', { targets: [api], sha256: 'a'.repeat(64), rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('WP_FAST_PATH_CREDENTIAL')] }] });
    config.node.addDependency(auth);
    if (touch) void auth.apiObject;
    return ns.toJson().map((o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`);
  };
  const created = build(true);
  assert.ok(created.indexOf('WasmPlugin/auth') < created.indexOf('ConfigMap/zz'), created.join(' '));
  assert.deepEqual(build(false), created);
});
