import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/helpers';
import { diffAgainstMain, policyRepo } from './policy-repo';
import { pluginPairs } from '../../review/plugin-moves';
import type { MeshModel, ModelObject } from '../../compiler/model';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

const diff = diffAgainstMain;

/** Two waypoints; cart's label names `cart`, the namespace's `ns` (owned when asked); BasicAuth `plugin` on `target`; `gitops` when given. */
function moves(o: { plugin: string; target: string; cart?: string; ns?: string; owned?: boolean; gitops?: string; extra?: string }): string {
  const auth = (id: string, target: string, prefix: string) => `new wp.BasicAuth(ns, '${id}', {
  targets: [${target}],
  rules: [{ prefix: '${prefix}', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
  acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
});`;
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp({ gitops: ${o.gitops ?? 'undefined'} });
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop'${o.owned ? ', { owned: true }' : ''});
const a = new wp.Waypoint(ns, 'waypoint');
const b = new wp.Waypoint(ns, 'waypoint-b');
${o.ns ? `ns.useWaypoint(${o.ns});` : ''}
${o.cart ? `wp.MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: ${o.cart} });` : ''}
${auth(o.plugin, o.target, '/admin')}
${o.extra ? auth(o.extra, 'a', '/other') : ''}
export default app;
`;
}

test('a WasmPlugin renamed (same spec, new name) is summarized as renamed, not only as a removal and an addition: no Service goes without it during the sync (Flux applies before it prunes; Argo CD prunes after the last wave)', async () => {
  const repo = await policyRepo(moves({ plugin: 'auth', target: 'a', cart: 'a' }), moves({ plugin: 'auth-v2', target: 'a', cart: 'a' }), 'wp-moves-');
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.effects.pluginMoves, [{ target: 'demo', from: 'WasmPlugin shop/auth', to: 'WasmPlugin shop/auth-v2', renamed: true, leaves: [], joins: [], prunedLast: true }]);
  assert.deepEqual(r.effects.syncGaps, []);
  assert.deepEqual(r.objects.map((o: any) => [o.change, o.object.name]), [['removed', 'auth'], ['added', 'auth-v2']]);
  for (const format of ['text', 'markdown']) {
    const out = await diff(repo, '--format', format, '--fail-on-widened');
    assert.equal(out.code, 0, out.out);
    assert.doesNotMatch(out.out, /ok:test/);
    assert.doesNotMatch(out.out, /hazards/);
  }
  const text = (await diff(repo)).out;
  assert.match(
    text,
    /Renames and moves:\n  WasmPlugin shop\/auth \[demo\] renamed shop\/auth-v2: runs for the same Services and gateways as before; no Service that runs it before and after goes without it during the sync: Flux applies the new one before it prunes the old one, in the same Kustomization, and Argo CD prunes the old one after the last wave \(PruneLast\), so for a moment both run/,
  );
});

test('a WasmPlugin moved to another waypoint (targetRefs) in the same change as the label that sends the traffic there: the Service goes without it between the policies and enrollment stages, under both tools, a hazard that fails --fail-on-widened', async () => {
  const repo = await policyRepo(moves({ plugin: 'auth', target: 'a', cart: 'a' }), moves({ plugin: 'auth', target: 'b', cart: 'b' }), 'wp-moves-');
  const r = JSON.parse((await diff(repo, '--json')).out);
  // Before and after the sync cart runs the plugin: nothing else in the review sees the gap.
  assert.deepEqual(r.effects.access.filter((a: any) => a.widened), []);
  assert.deepEqual(r.effects.pluginMoves, [
    { target: 'demo', from: 'WasmPlugin shop/auth', to: 'WasmPlugin shop/auth', renamed: false, targetRefs: { before: ['Gateway waypoint'], after: ['Gateway waypoint-b'] }, leaves: [], joins: [] },
  ]);
  assert.deepEqual(r.effects.syncGaps, [
    { target: 'demo', service: 'shop/cart', tool: 'Argo CD', during: 'between waves 1 and 2', waypoint: 'shop/waypoint', missing: ['WasmPlugin shop/auth'] },
    { target: 'demo', service: 'shop/cart', tool: 'Flux', during: 'between the 2-policies and 3-enrollment Kustomizations', waypoint: 'shop/waypoint', missing: ['WasmPlugin shop/auth'] },
  ]);
  const text = await diff(repo, '--fail-on-widened');
  assert.equal(text.code, 1, text.out);
  assert.match(
    text.out,
    /!! Service shop\/cart \[demo\] runs WasmPlugin shop\/auth before and after this change, but not during the sync: under Argo CD between waves 1 and 2 \(through waypoint shop\/waypoint\), and under Flux between the 2-policies and 3-enrollment Kustomizations \(through waypoint shop\/waypoint\), its traffic skips it.*Move it in steps: first attach it where the traffic will go as well/,
  );
  assert.match(text.out, /WasmPlugin shop\/auth \[demo\] moved from Gateway waypoint to Gateway waypoint-b: runs for the same Services and gateways as before; some Services go without it during the sync \(see the hazards\)/);
});

test('renamed and moved with the label: Flux prunes the old copy in the policies stage, before the label moves (a gap); Argo CD prunes it after the last wave (PruneLast), so under Argo CD alone there is none', async () => {
  const both = await policyRepo(moves({ plugin: 'auth', target: 'a', cart: 'a' }), moves({ plugin: 'auth-v2', target: 'b', cart: 'b' }), 'wp-moves-');
  const r = JSON.parse((await diff(both, '--json')).out);
  assert.deepEqual(r.effects.pluginMoves.map((m: any) => [m.from, m.to, m.renamed, m.targetRefs]), [['WasmPlugin shop/auth', 'WasmPlugin shop/auth-v2', true, { before: ['Gateway waypoint'], after: ['Gateway waypoint-b'] }]]);
  assert.deepEqual(r.effects.syncGaps.map((g: any) => [g.service, g.tool, g.missing]), [['shop/cart', 'Flux', ['WasmPlugin shop/auth']]]);
  assert.equal((await diff(both, '--fail-on-widened')).code, 1);

  const argo = await policyRepo(moves({ plugin: 'auth', target: 'a', cart: 'a', gitops: "['argocd']" }), moves({ plugin: 'auth-v2', target: 'b', cart: 'b', gitops: "['argocd']" }), 'wp-moves-');
  const text = await diff(argo, '--fail-on-widened');
  assert.equal(text.code, 0, text.out);
  assert.match(text.out, /WasmPlugin shop\/auth \[demo\] renamed shop\/auth-v2, and moved from Gateway waypoint to Gateway waypoint-b: .*no Service that runs it before and after goes without it during the sync: Argo CD prunes the old one after the last wave \(PruneLast\), so for a moment both run$/m);
});

test("an owned Namespace's label moved with the plugin it reaches: the label lands with the waypoints, before the plugin moves, so the namespace's Services go without it between the first two stages", async () => {
  const repo = await policyRepo(moves({ plugin: 'auth', target: 'a', ns: 'a', owned: true }), moves({ plugin: 'auth', target: 'b', ns: 'b', owned: true }), 'wp-moves-');
  const r = JSON.parse((await diff(repo, '--json')).out);
  // Not an early adoption (the waypoint is not new, nor is the plugin): only this check sees it.
  assert.deepEqual(r.effects.adoptedEarly, []);
  assert.deepEqual(r.effects.syncGaps.map((g: any) => [g.service, g.tool, g.during, g.waypoint]), [
    ['shop/*', 'Argo CD', 'between waves 0 and 1', 'shop/waypoint-b'],
    ['shop/*', 'Flux', 'between the 1-waypoints and 2-policies Kustomizations', 'shop/waypoint-b'],
  ]);
  assert.match((await diff(repo)).out, /!! Services of shop without their own label \[demo\] run WasmPlugin shop\/auth before and after this change, but not during the sync: .*their traffic skips it/);
});

test('a plugin moved away from a Service says so (after the sync, not only during it); a renamed plugin that ties with another on phase and priority is said to run after it (istiod runs the older first)', async () => {
  const moved = await policyRepo(moves({ plugin: 'auth', target: 'a', ns: 'a', cart: 'b' }), moves({ plugin: 'auth', target: 'b', ns: 'a', cart: 'b' }), 'wp-moves-');
  const m = JSON.parse((await diff(moved, '--json')).out).effects.pluginMoves[0];
  assert.deepEqual([m.leaves, m.joins], [['Services of shop without their own label'], ['Service shop/cart']]);
  assert.match((await diff(moved)).out, /WasmPlugin shop\/auth \[demo\] moved from Gateway waypoint to Gateway waypoint-b: now runs for Service shop\/cart; no longer runs for Services of shop without their own label \(after the sync, not only during it\)/);

  const tied = await policyRepo(moves({ plugin: 'auth', target: 'a', ns: 'a', extra: 'other' }), moves({ plugin: 'aaa-auth', target: 'a', ns: 'a', extra: 'other' }), 'wp-moves-');
  const t = JSON.parse((await diff(tied, '--json')).out).effects.pluginMoves[0];
  assert.deepEqual([t.from, t.to, t.runsAfter], ['WasmPlugin shop/auth', 'WasmPlugin shop/aaa-auth', ['WasmPlugin shop/other']]);
  assert.match((await diff(tied)).out, /as a new object it runs after WasmPlugin shop\/other, which share its phase and priority \(istiod runs the older one first, whatever the names say\)/);
});

test('a plugin renamed in the same change that lowers its priority below another plugin on its chain is said to run after it now, as its chain order would show for an edit in place', async () => {
  const priority = (program: string, id: string, n: number) => program.replace(`new wp.BasicAuth(ns, '${id}', {`, `new wp.BasicAuth(ns, '${id}', { priority: ${n},`);
  const base = priority(priority(moves({ plugin: 'auth', target: 'a', ns: 'a', extra: 'other' }), 'auth', 10), 'other', 5);
  const head = priority(priority(moves({ plugin: 'auth-v2', target: 'a', ns: 'a', extra: 'other' }), 'auth-v2', 1), 'other', 5);
  const repo = await policyRepo(base, head, 'wp-moves-');
  const m = JSON.parse((await diff(repo, '--json')).out).effects.pluginMoves;
  assert.deepEqual(
    m.map((x: any) => [x.from, x.to, x.renamed, x.changed, x.nowRunsAfter]),
    [['WasmPlugin shop/auth', 'WasmPlugin shop/auth-v2', true, ['priority'], ['WasmPlugin shop/other']]],
  );
  assert.match((await diff(repo)).out, /WasmPlugin shop\/auth \[demo\] renamed shop\/auth-v2, and changed \(priority\): .*now runs after WasmPlugin shop\/other, which it ran before \(its phase or priority changed\): what that plugin does to a request now comes before it/);
});

test('a plugin renamed while it loses a target and turns FAIL_OPEN (its spec differs in more than targetRefs) is still paired with its old self, the only one of its module removed and added: it says whom it no longer runs for, and that it now fails open', async () => {
  const head = moves({ plugin: 'auth-v2', target: 'a', ns: 'a', cart: 'b' }).replace("new wp.BasicAuth(ns, 'auth-v2', {", "new wp.BasicAuth(ns, 'auth-v2', { failStrategy: wp.FailStrategy.FAIL_OPEN,").replace("unpinnedModule: 'test' }", "unpinnedModule: 'test', failOpen: 'test' }");
  const repo = await policyRepo(moves({ plugin: 'auth', target: 'a, b', ns: 'a', cart: 'b' }), head, 'wp-moves-');
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(
    r.effects.pluginMoves.map((m: any) => [m.from, m.to, m.changed, m.targetRefs, m.leaves]),
    [['WasmPlugin shop/auth', 'WasmPlugin shop/auth-v2', ['failStrategy'], { before: ['Gateway waypoint', 'Gateway waypoint-b'], after: ['Gateway waypoint'] }, ['Service shop/cart']]],
  );
  assert.deepEqual(r.effects.failsOpen.map((f: any) => [f.plugin, f.renamedFrom]), [['WasmPlugin shop/auth-v2', 'WasmPlugin shop/auth']]);
  assert.ok(r.effects.access.some((a: any) => a.widened && a.to === 'shop/cart'), JSON.stringify(r.effects.access));
  assert.equal((await diff(repo, '--fail-on-widened')).code, 1);
});

/** Namespaces shop and billing, each with its own `waypoint`; BasicAuth plugins in one of them, or in the root namespace's MeshBaseline (`root`), FAIL_OPEN when asked. */
function across(plugins: { id: string; ns: 'shop' | 'billing' | 'root'; open?: boolean }[]): string {
  const props = (o: { open?: boolean }) =>
    `${o.open ? 'failStrategy: wp.FailStrategy.FAIL_OPEN, ' : ''}rules: [{ prefix: '/admin', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }], acknowledge: { literalCredentials: 'test', unpinnedModule: 'test'${o.open ? ", failOpen: 'test'" : ''} }`;
  const inNs = (n: string) =>
    plugins
      .filter((p) => p.ns === n)
      .map((p) => `  new wp.BasicAuth(ns, '${p.id}', { targets: [w], ${props(p)} });`)
      .join('\n');
  const root = plugins.filter((p) => p.ns === 'root').map((p) => `(scope, targets) => new wp.BasicAuth(scope, '${p.id}', { targets, ${props(p)} })`);
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp({});
const target = new wp.Target(app, 'demo');
${['shop', 'billing'].map((n) => `{\n  const ns = new wp.MeshNamespace(target, '${n}');\n  const w = new wp.Waypoint(ns, 'waypoint');\n  ns.useWaypoint(w);\n${inNs(n)}\n}`).join('\n')}
${root.length ? `new wp.MeshBaseline(target, 'baseline', { plugins: [${root.join(', ')}] });` : ''}
export default app;
`;
}

test('a plugin moved to another namespace (into the root namespace, or to a namespace whose waypoint has the same name) in the change that turns it FAIL_OPEN is paired with its old self when it is the only one of its module removed and added: the weakening is flagged and fails --fail-on-widened', async () => {
  for (const [to, id] of [['root', 'istio-system/auth'], ['billing', 'billing/auth']] as const) {
    const repo = await policyRepo(across([{ id: 'auth', ns: 'shop' }]), across([{ id: 'auth', ns: to, open: true }]), 'wp-moves-');
    const r = JSON.parse((await diff(repo, '--json')).out);
    assert.deepEqual(r.effects.pluginMoves.map((m: any) => [m.from, m.to, m.renamed, m.changed]), [['WasmPlugin shop/auth', `WasmPlugin ${id}`, true, ['failStrategy']]], to);
    assert.deepEqual(r.effects.failsOpen.map((f: any) => [f.plugin, f.renamedFrom, f.before]), [[`WasmPlugin ${id}`, 'WasmPlugin shop/auth', 'FAIL_CLOSE']], to);
    const text = await diff(repo, '--fail-on-widened');
    assert.equal(text.code, 1, text.out);
    assert.match(text.out, new RegExp(`WasmPlugin ${id}.*renamed from shop/auth`), text.out);
  }
});

test('a plugin moved to another namespace is not paired when that is ambiguous (two of its module removed, one added elsewhere): turned FAIL_OPEN there, it is listed as replacing either', async () => {
  const repo = await policyRepo(across([{ id: 'auth', ns: 'shop' }, { id: 'auth-b', ns: 'shop' }]), across([{ id: 'auth', ns: 'billing', open: true }]), 'wp-moves-');
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.effects.pluginMoves, []);
  assert.deepEqual(r.effects.failsOpen, [{ target: 'demo', plugin: 'WasmPlugin billing/auth', replaces: ['WasmPlugin shop/auth', 'WasmPlugin shop/auth-b'], before: 'FAIL_CLOSE' }]);
});

test('a plugin moved to another namespace pairs with the one added there that attaches to the same proxies, even among several of its module: the mesh-wide plugins of a root namespace that is renamed', () => {
  const plugin = (ns: string, name: string, targetRefs: object[]): ModelObject => ({
    target: 'demo',
    ownership: 'owned',
    manifest: { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name, namespace: ns }, spec: { url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', targetRefs } },
  });
  const all = [{ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: 'istio-waypoint' }];
  const gw = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }];
  const model = (rootNamespace: string, objects: ModelObject[]): MeshModel => ({ objects, references: [], rootNamespace, origin: 'app' });
  const base = model('istio-system', [plugin('istio-system', 'auth', all), plugin('shop', 'auth', gw)]);
  const head = model('mesh-root', [plugin('mesh-root', 'auth', all), plugin('billing', 'auth', gw)]);
  // Gateway waypoint of shop is not billing's: only the mesh-wide one pairs.
  assert.deepEqual(
    pluginPairs(base, head, 'demo').map((p) => [p.from.manifest.metadata.namespace, p.to.manifest.metadata.namespace]),
    [['istio-system', 'mesh-root']],
  );
});
