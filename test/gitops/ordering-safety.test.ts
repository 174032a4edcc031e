import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { parse } from 'yaml';
import { compileApp } from '../../compiler/synth';
import { decorate, gitopsFindings, MANAGED_BY, STAGES, stageOf } from '../../compiler/gitops';
import type { ModelObject } from '../../compiler/model';
import { readManifests } from '../../compiler/read-manifests';
import demo from '../../policies/main';
import { filesUnder, K8sObject, kustomize, project, synthProject } from './support';
import { loadApp } from '../../cli/load-app';

const ARGO_WAVE = 'argocd.argoproj.io/sync-wave';
const ARGO_SYNC = 'argocd.argoproj.io/sync-options';
const ARGO_COMPARE = 'argocd.argoproj.io/compare-options';
const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';
const FLUX_SSA = 'kustomize.toolkit.fluxcd.io/ssa';
const MANAGED = 'app.kubernetes.io/managed-by';
const PART_OF = 'app.kubernetes.io/part-of';

let dist: string;
let all: { stage: string; obj: K8sObject }[];
before(async () => {
  ({ dist } = await synthProject());
  all = ['staging', 'prod'].flatMap((t) =>
    ['1-waypoints', '2-policies', '3-enrollment'].flatMap((stage) => kustomize(path.join(dist, t, stage)).map((obj) => ({ stage, obj }))),
  );
});

const options = (o: K8sObject) => (o.metadata.annotations?.[ARGO_SYNC] ?? '').split(',').filter(Boolean).sort();
const isLabelOnly = (o: K8sObject) => (o.kind === 'Service' || o.kind === 'Namespace') && o.spec === undefined && o.metadata.labels?.[MANAGED] === undefined;

test('stage and wave of each kind: waypoints (0), then plugins (1), then the labels that route traffic (2)', () => {
  const seen = new Set<string>();
  for (const { stage, obj } of all) {
    const owned = obj.metadata.labels?.[MANAGED] === MANAGED_BY;
    const expected =
      obj.kind === 'Gateway' ? ['1-waypoints', '0'] :
      obj.kind === 'WasmPlugin' ? ['2-policies', '1'] :
      obj.kind === 'Namespace' && owned ? ['1-waypoints', '0'] :
      ['3-enrollment', '2'];
    assert.deepEqual([stage, obj.metadata.annotations?.[ARGO_WAVE]], expected, `${obj.kind} ${obj.metadata.name}`);
    seen.add(`${obj.kind}:${owned ? 'owned' : 'label-only'}`);
  }
  assert.deepEqual([...seen].sort(), ['Gateway:owned', 'Namespace:label-only', 'Namespace:owned', 'Service:label-only', 'Service:owned', 'WasmPlugin:owned']);
});

test('label-only objects: never managed-by/part-of, never pruned or deleted, SSA patch, Merge, no spec', () => {
  const labelOnly = all.map((a) => a.obj).filter(isLabelOnly);
  assert.equal(labelOnly.length, 4); // a Namespace and the reviews Service, in two targets
  for (const o of labelOnly) {
    const what = `${o.kind} ${o.metadata.name}`;
    assert.equal(o.metadata.labels?.[MANAGED], undefined, what);
    assert.equal(o.metadata.labels?.[PART_OF], undefined, what);
    assert.deepEqual(options(o), ['Delete=false', 'Prune=false', 'ServerSideApply=true'], what);
    assert.equal(o.metadata.annotations?.[ARGO_COMPARE], 'IgnoreExtraneous', what);
    assert.equal(o.metadata.annotations?.[FLUX_PRUNE], 'disabled', what);
    assert.equal(o.metadata.annotations?.[FLUX_SSA], 'Merge', what);
    // Never a force/replace option, on either tool.
    assert.ok(!options(o).some((x) => /^(Replace|Force)=true$/.test(x)), what);
    assert.equal(o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/force'], undefined, what);
    // Byte-minimal: only name, namespace, labels and the tool annotations.
    assert.deepEqual(Object.keys(o).sort(), ['apiVersion', 'kind', 'metadata'], what);
    assert.ok(Object.keys(o.metadata.labels ?? {}).every((k) => k.startsWith('istio.io/')), what);
  }
});

test('owned objects: managed-by and a stable part-of; waypoints and plugins PruneLast; never cascade-deleted', () => {
  const owned = all.map((a) => a.obj).filter((o) => !isLabelOnly(o));
  assert.equal(owned.length, 9); // staging: 2 Gateways, 1 plugin; prod: 3 Gateways, 1 plugin, a Namespace, a Service
  for (const o of owned) {
    const what = `${o.kind} ${o.metadata.name}`;
    assert.equal(o.metadata.labels?.[MANAGED], 'waypoint-policy', what);
    assert.equal(o.metadata.labels?.[PART_OF], 'shop-policy', what);
    assert.ok(options(o).includes('Delete=false'), what);
    if (o.kind === 'Gateway' || o.kind === 'WasmPlugin') {
      assert.deepEqual(options(o), ['Delete=false', 'PruneLast=true'], what);
      // Owned objects keep Flux's default apply (Override) and pruning.
      assert.equal(o.metadata.annotations?.[FLUX_PRUNE], undefined, what);
      assert.equal(o.metadata.annotations?.[FLUX_SSA], undefined, what);
    }
    if (o.kind === 'Namespace') {
      // Pruning a Namespace deletes everything in it: never, even when owned.
      // Metadata only: applied server-side even where the Application is not (see the test below).
      assert.deepEqual(options(o), ['Delete=false', 'Prune=false', 'ServerSideApply=true'], what);
      assert.equal(o.metadata.annotations?.[FLUX_PRUNE], 'disabled', what);
      // Metadata only, over a Namespace that may predate it: Merge, so Flux never takes over (and later drops) labels others set.
      assert.equal(o.metadata.annotations?.[FLUX_SSA], 'Merge', what);
    }
    if (o.kind === 'Service') assert.equal(o.metadata.annotations?.[FLUX_SSA], undefined, what);
    if (o.kind === 'Service') assert.deepEqual(options(o), ['Delete=false'], what);
  }
});

test("the demo (policies/main.ts) carries the same metadata: the guide's reviews Service is label-only", () => {
  const compiled = compileApp(demo);
  const objs = [...compiled.files].filter(([f]) => !f.endsWith('kustomization.yaml')).map(([f, text]) => ({ f, o: parse(text) as K8sObject }));
  const reviews = objs.find(({ o }) => o.kind === 'Service')!;
  assert.equal(reviews.f, 'demo/3-enrollment/default/service-reviews.yaml');
  assert.ok(isLabelOnly(reviews.o));
  for (const { f, o } of objs) {
    if (o.kind === 'Gateway') assert.ok(f.startsWith('demo/1-waypoints/'), f);
    if (o.kind === 'WasmPlugin') assert.ok(f.startsWith('demo/2-policies/'), f);
    if (!isLabelOnly(o)) assert.equal(o.metadata.labels?.[PART_OF], 'bookinfo-policy', f);
  }
});

test("an owned Namespace is applied server-side under Argo CD, as label-only objects are: its manifest is metadata only, and a client-side apply would delete the labels another team's kubectl apply wrote", () => {
  // Client-side, kubectl's three-way merge takes the live last-applied-configuration
  // (the app team's `kubectl apply` of the Namespace, pod security labels and all) as
  // what was applied before, and deletes each field of it our manifest lacks.
  const ns: ModelObject = {
    manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } } },
    target: 't',
    ownership: 'owned',
  };
  const owned = decorate(ns, { partOf: 'p', tools: ['argocd'] });
  assert.deepEqual(options(owned as K8sObject), ['Delete=false', 'Prune=false', 'ServerSideApply=true']);
  // Switching it between owned and label-only keeps the server-side apply.
  const labelOnly = decorate({ ...ns, ownership: 'external' }, { partOf: 'p', tools: ['argocd'] });
  assert.deepEqual(options(labelOnly as K8sObject), options(owned as K8sObject));
  // Full manifests (Gateways, plugins, owned Services) keep the Application's apply mode.
  const svc = decorate({ manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } }, target: 't', ownership: 'owned' }, { partOf: 'p', tools: ['argocd'] });
  assert.deepEqual(options(svc as K8sObject), ['Delete=false']);
});

test('only the chosen tools get metadata', () => {
  const gateway: ModelObject = {
    manifest: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'w', namespace: 'n' } },
    target: 't',
    ownership: 'owned',
  };
  const service: ModelObject = { manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n', labels: { 'istio.io/use-waypoint': 'w' } } }, target: 't', ownership: 'external' };
  const argoOnly = decorate(service, { partOf: 'p', tools: ['argocd'] });
  assert.deepEqual(Object.keys(argoOnly.metadata.annotations!).sort(), [ARGO_COMPARE, ARGO_SYNC, ARGO_WAVE]);
  const fluxOnly = decorate(service, { partOf: 'p', tools: ['flux'] });
  assert.deepEqual(fluxOnly.metadata.annotations, { [FLUX_PRUNE]: 'disabled', [FLUX_SSA]: 'Merge' });
  assert.equal(decorate(gateway, { partOf: 'p', tools: ['flux'] }).metadata.annotations, undefined);
  // decorate never mutates the model.
  assert.equal(service.manifest.metadata.annotations, undefined);
  assert.equal(stageOf(gateway.manifest), STAGES.waypoints);
  assert.equal(stageOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }), STAGES.enrollment);
  assert.equal(stageOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }, 'owned'), STAGES.waypoints);
  assert.equal(stageOf({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'x' } }), STAGES.policies);
});

test('an app that names no GitOps tool is refused at construction: its objects would carry no prune, delete or apply protection', async () => {
  const { PolicyApp } = await import('../../constructs');
  const { thrownFindings } = await import('../catalogue/helpers');
  const findings = thrownFindings(() => new PolicyApp({ gitops: [] }));
  assert.deepEqual(findings.map((f) => f.rule), ['props/invalid']);
  assert.match(findings[0].message, /PolicyApp prop 'gitops': names no GitOps tool: .*Name the tool that delivers dist\/: \[GitOpsTool\.ARGO_CD\] or \[GitOpsTool\.FLUX\]/);
  assert.match(findings[0].source ?? '', /ordering-safety\.test\.ts:\d+$/);
});

test("another team's object that claims to be ours is an error (gitops/external-ownership-label)", () => {
  const findings = gitopsFindings([
    { manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { [MANAGED]: 'waypoint-policy' } } }, target: 't', ownership: 'external' },
    { manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mine', labels: { [MANAGED]: 'waypoint-policy' } } }, target: 't', ownership: 'owned' },
  ]);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.object?.name]), [['gitops/external-ownership-label', 'error', 'shop']]);

  const p = project(`
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop', { labels: { 'app.kubernetes.io/managed-by': 'waypoint-policy' } });
export default app;`);
  const compiled = compileApp(loadApp(p.app, p.dir), { root: p.dir });
  assert.ok(compiled.findings.some((f) => f.rule === 'gitops/external-ownership-label' && f.severity === 'error'));
  assert.equal(compiled.files.size, 0);
});

test("another team's object given a GitOps tool key (Flux force, by label or annotation) is an error: it must never be re-created from a label-only manifest", () => {
  const external = (labels: Record<string, string>, annotations?: Record<string, string>) => ({
    manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'shop', labels, annotations } },
    target: 't',
    ownership: 'external' as const,
  });
  const rules = (o: ReturnType<typeof external>) => gitopsFindings([o]).map((f) => [f.rule, f.severity]);
  const refused = [['gitops/external-tool-override', 'error']];
  assert.deepEqual(rules(external({ 'kustomize.toolkit.fluxcd.io/force': 'enabled' })), refused);
  assert.deepEqual(rules(external({}, { 'kustomize.toolkit.fluxcd.io/force': 'enabled' })), refused);
  assert.deepEqual(rules(external({ 'kustomize.toolkit.fluxcd.io/ssa': 'Override' })), refused);
  assert.deepEqual(rules(external({}, { 'argocd.argoproj.io/sync-options': 'Replace=true' })), refused);
  assert.match(gitopsFindings([external({ 'kustomize.toolkit.fluxcd.io/force': 'enabled' })])[0].message, /deletes and re-creates the live object/);
  // Keys that do not steer this object's apply stay allowed (Argo CD Operator's namespace label).
  assert.deepEqual(rules(external({ 'argocd.argoproj.io/managed-by': 'openshift-gitops' })), []);
  // Our own waypoint labels are fine.
  assert.deepEqual(rules(external({ 'istio.io/use-waypoint': 'w' })), []);
  // On an owned object, force and the keys waypoint-policy writes itself are refused too (gitops/owned-tool-override); others are its team's (ours) to set.
  const owned = (labels: Record<string, string>) => gitopsFindings([{ ...external(labels), ownership: 'owned' }]).map((f) => [f.rule, f.severity]);
  assert.deepEqual(owned({ 'kustomize.toolkit.fluxcd.io/force': 'enabled' }), [['gitops/owned-tool-override', 'error']]);
  assert.deepEqual(owned({ 'argocd.argoproj.io/sync-wave': '-5' }), [['gitops/owned-tool-override', 'error']]);
  assert.deepEqual(owned({ 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled', 'argocd.argoproj.io/hook': 'PreSync' }), []);

  const p = project(`
const app = new wp.PolicyApp();
new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop', { labels: { 'kustomize.toolkit.fluxcd.io/force': 'enabled' } });
export default app;`);
  const compiled = compileApp(loadApp(p.app, p.dir), { root: p.dir });
  assert.deepEqual(compiled.findings.filter((f) => f.severity === 'error').map((f) => f.rule), ['gitops/external-tool-override']);
  assert.equal(compiled.files.size, 0);
});

test('ReleasedLabels: removal step 1 emits label-free, protected manifests in the last stage', async () => {
  const { dist: out } = await synthProject(`
const app = new wp.PolicyApp({ partOf: 'shop-policy' });
const target = new wp.Target(app, 'prod');
const ns = new wp.MeshNamespace(target, 'shop', { enroll: false });
wp.ReleasedLabels.ofService(ns, 'reviews');
wp.ReleasedLabels.ofNamespace(target, 'legacy');
export default app;`);
  const objs = kustomize(path.join(out, 'prod', '3-enrollment'));
  assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['Namespace/legacy', 'Service/reviews']);
  for (const o of objs) {
    assert.equal(o.metadata.labels, undefined, `${o.kind}: no labels left to apply`);
    assert.deepEqual(options(o), ['Delete=false', 'Prune=false', 'ServerSideApply=true']);
    assert.equal(o.metadata.annotations?.[ARGO_WAVE], '2');
    assert.equal(o.metadata.annotations?.[FLUX_PRUNE], 'disabled');
    assert.equal(o.metadata.annotations?.[FLUX_SSA], 'Merge');
  }
  assert.equal(objs.find((o) => o.kind === 'Service')!.metadata.namespace, 'shop');
  assert.equal(objs.find((o) => o.kind === 'Namespace')!.metadata.namespace, undefined);
});

test('validate --manifests style reading of dist/ skips the delivery folder', () => {
  const read = readManifests(dist);
  assert.deepEqual(read.findings, []);
  const kinds = new Set(read.model.objects.map((o) => o.manifest.kind));
  assert.deepEqual([...kinds].sort(), ['Gateway', 'Namespace', 'Service', 'WasmPlugin']);
  assert.deepEqual([...new Set(read.model.objects.map((o) => o.target))].sort(), ['prod', 'staging']);
  // ...and still reads the same objects as the target folders hold.
  assert.equal(read.model.objects.length, filesUnder(dist, 'prod').length + filesUnder(dist, 'staging').length);
  // Label-only objects are recognised as another team's.
  for (const o of read.model.objects) assert.equal(o.ownership === 'external', isLabelOnly(o.manifest as K8sObject), o.manifest.metadata.name);
});

test('ReleasedLabels mistakes are findings: outside a namespace, or next to the label it releases', () => {
  const findingsOf = (body: string) => {
    const p = project(body);
    try {
      return compileApp(loadApp(p.app, p.dir), { root: p.dir }).findings.filter((f) => f.severity === 'error').map((f) => f.rule);
    } catch (e) {
      return (e as { findings?: { rule: string }[] }).findings?.map((f) => f.rule) ?? [String(e)];
    }
  };
  assert.deepEqual(findingsOf(`
const app = new wp.PolicyApp();
wp.ReleasedLabels.ofService(new wp.Target(app, 'prod'), 'reviews');
export default app;`), ['scope/no-namespace']);
  assert.equal(findingsOf(`
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop');
wp.MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: new wp.Waypoint(ns, 'w') });
wp.ReleasedLabels.ofService(ns, 'reviews');
export default app;`).filter((r) => r.includes('duplicate')).length, 1);
});
