import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT } from '../support/helpers';
import { policyRepo } from './policy-repo';
import { diffObjects, parseTree } from '../../review/object-diff';

/** WasmPlugin shop/auth of the basic_auth module, with these rules (and targetRefs, when given), as a manifest file. */
function basicAuthPlugin(rules: unknown[], refs?: unknown[]): string {
  return `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata:
  name: auth
  namespace: shop
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
${refs ? `  targetRefs: ${JSON.stringify(refs)}\n` : ''}  pluginConfig:
    basic_auth_rules: ${JSON.stringify(rules)}
`;
}

const ns = (annotations: string, labels = '') => `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio.io/dataplane-mode: ambient${labels}
  annotations:
${annotations}
`;

test("a removed manifest leaves its mesh labels behind when GitOps never prunes it: another team's object, and a Namespace we created (Prune=false, Flux prune: disabled); a pruned object does not", () => {
  const external = ns('    argocd.argoproj.io/sync-options: Delete=false,Prune=false,ServerSideApply=true\n    kustomize.toolkit.fluxcd.io/ssa: Merge');
  const ownedArgo = ns('    argocd.argoproj.io/sync-options: Delete=false,Prune=false', '\n    app.kubernetes.io/managed-by: waypoint-policy');
  const ownedFlux = ns('    kustomize.toolkit.fluxcd.io/prune: disabled', '\n    app.kubernetes.io/managed-by: waypoint-policy');
  const pruned = ns('    argocd.argoproj.io/sync-options: Delete=false,PruneLast=true', '\n    app.kubernetes.io/managed-by: waypoint-policy');
  const empty = parseTree(new Map());
  const removed = (file: string, text: string) => diffObjects(parseTree(new Map([[file, text]])), empty)[0];
  assert.equal(removed('t/3-enrollment/shop/namespace-shop.yaml', external).labelOnly, true);
  assert.equal(removed('t/1-waypoints/shop/namespace-shop.yaml', ownedArgo).labelOnly, true);
  assert.equal(removed('t/1-waypoints/shop/namespace-shop.yaml', ownedFlux).labelOnly, true);
  assert.equal(removed('t/1-waypoints/shop/namespace-shop.yaml', pruned).labelOnly, undefined);
});

test('an owned Service that becomes label-only is a hazard that fails --fail-on-widened (its server-side apply would drop spec.ports); one that stays either way is not', async () => {
  const { formatReview, gateFailures, review } = await import('../../review');
  const owned = `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
  labels:
    app.kubernetes.io/managed-by: waypoint-policy
    istio.io/use-waypoint: waypoint
spec:
  ports:
    - port: 80
`;
  const labelOnly = `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
  labels:
    istio.io/use-waypoint: waypoint
  annotations:
    argocd.argoproj.io/sync-options: Delete=false,Prune=false,ServerSideApply=true
`;
  const file = 't/3-enrollment/shop/service-cart.yaml';
  const [handed] = diffObjects(parseTree(new Map([[file, owned]])), parseTree(new Map([[file, labelOnly]])));
  assert.equal(handed.becameLabelOnly, true);
  const [back] = diffObjects(parseTree(new Map([[file, labelOnly]])), parseTree(new Map([[file, owned]])));
  assert.equal(back.becameLabelOnly, undefined);
  const handedOver = review(new Map([[file, owned]]), new Map([[file, labelOnly]]), { base: 'main', head: 'working tree' });
  assert.match(formatReview(handedOver, 'text'), /Removal and rollout hazards:\n  !! changed Service shop\/cart \[t\]: this app owned the whole Service and now only labels it/);
  // The sync would fail from then on: the CI gate stops it.
  assert.deepEqual(gateFailures(handedOver), ['1 owned Service(s) turned label-only before the owning team applies them']);
  assert.deepEqual(gateFailures(review(new Map([[file, owned]]), new Map([[file, owned]]), { base: 'main', head: 'working tree' })), []);
});

test('list items are matched by identity, not position: a removed method, credential or rule reads as removed, and an added rule prints whole', async () => {
  const { formatReview, review } = await import('../../review');
  const plugin = (rules: object[]) => basicAuthPlugin(rules);
  const long = '/productpage/with/a/rather/long/path/that/pushes/the/methods/past/eighty/characters';
  const productpage = { prefix: '/productpage', request_methods: ['GET', 'POST'], credentials: ['dXNlcjpvbmU=', 'YWRtaW46dHdv'] };
  const api = { prefix: '/api/v1/products', request_methods: ['POST', 'DELETE'], credentials: ['YWRtaW46dHdv'] };
  const file = 't/2-policies/shop/wasmplugin-auth.yaml';
  const fields = (before: object[], after: object[]) => diffObjects(parseTree(new Map([[file, plugin(before)]])), parseTree(new Map([[file, plugin(after)]])))[0].fields;
  const rules = 'spec.pluginConfig.basic_auth_rules';
  // GET and the first credential dropped: two removals, not a rotation and a method change.
  const dropped = fields([productpage], [{ ...productpage, request_methods: ['POST'], credentials: ['YWRtaW46dHdv'] }]);
  assert.deepEqual(
    dropped.map((f) => [f.path, f.before === undefined, f.after === undefined]),
    [
      [`${rules}[0].credentials[0]`, false, true],
      [`${rules}[0].request_methods[0]`, false, true],
    ],
  );
  assert.equal(dropped[1].before, 'GET');
  // The first of two rules removed: that rule, not the second one's fields.
  const removed = fields([productpage, api], [api]);
  assert.deepEqual(removed.map((f) => f.path), [`${rules}[0]`]);
  assert.equal((removed[0].before as { prefix: string }).prefix, '/productpage');
  assert.equal(removed[0].after, undefined);
  // A rule whose kind of match changes stays one rule.
  assert.deepEqual(fields([productpage], [{ ...productpage, prefix: undefined, exact: '/productpage' }]).map((f) => f.path), [`${rules}[0].exact`, `${rules}[0].prefix`]);
  // An added rule shows its methods in text, however long its path.
  const text = formatReview(review(new Map([[file, plugin([api])]]), new Map([[file, plugin([api, { ...api, prefix: long }])]]), { base: 'main', head: 'working tree' }), 'text');
  assert.match(text, /basic_auth_rules\[1\]: \(absent\) -> .*"request_methods":\["POST","DELETE"\]/);
  assert.doesNotMatch(text, /dXNlcjpvbmU=|YWRtaW46dHdv/);
});

test('the markdown heading shows a base ref as written: no backslash escapes inside its code span, which CommonMark would print literally', async () => {
  const { formatReview, review } = await import('../../review');
  const out = formatReview(review(new Map(), new Map(), { base: 'origin/base_branch*<x>', head: 'working tree' }), 'markdown');
  assert.match(out, /^<!-- waypoint-policy:review -->\n### waypoint-policy: policy changes `origin\/base_branch\*<x>` → `working tree`\n/);
  const tick = formatReview(review(new Map(), new Map(), { base: 'a`b', head: 'working tree' }), 'markdown');
  assert.match(tick, /^<!-- waypoint-policy:review -->\n### waypoint-policy: policy changes ``a`b`` → `working tree`\n/);
});

test('a removed Namespace that only enrolled its namespace is said to keep its mesh labels, not waypoint labels it never had', async () => {
  const { formatReview, review } = await import('../../review');
  const file = 't/1-waypoints/shop/namespace-shop.yaml';
  const text = formatReview(review(new Map([[file, ns('    argocd.argoproj.io/sync-options: Delete=false,Prune=false', '\n    app.kubernetes.io/managed-by: waypoint-policy')]]), new Map(), { base: 'main', head: 'working tree' }), 'text');
  assert.match(text, /removed Namespace shop \[t\]: its manifest is removed but GitOps never prunes it, so the live object keeps its mesh labels/);
  assert.doesNotMatch(text, /waypoint labels/);
});

test('a removed label-only Service is said to keep its Service labels, not the dataplane mode only Namespaces carry', async () => {
  const { formatReview, review } = await import('../../review');
  const file = 't/3-enrollment/shop/service-reviews.yaml';
  const service = `apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
  labels:
    istio.io/use-waypoint: none
  annotations:
    argocd.argoproj.io/sync-options: Delete=false,Prune=false,ServerSideApply=true
`;
  const text = formatReview(review(new Map([[file, service]]), new Map(), { base: 'main', head: 'working tree' }), 'text');
  assert.match(text, /removed Service shop\/reviews \[t\]: its manifest is removed but GitOps never prunes it, so the live object keeps its mesh labels \(istio\.io\/use-waypoint, /);
  assert.doesNotMatch(text, /dataplane-mode/);
});

test('a null targetRefs or basic_auth_rules item (a hand-edited manifest the API server refuses) is skipped, as the simulator skips it, instead of crashing the review', async () => {
  const { formatReview, review } = await import('../../review');
  const plugin = (refs: unknown[], rules: unknown[]) => basicAuthPlugin(rules, refs);
  const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: orders\n  namespace: shop\nspec:\n  ports: [{ port: 80, name: http }]\n';
  const orders = { kind: 'Service', name: 'orders' };
  const rule = { prefix: '/', request_methods: ['GET'], credentials: ['dXNlcjpvbmU='] };
  const tree = (refs: unknown[], rules: unknown[]) =>
    new Map([
      ['t/2-policies/shop/wasmplugin-auth.yaml', plugin(refs, rules)],
      ['t/3-enrollment/shop/service-orders.yaml', service],
    ]);
  for (const base of [tree([null, orders], [rule]), tree([orders], [null, rule])]) {
    const r = review(base, tree([orders], [rule]), { base: 'main', head: 'working tree' });
    // The null item's removal is the only change: the same rule guards the same Service on both sides.
    assert.deepEqual(r.objects.flatMap((o) => o.fields.map((f) => [f.path, f.before, f.after])).length, 1);
    assert.deepEqual(r.effects.access, []);
    assert.doesNotMatch(formatReview(r, 'text'), /dXNlcjpvbmU=/);
  }
});

test('a hand-edited manifest whose sync-options annotation is a number or a list is read, not crashed on, by the review', async () => {
  const { review } = await import('../../review');
  const ns = (syncOptions: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio.io/use-waypoint: waypoint\n  annotations:\n    argocd.argoproj.io/sync-options: ${syncOptions}\n`;
  for (const odd of ['42', '[Prune=false]']) {
    const r = review(new Map([['t/3-enrollment/shop/namespace-shop.yaml', ns(odd)]]), new Map(), { base: 'main', head: 'working tree' });
    assert.deepEqual(r.objects.map((o) => o.change), ['removed'], odd);
  }
});

/** A policy with a label-only Namespace and Service, and an owned waypoint, delivered by `gitops`; `reviews` owned when asked. */
function toolPolicy(gitops: string, reviews: 'label-only' | 'owned' = 'label-only'): string {
  const lib = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
  return `import * as wp from '${lib}';
const app = new wp.PolicyApp({ partOf: 'shop-policy', gitops: ${gitops} });
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
${reviews === 'owned' ? "new wp.MeshService(ns, 'reviews', { ports: [{ port: 9080 }], useWaypoint: waypoint });" : "wp.MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: waypoint });"}
export default app;
`;
}

/** The review as JSON and text, and what `--fail-on-widened` does with it (exit code, stderr). */
async function reviewOf(base: string, head: string): Promise<{ json: any; text: string; gate: { code: number; stderr: string } }> {
  const repo = await policyRepo(base, head, 'wp-protections-');
  const run = async (...args: string[]) => {
    const io = captureIo(repo);
    assert.equal(await main(['diff', '--base', 'main', ...args], io), 0, io.text());
    return io.stdout.join('\n');
  };
  const io = captureIo(repo);
  const code = await main(['diff', '--base', 'main', '--fail-on-widened'], io);
  return { json: JSON.parse(await run('--json')), text: await run(), gate: { code, stderr: io.stderr.join('\n') } };
}

test("another team's label-only Service turned into an owned MeshService is a hazard: the tool applies our spec over theirs, and it loses the protections that kept it from being pruned", async () => {
  const { json, text, gate } = await reviewOf(toolPolicy('undefined'), toolPolicy('undefined', 'owned'));
  const reviews = json.objects.find((o: any) => o.object.kind === 'Service');
  assert.equal(reviews.becameOwned, true);
  assert.deepEqual(reviews.droppedProtections, ['argocd.argoproj.io/sync-options: Prune=false', 'kustomize.toolkit.fluxcd.io/prune: disabled', 'kustomize.toolkit.fluxcd.io/ssa: Merge']);
  assert.match(text, /Removal and rollout hazards:\n  !! changed Service shop\/reviews \[demo\]: this app only labelled another team's Service and now emits the whole Service as its own: .*deletes the Service/);
  // One line for it, not a second one about the protections.
  assert.doesNotMatch(text, /Service shop\/reviews \[demo\] lose/);
  // Never lose what the app team owns: the CI gate fails, and says why.
  assert.equal(gate.code, 1);
  assert.match(gate.stderr, /--fail-on-widened fails: 1 label-only Service\(s\) of another team now emitted as this app's own\./);
  assert.doesNotMatch(gate.stderr, /protection/);
});

test('switching the GitOps tool (gitops) drops the old tool\'s prune and delete protections from every live object it still applies: a hazard that fails --fail-on-widened, one line per set of protections', async () => {
  const toFlux = await reviewOf(toolPolicy("['argocd']"), toolPolicy("['flux']"));
  assert.deepEqual(
    toFlux.json.objects.map((o: any) => [o.object.kind, o.droppedProtections]),
    [
      ['Gateway', ['argocd.argoproj.io/sync-options: Delete=false']],
      ['Namespace', ['argocd.argoproj.io/sync-options: Delete=false', 'argocd.argoproj.io/sync-options: Prune=false']],
      ['Service', ['argocd.argoproj.io/sync-options: Delete=false', 'argocd.argoproj.io/sync-options: Prune=false']],
    ],
  );
  assert.match(toFlux.text, /!! Namespace shop, Service shop\/reviews \[demo\] lose argocd\.argoproj\.io\/sync-options: Delete=false, argocd\.argoproj\.io\/sync-options: Prune=false: .*prunes each once its manifest leaves git, and deletes each with its Application/);
  assert.match(toFlux.text, /!! Gateway shop\/waypoint \[demo\] lose argocd\.argoproj\.io\/sync-options: Delete=false: .*deletes each with its Application \(argocd app delete cascades by default\)\. If this switches GitOps tools/);
  const toArgo = await reviewOf(toolPolicy("['flux']"), toolPolicy("['argocd']"));
  // Deleting the old tool's objects leaves its field manager co-owning the labels: a later release leaves them live.
  assert.match(toFlux.text, /The old tool's field manager \(argocd-controller, kustomize-controller\) stays a co-owner of the labels it applied, so a label the new tool releases later stays on the live object: after such a release, remove the label by hand/);
  assert.equal(toFlux.gate.code, 1);
  assert.match(toFlux.gate.stderr, /--fail-on-widened fails: 3 object\(s\) losing a prune, delete or apply protection\./);
  assert.match(toArgo.text, /!! Namespace shop, Service shop\/reviews \[demo\] lose kustomize\.toolkit\.fluxcd\.io\/prune: disabled, kustomize\.toolkit\.fluxcd\.io\/ssa: Merge: .*Without ssa: Merge, Flux applies each with its default Override/);
  // Adding a tool drops nothing.
  const both = await reviewOf(toolPolicy("['flux']"), toolPolicy('undefined'));
  assert.ok(both.json.objects.length > 0);
  assert.ok(both.json.objects.every((o: any) => o.droppedProtections === undefined));
  assert.doesNotMatch(both.text, /Removal and rollout hazards/);
  assert.equal(both.gate.code, 0, both.gate.stderr);
  assert.doesNotMatch(both.gate.stderr, /fail-on-widened fails/);
});

test("Flux Kustomizations the delivery folder holds are objects the diff compares; kustomize's own kustomization.yaml files are not", () => {
  const flux = (path: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: mesh-policy-prod-1-waypoints
  namespace: flux-system
spec:
  path: ${path}
  prune: true
`;
  const kustomize = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gateway-waypoint.yaml\n';
  const tree = (path: string) => parseTree(new Map([
    ['delivery/flux/kustomization-mesh-policy-prod-1-waypoints.yaml', flux(path)],
    ['prod/1-waypoints/kustomization.yaml', kustomize],
  ]));
  assert.deepEqual([...tree('./prod/1-waypoints').objects.values()].map((o) => `${o.id.kind} ${o.id.namespace}/${o.id.name}`), ['Kustomization flux-system/mesh-policy-prod-1-waypoints']);
  const changes = diffObjects(tree('./prod/1-waypoints'), tree('./deploy/prod/1-waypoints'));
  assert.deepEqual(changes.map((c) => [c.change, c.object.name, c.fields?.map((f) => f.path)]), [['changed', 'mesh-policy-prod-1-waypoints', ['spec.path']]]);
});

test('a list item that only changed place reads as moved, not as removed and added again: a reordered rule, method or credential (as a fingerprint)', async () => {
  const { formatReview, review } = await import('../../review');
  const file = 't/2-policies/shop/wasmplugin-auth.yaml';
  const admin = { prefix: '/admin', request_methods: ['GET'], credentials: ['dXNlcjpvbmU=', 'YWRtaW46dHdv'] };
  const ops = { prefix: '/ops', request_methods: ['GET', 'POST'], credentials: ['dXNlcjpvbmU='] };
  const [before, after] = [basicAuthPlugin([admin, ops]), basicAuthPlugin([{ ...ops, request_methods: ['POST', 'GET'] }, { ...admin, credentials: ['YWRtaW46dHdv', 'dXNlcjpvbmU='] }])];
  const rules = 'spec.pluginConfig.basic_auth_rules';
  const fields = diffObjects(parseTree(new Map([[file, before]])), parseTree(new Map([[file, after]])))[0].fields;
  assert.deepEqual(
    fields.map((f) => [f.path, f.movedFrom]),
    [
      [`${rules}[0].request_methods[1]`, 0],
      [`${rules}[1]`, 0],
      [`${rules}[1].credentials[1]`, 0],
    ],
  );
  assert.equal(fields[0].after, 'GET');
  assert.equal(fields[1].before, undefined);
  const r = review(new Map([[file, before]]), new Map([[file, after]]), { base: 'main', head: 'working tree' });
  const text = formatReview(r, 'text');
  assert.match(text, /basic_auth_rules\[1\]: moved from \[0\]\n/);
  assert.match(text, /basic_auth_rules\[0\]\.request_methods\[1\]: GET moved from \[0\]/);
  assert.match(text, /basic_auth_rules\[1\]\.credentials\[1\]: sha256:[0-9a-f]{8} moved from \[0\]/);
  assert.doesNotMatch(text, /\(absent\)/);
  assert.match(formatReview(r, 'markdown'), /- `spec\.pluginConfig\.basic_auth_rules\[1\]`: moved from \[0\]/);
  for (const format of ['text', 'markdown', 'json'] as const) assert.doesNotMatch(formatReview(r, format), /dXNlcjpvbmU=|YWRtaW46dHdv/);
  assert.deepEqual(r.effects.access, []);
});

test('an empty string prints quoted, so a plugin moved from a Gateway to a Service does not read as a line cut short', async () => {
  const { formatReview, review } = await import('../../review');
  const file = 't/2-policies/shop/wasmplugin-auth.yaml';
  const rules = [{ prefix: '/admin', request_methods: ['GET'], credentials: ['dXNlcjpvbmU='] }];
  const before = basicAuthPlugin(rules, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }]);
  const after = basicAuthPlugin(rules, [{ group: '', kind: 'Service', name: 'cart' }]);
  const r = review(new Map([[file, before]]), new Map([[file, after]]), { base: 'main', head: 'working tree' });
  assert.match(formatReview(r, 'text'), /spec\.targetRefs\[0\]\.group: gateway\.networking\.k8s\.io -> ""\n/);
  assert.match(formatReview(r, 'markdown'), /`spec\.targetRefs\[0\]\.group`: gateway\.networking\.k8s\.io → ""\n/);
  assert.equal(r.objects[0].fields.find((f) => f.path === 'spec.targetRefs[0].group')?.after, '');
});
