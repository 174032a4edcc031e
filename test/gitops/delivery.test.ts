import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { evaluate } from '@marcbachmann/cel-js';
import { Application, ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { GitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import * as prettier from 'prettier';
import { compileApp } from '../../compiler/synth';
import { loadApp } from '../../cli/load-app';
import { isPolicyError } from '../../constructs/errors';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir, writePolicy } from '../support/helpers';
import { filesUnder, K8sObject, kustomize, project, synthProject, uncheckedPaths } from './support';

type Model = { new (data: any): { validate(): void } };
const MODELS: Record<string, Model> = {
  'argoproj.io/v1alpha1 Application': Application as unknown as Model,
  'argoproj.io/v1alpha1 ApplicationSet': ApplicationSet as unknown as Model,
  'source.toolkit.fluxcd.io/v1 GitRepository': GitRepository as unknown as Model,
  'kustomize.toolkit.fluxcd.io/v1 Kustomization': Kustomization as unknown as Model,
};
const modelOf = (o: K8sObject) => {
  const m = MODELS[`${o.apiVersion} ${o.kind}`];
  assert.ok(m, `a model for ${o.apiVersion} ${o.kind}`);
  return m;
};
const validate = (o: unknown) => new (modelOf(o as K8sObject))(structuredClone(o)).validate();

/**
 * Fields we use that the model packages do not know. They were generated from
 * Argo CD v2.14.11 and kustomize-controller v1.2.2 CRDs; these fields came in
 * kustomize-controller v1.5.0 (Flux v2.5) and are checked by hand below.
 */
const NEWER_THAN_MODELS: Record<string, string[]> = {
  Application: [],
  ApplicationSet: [],
  GitRepository: [],
  Kustomization: ['spec.deletionPolicy', 'spec.healthCheckExprs'],
};

let dist: string;
let delivery: K8sObject[];
let appSetDelivery: K8sObject[];
before(async () => {
  ({ dist } = await synthProject());
  delivery = filesUnder(dist, 'delivery');
  const set = await synthProject(`
const app = new wp.PolicyApp({
  partOf: 'shop-policy',
  gitops: [wp.GitOpsTool.ARGO_CD],
  delivery: { repoURL: 'git@github.com:acme/mesh-policy.git', revision: 'release/1.x', path: './deploy/mesh/', argocd: { generator: wp.ArgoCdGenerator.APPLICATION_SET, namespace: 'gitops', project: 'mesh', destination: { server: 'https://10.0.0.1:6443' } } },
});
const ns = new wp.MeshNamespace(new wp.Target(app, 'staging'), 'shop');
ns.useWaypoint(new wp.Waypoint(ns, 'waypoint'));
new wp.Target(app, 'prod');
export default app;`);
  appSetDelivery = filesUnder(set.dist, 'delivery');
});

test('every delivery manifest validates against the published Argo CD and Flux models', () => {
  const all = [...delivery, ...appSetDelivery];
  const kinds = new Set<string>();
  for (const o of all) {
    validate(o);
    kinds.add(o.kind);
  }
  assert.deepEqual([...kinds].sort(), ['Application', 'ApplicationSet', 'GitRepository', 'Kustomization']);
  assert.equal(all.length, 3 + 3 * 4 + 1);
});

test('validation really runs: deliberately broken objects fail, per model', () => {
  const app = structuredClone(delivery.find((o) => o.kind === 'Application')!);
  app.spec.syncPolicy.retry.limit = 'ten';
  assert.throws(() => validate(app), /limit/);
  const set = structuredClone(appSetDelivery.find((o) => o.kind === 'ApplicationSet')!);
  delete set.spec.template.spec.project;
  assert.throws(() => validate(set), /project/);
  const repo = structuredClone(delivery.find((o) => o.kind === 'GitRepository')!);
  repo.spec.url = 'ftp://example.com/repo.git';
  assert.throws(() => validate(repo), /url/);
  const ks = structuredClone(delivery.find((o) => o.kind === 'Kustomization')!);
  ks.spec.sourceRef.kind = 'Bucketz';
  assert.throws(() => validate(ks), /kind/);
});

test('the models check every field we write, except the few newer than them (checked by hand here)', () => {
  const byKind: Record<string, Set<string>> = {};
  for (const o of [...delivery, ...appSetDelivery]) {
    const unchecked = uncheckedPaths(validate, o).map((p) => p.replace(/\[\d+\]/g, '[]'));
    for (const p of unchecked) (byKind[o.kind] ??= new Set()).add(p);
    byKind[o.kind] ??= new Set();
  }
  assert.deepEqual(Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, [...v].sort()])), NEWER_THAN_MODELS);

  // By hand, against kustomize-controller v1.5+ (api/v1/kustomization_types.go).
  for (const ks of delivery.filter((o) => o.kind === 'Kustomization')) {
    assert.ok(['MirrorPrune', 'Delete', 'WaitForTermination', 'Orphan'].includes(ks.spec.deletionPolicy));
    for (const e of ks.spec.healthCheckExprs ?? []) {
      assert.deepEqual(Object.keys(e).sort(), ['apiVersion', 'current', 'failed', 'kind']);
      for (const v of Object.values(e)) assert.equal(typeof v, 'string');
    }
  }
});

test('Flux: one GitRepository and three Kustomizations per target, chained waypoints -> policies -> enrollment', () => {
  for (const target of ['staging', 'prod', 'dr']) {
    const objs = kustomize(path.join(dist, 'delivery', 'flux', target));
    const repo = objs.filter((o) => o.kind === 'GitRepository');
    assert.equal(repo.length, 1);
    assert.equal(repo[0].spec.url, 'https://github.com/acme/mesh-policy.git');
    assert.deepEqual(repo[0].spec.ref, { branch: 'main' });
    assert.deepEqual(repo[0].spec.secretRef, { name: 'mesh-policy-git' });
    const ks = Object.fromEntries(objs.filter((o) => o.kind === 'Kustomization').map((o) => [o.metadata.name.replace(`shop-policy-${target}-`, ''), o]));
    assert.deepEqual(Object.keys(ks).sort(), ['enrollment', 'policies', 'waypoints']);
    assert.equal(ks.waypoints.spec.dependsOn, undefined);
    assert.deepEqual(ks.policies.spec.dependsOn, [{ name: `shop-policy-${target}-waypoints` }]);
    assert.deepEqual(ks.enrollment.spec.dependsOn, [{ name: `shop-policy-${target}-policies` }]);
    assert.equal(ks.waypoints.spec.path, `./dist/${target}/1-waypoints`);
    assert.equal(ks.policies.spec.path, `./dist/${target}/2-policies`);
    assert.equal(ks.enrollment.spec.path, `./dist/${target}/3-enrollment`);
    for (const k of Object.values(ks)) {
      // Same source for all three: dependsOn then also waits for the same revision.
      assert.deepEqual(k.spec.sourceRef, { kind: 'GitRepository', name: repo[0].metadata.name });
      assert.equal(k.metadata.namespace, 'flux-system');
      assert.equal(k.spec.prune, true);
      assert.equal(k.spec.force, false);
      // Not on enrollment: kstatus keeps another team's LoadBalancer Service without an address InProgress, and the stage would never be Ready.
      assert.equal(k.spec.wait, k !== ks.enrollment);
      assert.equal(k.spec.deletionPolicy, 'Orphan');
      assert.equal(k.spec.targetNamespace, undefined);
      assert.equal(k.spec.commonMetadata, undefined);
      assert.ok(k.metadata.name.length <= 63);
    }
    assert.deepEqual(ks.waypoints.spec.healthCheckExprs.map((e: any) => `${e.apiVersion} ${e.kind}`), ['gateway.networking.k8s.io/v1 Gateway']);
    assert.equal(ks.policies.spec.healthCheckExprs, undefined);
  }
});

test("Flux: the Gateway health expressions wait for this generation's Programmed=True and fail on Accepted/ResolvedRefs=False", () => {
  const expr = delivery.find((o) => o.kind === 'Kustomization' && o.spec.healthCheckExprs)!.spec.healthCheckExprs[0];
  const gw = (conditions: { type: string; status: string; observedGeneration?: number }[], generation = 2) => ({
    metadata: { generation },
    status: { conditions: conditions.map((c) => ({ observedGeneration: generation, ...c })) },
  });
  const verdict = (o: object) => (evaluate(expr.failed, o) ? 'failed' : evaluate(expr.current, o) ? 'current' : 'in progress');
  assert.equal(verdict(gw([{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'True' }])), 'current');
  assert.equal(verdict(gw([{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'False' }])), 'in progress');
  assert.equal(verdict(gw([{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'True', observedGeneration: 1 }])), 'in progress');
  assert.equal(verdict(gw([{ type: 'Accepted', status: 'False' }, { type: 'Programmed', status: 'False' }])), 'failed');
  assert.equal(verdict(gw([{ type: 'ResolvedRefs', status: 'False' }])), 'failed');
  assert.equal(verdict(gw([])), 'in progress');
});

test('Argo CD: one Application per target, all three stages in it, SSA with the safety options', () => {
  const apps = kustomize(path.join(dist, 'delivery', 'argocd'));
  assert.deepEqual(apps.map((a) => a.metadata.name).sort(), ['shop-policy-dr', 'shop-policy-prod', 'shop-policy-staging']);
  for (const a of apps) {
    const target = a.metadata.name.replace('shop-policy-', '');
    assert.equal(a.metadata.namespace, 'argocd');
    assert.equal(a.metadata.annotations?.['argocd.argoproj.io/compare-options'], 'ServerSideDiff=true');
    // No resources-finalizer: deleting the Application deletes nothing.
    assert.equal(a.metadata.finalizers, undefined);
    assert.deepEqual(a.spec.source, { repoURL: 'https://github.com/acme/mesh-policy.git', targetRevision: 'main', path: `dist/${target}` });
    assert.deepEqual(a.spec.syncPolicy.syncOptions, ['ServerSideApply=true', 'ClientSideApplyMigration=false', 'FailOnSharedResource=true']);
    assert.ok(!a.spec.syncPolicy.syncOptions.some((o: string) => /^(Replace|Force)=/.test(o)));
    assert.deepEqual(a.spec.syncPolicy.automated, { prune: true, selfHeal: true });
    assert.ok(a.spec.syncPolicy.retry.limit > 0);
    assert.equal(a.spec.destination.namespace, undefined);
    assert.deepEqual(a.spec.destination, target === 'prod' ? { name: 'prod-eu-1' } : { server: 'https://kubernetes.default.svc' });
    assert.equal(a.metadata.labels?.['app.kubernetes.io/part-of'], 'shop-policy');
  }
});

test('Argo CD: an ApplicationSet over dist/* that excludes the delivery folder and never cascades', () => {
  assert.deepEqual(appSetDelivery.map((o) => o.kind), ['ApplicationSet']);
  const [set] = appSetDelivery;
  assert.equal(set.metadata.namespace, 'gitops');
  const git = set.spec.generators[0].git;
  assert.equal(git.repoURL, 'git@github.com:acme/mesh-policy.git');
  assert.equal(git.revision, 'release/1.x');
  assert.deepEqual(git.directories, [{ path: 'deploy/mesh/*' }, { path: 'deploy/mesh/delivery', exclude: true }]);
  assert.equal(set.spec.goTemplate, true);
  assert.equal(set.spec.syncPolicy.preserveResourcesOnDeletion, true);
  const t = set.spec.template;
  assert.equal(t.metadata.name, 'shop-policy-{{.path.basename}}');
  assert.equal(t.metadata.annotations['argocd.argoproj.io/compare-options'], 'ServerSideDiff=true');
  assert.equal(t.spec.source.path, '{{.path.path}}');
  assert.equal(t.spec.project, 'mesh');
  assert.deepEqual(t.spec.destination, { server: 'https://10.0.0.1:6443' });
  assert.deepEqual(t.spec.syncPolicy.syncOptions, ['ServerSideApply=true', 'ClientSideApplyMigration=false', 'FailOnSharedResource=true']);
});

test('delivery files are prettier-clean and carry the generated-by header', async () => {
  const dir = path.join(dist, 'delivery');
  let checked = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) await walk(f);
      else {
        const text = fs.readFileSync(f, 'utf8');
        assert.ok(await prettier.check(text, { parser: 'yaml' }), `${f} is prettier-clean`);
        assert.match(text, /^# Generated by waypoint-policy/);
        checked++;
      }
    }
  };
  await walk(dir);
  assert.equal(checked, 4 + 3 * 5);
});

test('no delivery config: no delivery folder', () => {
  const p = project(`
const app = new wp.PolicyApp();
new wp.Waypoint(new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop'), 'waypoint');
export default app;`);
  const compiled = compileApp(loadApp(p.app, p.dir), { root: p.dir });
  assert.ok(compiled.files.size > 0);
  assert.ok(![...compiled.files.keys()].some((f) => f.startsWith('delivery/')));
});

/** Compile a program and return its findings, or the construct-time findings it threw. */
function findingsOf(body: string) {
  const p = project(body);
  try {
    return compileApp(loadApp(p.app, p.dir), { root: p.dir }).findings;
  } catch (e) {
    if (isPolicyError(e)) return e.findings;
    throw e;
  }
}

const errorsOf = (body: string) => findingsOf(body).filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`);

test('delivery config mistakes are findings, never stack traces', () => {
  const app = (delivery: string, extra = '') => `
const app = new wp.PolicyApp({ ${extra} delivery: ${delivery} });
new wp.Waypoint(new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop'), 'waypoint');
export default app;`;
  const cases: [string, string, RegExp][] = [
    ['not a URL', app(`{ repoURL: 'github.com/acme' }`), /delivery\/invalid: .*'delivery.repoURL': repoURL must be a git URL/],
    ['scp URL for Flux', app(`{ repoURL: 'git@github.com:acme/x.git' }`), /delivery\/invalid: Flux GitRepository needs/],
    ['path escaping the repo', app(`{ repoURL: 'https://x.io/r.git', path: '../dist' }`), /delivery\/invalid: .*path must be relative/],
    ['bad duration', app(`{ repoURL: 'https://x.io/r.git', flux: { interval: '5 minutes' } }`), /delivery\/invalid: .*Go duration/],
    ['bad revision', app(`{ repoURL: 'https://x.io/r.git', revision: 'main..x' }`), /delivery\/invalid: .*revision must be a branch name/],
    ['bad server', app(`{ repoURL: 'https://x.io/r.git', argocd: { destination: { server: 'cluster-a' } } }`), /delivery\/invalid: .*server must be an https:\/\/ URL/],
    ['unknown option', app(`{ repoURL: 'https://x.io/r.git', argocd: { prune: false } } as any`), /props\/unknown: PolicyApp prop 'delivery.argocd' has no key 'prune'/],
    ['flux options without Flux metadata', app(`{ repoURL: 'https://x.io/r.git', flux: {} }`, 'gitops: [wp.GitOpsTool.ARGO_CD],'), /delivery\/tool-not-enabled/],
    ['both server and name', app(`{ repoURL: 'https://x.io/r.git', argocd: { destination: { server: 'https://a', name: 'b' } } }`), /exactly one of server or name/],
    ['per-target destinations with an ApplicationSet', app(`{ repoURL: 'https://x.io/r.git', argocd: { generator: wp.ArgoCdGenerator.APPLICATION_SET, targetDestinations: { demo: { name: 'c' } } } }`), /targetDestinations needs/],
    ['destination for an unknown target', app(`{ repoURL: 'https://x.io/r.git', argocd: { targetDestinations: { prod: { name: 'c' } } } }`), /delivery\/unknown-target: .*'prod'/],
    ['Flux names over 63 characters', app(`{ repoURL: 'https://x.io/r.git', name: '${'a'.repeat(50)}' }`), /delivery\/name-too-long/],
  ];
  for (const [what, body, expected] of cases) {
    const errors = errorsOf(body);
    assert.ok(errors.some((e) => expected.test(e)), `${what}: got ${JSON.stringify(errors)}`);
  }
});

test('delivery findings that only the PolicyApp\'s delivery option can fix name the policy line that creates the app', () => {
  const body = (delivery: string) => `
const app = new wp.PolicyApp({
  delivery: ${delivery},
});
new wp.Waypoint(new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop'), 'waypoint');
export default app;`;
  // writePolicy puts one import line first: the PolicyApp is created on line 3.
  for (const [rule, delivery] of [
    ['delivery/name-too-long', `{ repoURL: 'https://x.io/r.git', name: '${'a'.repeat(50)}' }`],
    ['delivery/unknown-target', `{ repoURL: 'https://x.io/r.git', argocd: { targetDestinations: { prod: { name: 'c' } } } }`],
  ]) {
    const found = findingsOf(body(delivery)).filter((f) => f.rule === rule);
    assert.ok(found.length > 0, rule);
    for (const f of found) assert.equal(f.source, 'main.ts:3', `${rule}: ${f.message}`);
  }
});

test('Argo CD: two targets that deploy the same object to one cluster are refused (delivery/shared-destination); distinct clusters, distinct objects or Flux alone are fine', () => {
  const app = (delivery: string, extra = '', prodNamespace = 'shop') => `
const app = new wp.PolicyApp({ ${extra} delivery: ${delivery} });
new wp.Waypoint(new wp.MeshNamespace(new wp.Target(app, 'staging'), 'shop'), 'waypoint');
new wp.Waypoint(new wp.MeshNamespace(new wp.Target(app, 'prod'), '${prodNamespace}'), 'waypoint');
export default app;`;
  const shared = (body: string) => errorsOf(body).filter((e) => e.includes('delivery/shared-destination'));
  const oneCluster = shared(app(`{ repoURL: 'https://x.io/r.git' }`));
  assert.equal(oneCluster.length, 1, 'one finding per pair of targets, not one per object');
  assert.match(oneCluster[0], /targets 'prod' and 'staging' both deploy Namespace shop to the same cluster \(https:\/\/kubernetes\.default\.svc\)/);
  assert.equal(shared(app(`{ repoURL: 'https://x.io/r.git', argocd: { destination: { name: 'mesh' } } }`)).length, 1);
  assert.match(shared(app(`{ repoURL: 'https://x.io/r.git', argocd: { destination: { name: 'mesh' } } }`))[0], /same cluster \(cluster 'mesh'\)/);
  assert.equal(shared(app(`{ repoURL: 'https://x.io/r.git', argocd: { generator: wp.ArgoCdGenerator.APPLICATION_SET } }`)).length, 1);
  assert.deepEqual(shared(app(`{ repoURL: 'https://x.io/r.git', argocd: { targetDestinations: { staging: { name: 'staging' }, prod: { name: 'prod' } } } }`)), []);
  assert.deepEqual(shared(app(`{ repoURL: 'https://x.io/r.git' }`, '', 'orders')), [], 'other objects on one cluster');
  // Argo CD's own cluster is registered as 'in-cluster': by name or by the default server, one cluster.
  const inCluster = shared(app(`{ repoURL: 'https://x.io/r.git', argocd: { targetDestinations: { staging: { name: 'in-cluster' } } } }`));
  assert.equal(inCluster.length, 1);
  assert.match(inCluster[0], /same cluster \(https:\/\/kubernetes\.default\.svc\)/);
  assert.deepEqual(shared(app(`{ repoURL: 'https://x.io/r.git' }`, 'gitops: [wp.GitOpsTool.FLUX],')), [], 'Flux delivery is per target and cluster');
});

test('Flux substitution placeholders need substituteFrom, set on the policies stage only', async () => {
  const body = (flux: string) => `
const app = new wp.PolicyApp({ delivery: { repoURL: 'https://x.io/r.git', flux: ${flux} } });
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop');
const w = new wp.Waypoint(ns, 'waypoint');
new wp.BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: [wp.Credential.fluxSubstitution('SHOP_ADMIN')] }] });
export default app;`;
  const missing = findingsOf(body('{}'));
  assert.ok(missing.some((f) => f.rule === 'delivery/flux-substitution-missing' && f.severity === 'error'));
  assert.ok(missing.some((f) => f.rule === 'delivery/argocd-no-substitution' && f.severity === 'warning'));

  const { dist: out } = await synthProject(body(`{ substituteFrom: [{ name: 'shop-credentials' }] }`));
  const ks = kustomize(path.join(out, 'delivery', 'flux', 'demo'));
  const byStage = Object.fromEntries(ks.filter((o) => o.kind === 'Kustomization').map((o) => [o.metadata.name.split('-').pop(), o]));
  assert.deepEqual(byStage.policies.spec.postBuild, { substituteFrom: [{ kind: 'Secret', name: 'shop-credentials', optional: false }] });
  assert.equal(byStage.waypoints.spec.postBuild, undefined);
  assert.equal(byStage.enrollment.spec.postBuild, undefined);
  for (const o of ks) validate(o);
});

test("with Flux substitution on, a placeholder outside the policies stage (applied verbatim) and any other ${ or $$ in the policies stage (rewritten) are warned about, by path, never by value", () => {
  const cdk8s = path.join(REPO_ROOT, 'node_modules', 'cdk8s').split(path.sep).join('/');
  const body = (extra: string, substituteFrom = "[{ name: 'shop-credentials' }]") => `
import { JsonPatch } from '${cdk8s}';
const app = new wp.PolicyApp({ gitops: [wp.GitOpsTool.FLUX], delivery: { repoURL: 'https://x.io/r.git', flux: { substituteFrom: ${substituteFrom} } } });
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop');
const w = new wp.Waypoint(ns, 'waypoint');
new wp.BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: [wp.Credential.fluxSubstitution('SHOP_ADMIN')] }] });
${extra}
export default app;`;
  const warned = (extra: string, substituteFrom?: string) => {
    const all = findingsOf(body(extra, substituteFrom));
    assert.deepEqual(all.filter((f) => f.severity === 'error' && f.rule !== 'delivery/flux-substitution-missing'), [], 'the program compiles');
    return all.filter((f) => f.rule.startsWith('delivery/flux-substitut') && f.rule !== 'delivery/flux-substitution-missing');
  };
  // The credential placeholder itself is what substitution is for.
  assert.deepEqual(warned(''), []);
  const outside = warned(`w.apiObject.metadata.addAnnotation('team/owner', '\${OWNER}');`);
  assert.deepEqual(outside.map((f) => [f.rule, f.severity]), [['delivery/flux-substitution-outside-policies', 'warning']]);
  assert.match(outside[0].message, /Gateway shop\/waypoint in target 'demo' holds a \$\{VAR\} placeholder, but it is applied by the 1-waypoints Kustomization, which substitutes nothing/);
  const rewritten = warned(`new wp.WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', sha256: 'a'.repeat(64), targets: [w], pluginConfig: { header: 'x-\${TEAM}', token: 'pa$$S3cr3t' } });`);
  assert.deepEqual(rewritten.map((f) => f.rule), ['delivery/flux-substitutes-config']);
  assert.match(rewritten[0].message, /WasmPlugin shop\/stamp in target 'demo' has strings with \$\{ or \$\$ at spec\.pluginConfig\.header, spec\.pluginConfig\.token: the policies Kustomization substitutes every/);
  assert.doesNotMatch(JSON.stringify(rewritten), /S3cr3t/);
  // The documented escape for a literal ${ is what the fix says to write: not reported again.
  assert.deepEqual(warned(`new wp.WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', sha256: 'a'.repeat(64), targets: [w], pluginConfig: { header: 'x-$\${TEAM}', path: '^/api$', odd: '$$\${X}' } });`).map((f) => f.message.replace(/.* at ([^:]+):.*/, '$1')), ['spec.pluginConfig.odd']);
  // Only `$${` is that escape: in `$$$${` each `$$` becomes `$`, and the module gets `$${`.
  assert.deepEqual(warned(`new wp.WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', sha256: 'a'.repeat(64), targets: [w], pluginConfig: { header: 'x-$$$\${TEAM}' } });`).map((f) => f.message.replace(/.* at ([^:]+):.*/, '$1')), ['spec.pluginConfig.header']);
  // Flux's own opt-out, and a delivery that substitutes nothing, are left alone.
  assert.deepEqual(warned(`w.apiObject.metadata.addAnnotation('kustomize.toolkit.fluxcd.io/substitute', 'disabled'); w.apiObject.metadata.addAnnotation('team/owner', '\${OWNER}');`), []);
  // A JSON patch is applied too (the escape hatch), and read the same way.
  assert.deepEqual(warned(`w.apiObject.addJsonPatch(JsonPatch.add('/metadata/annotations', { 'team/owner': '\${OWNER}' }));`).map((f) => f.rule), ['delivery/flux-substitution-outside-policies']);
  assert.deepEqual(warned(`new wp.WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', sha256: 'a'.repeat(64), targets: [w], pluginConfig: { header: 'x-\${TEAM}' } });`, '[]').filter((f) => f.rule !== 'delivery/flux-substitution-missing'), []);
});

test("a credential holding '$' is written as the base64 the module stores, so Flux's substitution ($$ to $, ${X} to X's value) cannot change it", () => {
  process.env.WP_TEST_DOLLAR_CREDENTIAL = 'shop:pa$$w${or}d';
  try {
    const p = project(`
const app = new wp.PolicyApp({ gitops: [wp.GitOpsTool.FLUX] });
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop');
const w = new wp.Waypoint(ns, 'waypoint');
new wp.BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: [wp.Credential.fromEnv('WP_TEST_DOLLAR_CREDENTIAL'), wp.Credential.insecureLiteral('ok:plain')] }], acknowledge: { literalCredentials: 'test fixture' } });
export default app;`);
    const result = compileApp(loadApp(p.app, p.dir), { root: p.dir });
    const file = [...result.files].find(([f]) => f.endsWith('wasmplugin-auth.yaml'))![1];
    assert.doesNotMatch(file, /\$/);
    assert.ok(file.includes(`- ${Buffer.from('shop:pa$$w${or}d').toString('base64')}\n`), file);
    // One without '$' stays as written.
    assert.match(file, /- ok:plain\n/);
  } finally {
    delete process.env.WP_TEST_DOLLAR_CREDENTIAL;
  }
});

test('Flux: the GitRepository keeps only its target folder, re-including each parent level', async () => {
  const { onlyFolder } = await import('../../compiler/delivery/flux');
  const repo = delivery.find((o) => o.kind === 'GitRepository' && o.metadata.name === 'shop-policy-prod')!;
  assert.equal(repo.spec.ignore, '/*\n!/dist/\n/dist/*\n!/dist/prod/\n');
  assert.equal(onlyFolder('deploy/mesh/prod'), '/*\n!/deploy/\n/deploy/*\n!/deploy/mesh/\n/deploy/mesh/*\n!/deploy/mesh/prod/\n');

  // The rules use gitignore semantics: ask real git which files they keep (in a scratch repo).
  const scratch = tempDir('wp-ignore-');
  execFileSync('git', ['init', '-q', scratch]);
  for (const f of ['deploy/mesh/prod/a.yaml', 'deploy/mesh/prod/x/b.yaml', 'deploy/mesh/staging/a.yaml', 'deploy/mesh/delivery/a.yaml', 'deploy/other.yaml', 'src/main.ts', 'README.md']) {
    fs.mkdirSync(path.dirname(path.join(scratch, f)), { recursive: true });
    fs.writeFileSync(path.join(scratch, f), 'x');
  }
  fs.writeFileSync(path.join(scratch, '.git', 'info', 'exclude'), onlyFolder('deploy/mesh/prod'));
  const kept = execFileSync('git', ['-C', scratch, 'ls-files', '--others', '--exclude-standard'], { encoding: 'utf8' }).trim().split('\n').sort();
  assert.deepEqual(kept, ['deploy/mesh/prod/a.yaml', 'deploy/mesh/prod/x/b.yaml']);
});

test('the examples in docs/gitops.md compile, and the delivery example yields the documented tree', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'gitops.md'), 'utf8');
  const examples = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((c) => c.includes("from 'waypoint-policy'"));
  assert.equal(examples.length, 2);
  const lib = path.join(__dirname, '..', '..', 'index').split(path.sep).join('/');
  const trees = examples.map((code) => {
    const dir = tempDir('wp-doc-');
    fs.writeFileSync(path.join(dir, 'main.ts'), code.replace(/from 'waypoint-policy'/g, `from '${lib}'`));
    const compiled = compileApp(loadApp('main.ts', dir), { root: dir });
    assert.deepEqual(compiled.findings.filter((f) => f.severity === 'error'), []);
    return [...compiled.files.keys()];
  });
  assert.deepEqual(trees[0].filter((f) => f.endsWith('wasmplugin-auth.yaml')), ['prod/2-policies/shop/wasmplugin-auth.yaml', 'staging/2-policies/shop-staging/wasmplugin-auth.yaml']);
  assert.deepEqual(trees[1].filter((f) => f.startsWith('delivery/') && f.includes('prod')), [
    'delivery/argocd/application-shop-policy-prod.yaml',
    'delivery/flux/prod/gitrepository-shop-policy-prod.yaml',
    'delivery/flux/prod/kustomization-shop-policy-prod-enrollment.yaml',
    'delivery/flux/prod/kustomization-shop-policy-prod-policies.yaml',
    'delivery/flux/prod/kustomization-shop-policy-prod-waypoints.yaml',
    'delivery/flux/prod/kustomization.yaml',
  ]);
});

test('delivery.path must name the folder synth writes (relative to the repository root), or the tools deploy another folder: a warning that fails --strict', async () => {
  const repo = tempDir('wp-delivery-path-');
  fs.mkdirSync(path.join(repo, '.git'));
  fs.mkdirSync(path.join(repo, 'mesh'));
  const policy = writePolicy(
    path.join(repo, 'mesh'),
    `const app = new wp.PolicyApp({ delivery: { repoURL: 'https://github.com/acme/mesh.git', path: 'mesh/dist' } });
new wp.Waypoint(new wp.MeshNamespace(app, 'shop'), 'waypoint');
export default app;`,
  );
  // The policies live in a subfolder of the checkout: mesh/dist is right, dist is not.
  const ok = captureIo(path.join(repo, 'mesh'));
  assert.equal(await main(['synth', '--app', policy, '--strict'], ok), 0, ok.text());
  const io = captureIo(path.join(repo, 'mesh'));
  assert.equal(await main(['synth', '--app', policy, '--outdir', 'out', '--strict', '--json'], io), 1);
  const [f] = JSON.parse(io.stdout.join('\n'));
  assert.equal(f.rule, 'delivery/path-mismatch');
  assert.equal(f.message, "delivery path 'mesh/dist' is not where synth writes ('mesh/out', relative to the repository root): Argo CD and Flux would deploy what 'mesh/dist' holds in git, not this output");
  // The --outdir to pass from where the command ran (mesh/), not from the repository root.
  assert.equal(f.fix, "Set delivery: { path: 'mesh/out' } in the PolicyApp, or synth into mesh/dist (--outdir dist).");
  assert.equal(f.source, 'main.ts:2', 'the line that sets delivery.path');
  const followed = captureIo(path.join(repo, 'mesh'));
  assert.equal(await main(['validate', '--app', policy, '--outdir', 'dist', '--strict'], followed), 0, `the fix works as written: ${followed.text()}`);
  const validate = captureIo(path.join(repo, 'mesh'));
  assert.equal(await main(['validate', '--app', policy, '--outdir', 'out'], validate), 0);
  assert.match(validate.text(), /warning\[delivery\/path-mismatch\]/);
  // validate reads $CDK8S_OUTDIR as synth does.
  const underCdk8s = captureIo(path.join(repo, 'mesh'), { ...process.env, CDK8S_OUTDIR: 'out' });
  assert.equal(await main(['validate', '--app', policy, '--strict'], underCdk8s), 1);
  assert.match(underCdk8s.text(), /warning\[delivery\/path-mismatch\]/);
  // A folder outside the repository (cdk8s synth --stdout writes to a temp one) is not deployed from: no warning.
  const outside = captureIo(path.join(repo, 'mesh'));
  assert.equal(await main(['synth', '--app', policy, '--outdir', tempDir('wp-outside-'), '--strict'], outside), 0, outside.text());
});
