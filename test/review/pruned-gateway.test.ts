import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { prunedUnusedLine } from '../../review/hazard-lines';
import { REPO_ROOT } from '../support/helpers';
import { diffAgainstMain, policyRepo } from './policy-repo';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

/** Policy text: a BasicAuth plugin `id` on the construct `target` (a variable name), guarding GET on `prefix`. */
function basicAuth(id: string, target: string, prefix: string): string {
  return `new wp.BasicAuth(ns, '${id}', {
  targets: [${target}],
  rules: [{ prefix: '${prefix}', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
  acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
});`;
}

/**
 * `owned`: this app owns the waypoint. `reference`: the same waypoint, now
 * referenced with Waypoint.fromWaypointName (the hand-over that prunes it).
 * `released`: the reference and nothing using it.
 */
function policy(waypoint: 'owned' | 'reference' | 'released'): string {
  const wp =
    waypoint === 'owned'
      ? "new wp.Waypoint(ns, 'waypoint')"
      : "wp.Waypoint.fromWaypointName(ns, 'waypoint', { name: 'waypoint', namespace: 'default' })";
  const use =
    waypoint === 'released'
      ? ''
      : `ns.useWaypoint(waypoint);
${basicAuth('auth', 'waypoint', '/productpage')}`;
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'default');
const waypoint = ${wp};
${use}
export default app;
`;
}

function repoWith(base: string, head: string): Promise<string> {
  return policyRepo(base, head, 'wp-pruned-');
}

function repoAt(base: 'owned', head: 'reference' | 'released' | 'owned'): Promise<string> {
  return repoWith(policy(base), policy(head));
}

const diff = diffAgainstMain;

test('an owned waypoint turned into fromWaypointName is a removal hazard: GitOps prunes the Gateway that labels and plugins still use', async () => {
  const repo = await repoAt('owned', 'reference');
  const json = await diff(repo, '--json');
  assert.equal(json.code, 0, json.io.text());
  const r = JSON.parse(json.out);
  assert.deepEqual(r.effects.prunedInUse, [
    { target: 'demo', gateway: 'default/waypoint', usedBy: ['Namespace default (istio.io/use-waypoint)', 'WasmPlugin default/auth (targetRefs)'] },
  ]);
  // Named as a hazard already: not asked about again.
  assert.deepEqual(r.effects.prunedUnusedWaypoints, []);
  // The Services of the namespace lose their waypoint, so the auth it ran is gone.
  const ns = r.effects.bindings.find((b: any) => b.service === 'default/*');
  assert.equal(ns.lostWaypoint, true);
  assert.match(ns.after.reason, /no longer emitted: GitOps prunes it/);
  const open = r.effects.access.find((a: any) => a.path === '/productpage' && a.credential === 'none');
  assert.deepEqual([open.before, open.after, open.widened], [401, 200, true]);

  const text = (await diff(repo)).out;
  assert.match(text, /Removal and rollout hazards:\n  !! removed Gateway default\/waypoint \[demo\] is still used by Namespace default \(istio\.io\/use-waypoint\), WasmPlugin default\/auth \(targetRefs\): GitOps prunes it/);
  // A handover: this revision's own objects still use it, and nothing of another team's is left behind.
  assert.match(text, /Keep the Waypoint in this app until its new owner has adopted the live Gateway/);
  assert.doesNotMatch(text, /ReleasedLabels/);
  assert.match(text, /1 Gateway\(s\) pruned while in use/);
  assert.equal((await diff(repo, '--fail-on-widened')).code, 1);
});

test('under Argo CD, releasing everything that used a waypoint and removing it in one commit is no hazard (the release is applied before PruneLast prunes)', async () => {
  // Where Flux may apply, the same commit is a hazard: see the changedAfterPrune test below.
  const argoOnly = (text: string) => text.replace('new wp.PolicyApp()', 'new wp.PolicyApp({ gitops: [wp.GitOpsTool.ARGO_CD] })');
  const repo = await repoWith(argoOnly(policy('owned')), argoOnly(policy('released')));
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.effects.prunedInUse, []);
  assert.ok(r.objects.some((o: any) => o.change === 'removed' && o.object.kind === 'Gateway'));
  assert.doesNotMatch((await diff(repo)).out, /Removal and rollout hazards/);
});

test('a waypoint pruned with nothing in git using it asks for the cluster to be checked for labels set outside git (text, markdown, --json); the gate fails only for what the change itself widens', async () => {
  const argoOnly = (text: string) => text.replace('new wp.PolicyApp()', 'new wp.PolicyApp({ gitops: [wp.GitOpsTool.ARGO_CD] })');
  const repo = await repoWith(argoOnly(policy('owned')), argoOnly(policy('released')));
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.effects.prunedUnusedWaypoints, [{ target: 'demo', gateway: 'default/waypoint' }]);
  const text = await diff(repo, '--fail-on-widened');
  // Releasing the label is what removes the auth here; the check itself is no reason.
  assert.match(text.io.stderr.join('\n'), /--fail-on-widened fails: 2 request\(s\) widened\.$/);
  assert.match(
    text.out,
    /Check before merging:\n  waypoint Gateway default\/waypoint \[demo\] is pruned, and nothing in git uses it any more; a label set outside git may still name it .*Before merging, check that `kubectl get namespace,service,serviceentry,workloadentry,pod -A -l istio\.io\/use-waypoint=waypoint -L istio\.io\/use-waypoint-namespace` lists neither namespace\/default nor anything in namespace default, and nothing whose USE-WAYPOINT-NAMESPACE is default\n/,
  );
  const markdown = (await diff(repo, '--format', 'markdown')).out;
  assert.match(markdown, /#### Check before merging\n\n- waypoint Gateway default\/waypoint \[demo\] is pruned.* check that `kubectl get namespace,service,serviceentry,workloadentry,pod -A -l istio.io\/use-waypoint=waypoint -L istio.io\/use-waypoint-namespace` lists neither/);
});

test('a kept waypoint is never reported as pruned', async () => {
  const repo = await repoAt('owned', 'owned');
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual([r.effects.prunedInUse, r.effects.prunedUnusedWaypoints, r.effects.bindings, r.effects.access], [[], [], [], []]);
});

/**
 * Namespace `other` keeps a waypoint, so the target stays in both revisions.
 * `extra` is what the base adds to it: another team's Namespace or Service,
 * labelled to use a waypoint of ours, that the head drops with the waypoint.
 */
function withOther(extra: string): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const target = new wp.Target(app, 'demo');
const other = new wp.MeshNamespace(target, 'other');
other.useWaypoint(new wp.Waypoint(other, 'waypoint'));
${extra}
export default app;
`;
}

test("a waypoint removed with the label-only Namespace that uses it is a removal hazard: GitOps never prunes that Namespace, so its label still names the pruned Gateway", async () => {
  const base = withOther(`const ns = new wp.MeshNamespace(target, 'default');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
${basicAuth('auth', 'waypoint', '/productpage')}`);
  const repo = await repoWith(base, withOther(''));
  const json = await diff(repo, '--json');
  assert.equal(json.code, 0, json.io.text());
  const r = JSON.parse(json.out);
  assert.ok(r.objects.some((o: any) => o.change === 'removed' && o.object.kind === 'Namespace' && o.labelOnly));
  assert.deepEqual(r.effects.prunedInUse, [
    {
      target: 'demo',
      gateway: 'default/waypoint',
      usedBy: ['Namespace default (istio.io/use-waypoint)'],
      leftBehind: ['Namespace default'],
    },
  ]);
  // The live label names the pruned waypoint: the namespace's Services lose it, and the auth it ran.
  const ns = r.effects.bindings.find((b: any) => b.service === 'default/*');
  assert.equal(ns.before.waypoint, 'default/waypoint');
  assert.equal(ns.lostWaypoint, true);
  assert.match(ns.after.reason, /^Namespace default is no longer managed here, but keeps its label in the cluster \(GitOps never prunes it\): .*no longer emitted: GitOps prunes it/);
  const open = r.effects.access.find((a: any) => a.path === '/productpage' && a.credential === 'none');
  assert.deepEqual([open.before, open.after, open.widened], [401, 200, true]);

  const text = (await diff(repo)).out;
  assert.match(text, /Removal and rollout hazards:\n  !! removed Gateway default\/waypoint \[demo\] is still used by Namespace default \(istio\.io\/use-waypoint\): GitOps prunes it/);
  assert.match(text, /Namespace default: removing its manifest leaves its label in the cluster .*Keep the manifest with the label released \(ReleasedLabels\) until that has synced, and remove the Waypoint in a later commit/);
  // Nothing is handed over: no advice about a new owner, and one hazard line, not a second stale-label one for the same Namespace.
  assert.doesNotMatch(text, /new owner/);
  const hazardSection = text.split('Removal and rollout hazards:\n')[1].split('\n\n')[0];
  assert.equal(hazardSection.split('\n').length, 1, text);
  assert.match(text, /1 Gateway\(s\) pruned while in use/);
  assert.equal((await diff(repo, '--fail-on-widened')).code, 1);
});

test('a Namespace this app created keeps its label when its manifest is removed (it is never pruned either): removing it with its waypoint is a hazard, removing it alone widens nothing', async () => {
  // The waypoint and plugin live in `other`, so removing `shop` alone leaves them running.
  const shop = (withWaypoint: boolean) => `const shop = new wp.MeshNamespace(target, 'shop', { owned: true });
shop.useWaypoint(${withWaypoint ? 'shared' : "wp.Waypoint.fromWaypointName(shop, 'shared-ref', { name: 'shared', namespace: 'other' })"});`;
  const shared = `const shared = new wp.Waypoint(other, 'shared', { allowedNamespaces: wp.AllowedNamespaces.all() });
const ns = other;
${basicAuth('auth', 'shared', '/')}`;
  const both = await repoWith(withOther(`${shared}\n${shop(true)}`), withOther(''));
  const r = JSON.parse((await diff(both, '--json')).out);
  assert.ok(r.objects.some((o: any) => o.change === 'removed' && o.object.kind === 'Namespace' && o.object.name === 'shop' && o.labelOnly));
  const pruned = r.effects.prunedInUse.find((p: any) => p.gateway === 'other/shared');
  assert.deepEqual(pruned?.leftBehind, ['Namespace shop'], JSON.stringify(r.effects.prunedInUse));

  // Removing only the Namespace's manifest: its live label still routes through the kept waypoint and its auth.
  const alone = await repoWith(withOther(`${shared}\n${shop(true)}`), withOther(shared));
  const r2 = JSON.parse((await diff(alone, '--json')).out);
  assert.deepEqual(r2.effects.prunedInUse, []);
  assert.deepEqual(
    r2.effects.access.filter((a: any) => a.widened),
    [],
    JSON.stringify(r2.effects, null, 2),
  );
  assert.equal(r2.effects.bindings.filter((b: any) => b.lostWaypoint).length, 0, JSON.stringify(r2.effects.bindings));
});

test("a service waypoint removed with the label-only Service that uses it: the live label still names it, so the Service gets no waypoint (no fallback to the Namespace's)", async () => {
  const ns = `const ns = new wp.MeshNamespace(target, 'default');
ns.useWaypoint(new wp.Waypoint(ns, 'waypoint'));`;
  const base = withOther(`${ns}
const reviewsWaypoint = new wp.Waypoint(ns, 'reviews-waypoint');
wp.MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: reviewsWaypoint });
${basicAuth('auth', 'reviewsWaypoint', '/reviews')}`);
  const repo = await repoWith(base, withOther(ns));
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.effects.prunedInUse, [
    {
      target: 'demo',
      gateway: 'default/reviews-waypoint',
      usedBy: ['Service default/reviews (istio.io/use-waypoint)'],
      leftBehind: ['Service default/reviews'],
    },
  ]);
  // Read from the head's manifests alone, reviews would fall back to default/waypoint.
  const reviews = r.effects.bindings.find((b: any) => b.service === 'default/reviews');
  assert.deepEqual([reviews.before.waypoint, reviews.after.waypoint, reviews.lostWaypoint], ['default/reviews-waypoint', undefined, true]);
  assert.match(reviews.after.reason, /^Service default\/reviews is no longer managed here, but keeps its label in the cluster/);
  const open = r.effects.access.find((a: any) => a.to === 'default/reviews' && a.credential === 'none');
  assert.deepEqual([open.before, open.after, open.widened], [401, 200, true]);
});

test('a label-only Service dropped while its waypoint stays is no pruned-Gateway hazard (only the stale-label one)', async () => {
  const keep = `const ns = new wp.MeshNamespace(target, 'default');
const waypoint = new wp.Waypoint(ns, 'waypoint');`;
  const repo = await repoWith(withOther(`${keep}\nwp.MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: waypoint });`), withOther(keep));
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.ok(r.objects.some((o: any) => o.change === 'removed' && o.object.name === 'reviews' && o.labelOnly));
  assert.deepEqual(r.effects.prunedInUse, []);
  assert.doesNotMatch((await diff(repo)).out, /removed Gateway/);
});

test("a label-only Service dropped while its waypoint stays keeps that waypoint in the review, as in the cluster: removing the waypoint's plugin in the same change is widened access", async () => {
  const common = `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'default');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
${basicAuth('auth-at-waypoint', 'waypoint', '/')}
const reviewsWaypoint = new wp.Waypoint(ns, 'reviews-waypoint');
`;
  const base = `${common}wp.MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: reviewsWaypoint });
${basicAuth('auth-for-reviews', 'reviewsWaypoint', '/reviews')}
export default app;
`;
  // Head drops the Service's label-only manifest (not ReleasedLabels) and the reviews waypoint's plugin.
  const repo = await repoWith(base, `${common}export default app;\n`);
  const r = JSON.parse((await diff(repo, '--json')).out);
  // The live label stays: reviews is still on reviews-waypoint, not the namespace's (with its auth).
  const reviews = r.effects.bindings.find((b: any) => b.service === 'default/reviews');
  assert.equal(reviews, undefined, JSON.stringify(r.effects.bindings));
  const widened = r.effects.access.find((a: any) => a.widened && a.to === 'default/reviews' && a.path === '/reviews' && a.credential === 'none');
  assert.ok(widened, JSON.stringify(r.effects.access, null, 2));
  assert.deepEqual([widened.before, widened.after], [401, 200]);
  assert.equal((await diff(repo, '--fail-on-widened')).code, 1);
  assert.match((await diff(repo)).out, /Removal and rollout hazards:\n(.*\n)*  !! removed Service default\/reviews \[demo\]: its manifest is removed but GitOps never prunes it/);
});

test('removing a ReleasedLabels manifest once it has synced is no hazard: it carries no labels to leave behind', async () => {
  const common = `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'default');
new wp.Waypoint(ns, 'waypoint');
`;
  const repo = await repoWith(`${common}wp.ReleasedLabels.ofService(ns, 'reviews');\nexport default app;\n`, `${common}export default app;\n`);
  const r = JSON.parse((await diff(repo, '--json')).out);
  const removed = r.objects.find((o: any) => o.change === 'removed' && o.object.name === 'reviews');
  assert.ok(removed, JSON.stringify(r.objects));
  assert.equal(removed.labelOnly, undefined);
  assert.doesNotMatch((await diff(repo)).out, /Removal and rollout hazards|GitOps never prunes it/);
});

/** A Service of another team labelled to use `reviews-waypoint` (base), or released (head), with the given GitOps tools. */
function releaseCase(stage: 'labelled' | 'released-and-removed', gitops: string): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp({ gitops: [${gitops}] });
const target = new wp.Target(app, 'demo');
const other = new wp.MeshNamespace(target, 'other');
other.useWaypoint(new wp.Waypoint(other, 'waypoint'));
const ns = new wp.MeshNamespace(target, 'default');
${
  stage === 'labelled'
    ? `const reviewsWaypoint = new wp.Waypoint(ns, 'reviews-waypoint');
wp.MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: reviewsWaypoint });
${basicAuth('auth', 'reviewsWaypoint', '/reviews')}`
    : "wp.ReleasedLabels.ofService(ns, 'reviews');"
}
export default app;
`;
}

test('releasing a label and removing its waypoint in one commit is a hazard where Flux may apply (it prunes the Gateway before the enrollment stage releases the label), not under Argo CD alone', async () => {
  const flux = await repoWith(releaseCase('labelled', 'wp.GitOpsTool.FLUX'), releaseCase('released-and-removed', 'wp.GitOpsTool.FLUX'));
  const r = JSON.parse((await diff(flux, '--json')).out);
  assert.deepEqual(r.effects.prunedInUse, [
    {
      target: 'demo',
      gateway: 'default/reviews-waypoint',
      usedBy: ['Service default/reviews (istio.io/use-waypoint, until Flux applies its release)'],
      changedAfterPrune: ['Service default/reviews'],
    },
  ]);
  const text = (await diff(flux)).out;
  assert.match(text, /Service default\/reviews: Flux releases or prunes it in a later Kustomization than the one that prunes the Gateway/);
  assert.doesNotMatch(text, /new owner/);
  assert.equal((await diff(flux, '--fail-on-widened')).code, 1);

  // Argo CD alone applies the release (wave 2) before it prunes (PruneLast): one commit is safe.
  const argo = await repoWith(releaseCase('labelled', 'wp.GitOpsTool.ARGO_CD'), releaseCase('released-and-removed', 'wp.GitOpsTool.ARGO_CD'));
  assert.deepEqual(JSON.parse((await diff(argo, '--json')).out).effects.prunedInUse, []);
});

test('removing an owned Service together with the waypoint it uses is a hazard where Flux may apply: the enrollment stage prunes the Service after the waypoints stage pruned the Gateway', async () => {
  const app = (withCart: boolean, gitops: string) => `import * as wp from '${LIB}';
const app = new wp.PolicyApp({ gitops: [${gitops}] });
const target = new wp.Target(app, 'demo');
const other = new wp.MeshNamespace(target, 'other');
other.useWaypoint(new wp.Waypoint(other, 'waypoint'));
${withCart ? `const ns = new wp.MeshNamespace(target, 'default');\nnew wp.MeshService(ns, 'cart', { ports: [{ port: 80, name: 'http' }], useWaypoint: new wp.Waypoint(ns, 'cart-waypoint') });` : ''}
export default app;
`;
  const flux = await repoWith(app(true, 'wp.GitOpsTool.FLUX'), app(false, 'wp.GitOpsTool.FLUX'));
  assert.deepEqual(JSON.parse((await diff(flux, '--json')).out).effects.prunedInUse, [
    {
      target: 'demo',
      gateway: 'default/cart-waypoint',
      usedBy: ['Service default/cart (istio.io/use-waypoint, until Flux prunes it)'],
      changedAfterPrune: ['Service default/cart'],
    },
  ]);
  const argo = await repoWith(app(true, 'wp.GitOpsTool.ARGO_CD'), app(false, 'wp.GitOpsTool.ARGO_CD'));
  assert.deepEqual(JSON.parse((await diff(argo, '--json')).out).effects.prunedInUse, []);
});

test('releasing an owned Namespace (its release is applied by the enrollment stage) and removing its waypoint in one commit is a Flux hazard', async () => {
  const app = (stage: 'used' | 'released') => `import * as wp from '${LIB}';
const app = new wp.PolicyApp({ gitops: [wp.GitOpsTool.FLUX] });
const target = new wp.Target(app, 'demo');
const other = new wp.MeshNamespace(target, 'other');
other.useWaypoint(new wp.Waypoint(other, 'waypoint'));
${stage === 'used' ? "const shop = new wp.MeshNamespace(target, 'shop', { owned: true });\nshop.useWaypoint(new wp.Waypoint(shop, 'waypoint'));" : "wp.ReleasedLabels.ofNamespace(target, 'shop');"}
export default app;
`;
  const repo = await repoWith(app('used'), app('released'));
  const r = JSON.parse((await diff(repo, '--json')).out);
  const pruned = r.effects.prunedInUse.find((p: any) => p.gateway === 'shop/waypoint');
  assert.deepEqual(pruned?.changedAfterPrune, ['Namespace shop'], JSON.stringify(r.effects.prunedInUse));
  assert.equal((await diff(repo, '--fail-on-widened')).code, 1);
});

/** An owned Namespace on waypoint `use`, with the waypoints `have` and BasicAuth on those in `guarded`. */
function ownedNamespace(use: string, have: string[], guarded: string[] = have): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop', { owned: true });
${have.map((w) => `const ${w.replace('-', '_')} = new wp.Waypoint(ns, '${w}');`).join('\n')}
ns.useWaypoint(${use.replace('-', '_')});
${guarded.map((w) => basicAuth(`auth-${w}`, w.replace('-', '_'), '/admin')).join('\n')}
export default app;
`;
}

test('an owned Namespace moved to a waypoint this change adds is a rollout hazard: its label is applied with the waypoints, before the Gateway is ready and its plugins exist', async () => {
  const repo = await repoWith(ownedNamespace('waypoint-a', ['waypoint-a']), ownedNamespace('waypoint-b', ['waypoint-a', 'waypoint-b']));
  const text = await diff(repo, '--fail-on-widened');
  assert.equal(text.code, 1, text.out);
  assert.match(
    text.out,
    /Removal and rollout hazards:\n  !! Namespace shop \[demo\] moves from waypoint shop\/waypoint-a to waypoint shop\/waypoint-b, which this change adds with WasmPlugin shop\/auth-waypoint-b: its manifest is applied with the waypoints, so its label lands before that Gateway is ready and before its plugins, and meanwhile its traffic skips every waypoint policy \(ztunnel fails open\)\. Add the waypoint and its plugins in one commit, and move the label in a later one/,
  );
  const json = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(json.effects.adoptedEarly, [{ target: 'demo', object: 'Namespace shop', from: 'shop/waypoint-a', to: 'shop/waypoint-b', adds: 'waypoint', plugins: ['WasmPlugin shop/auth-waypoint-b'] }]);
  // Plugins added to a waypoint the base had, in the same change as the move.
  const plugins = await repoWith(ownedNamespace('waypoint-a', ['waypoint-a', 'waypoint-b'], ['waypoint-a']), ownedNamespace('waypoint-b', ['waypoint-a', 'waypoint-b']));
  assert.match((await diff(plugins)).out, /moves from waypoint shop\/waypoint-a to waypoint shop\/waypoint-b, whose plugins this change adds \(WasmPlugin shop\/auth-waypoint-b\): its manifest is applied with the waypoints, so its label lands before those plugins/);
  // The second commit of the safe order: the waypoint and its plugins already there, only the label moves.
  const safe = await repoWith(ownedNamespace('waypoint-a', ['waypoint-a', 'waypoint-b']), ownedNamespace('waypoint-b', ['waypoint-a', 'waypoint-b']));
  assert.doesNotMatch((await diff(safe)).out, /moves from waypoint/);
  // Another team's Namespace: its label-only manifest is applied in the enrollment stage, after the Gateway and its plugins.
  const theirs = (p: string) => p.replace(", { owned: true }", '');
  const external = await repoWith(theirs(ownedNamespace('waypoint-a', ['waypoint-a'])), theirs(ownedNamespace('waypoint-b', ['waypoint-a', 'waypoint-b'])));
  assert.doesNotMatch((await diff(external)).out, /moves from waypoint/);
  // A Namespace that had no waypoint: nothing was protected before, nothing is widened for a while.
  const fresh = await repoWith(ownedNamespace('waypoint-a', ['waypoint-a']).replace("ns.useWaypoint(waypoint_a);", ''), ownedNamespace('waypoint-b', ['waypoint-a', 'waypoint-b']));
  assert.doesNotMatch((await diff(fresh)).out, /moves from waypoint/);
});

test('a removed label-only manifest whose live use-waypoint label stays behind fails --fail-on-widened, even while nothing widens yet: no later change can see that label, so removing its waypoint then would go unreported', async () => {
  const common = `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'default');
const waypoint = new wp.Waypoint(ns, 'waypoint');
`;
  // The Service's own label names the waypoint everything else uses too: dropping its manifest changes no access today.
  const repo = await repoWith(`${common}wp.MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: waypoint });\nexport default app;\n`, `${common}export default app;\n`);
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.effects.access.filter((a: any) => a.widened), []);
  const removed = r.objects.find((o: any) => o.change === 'removed' && o.object.name === 'reviews');
  assert.deepEqual([removed.labelOnly, removed.staleWaypoint], [true, 'default/waypoint']);
  const gated = await diff(repo, '--fail-on-widened');
  assert.equal(gated.code, 1);
  // The line names the waypoint the live label keeps naming: that is why the gate fails.
  assert.match(gated.out, /!! removed Service default\/reviews \[demo\]: .*keeps its mesh labels, among them istio\.io\/use-waypoint naming waypoint default\/waypoint \(no later review sees that label/);
  // A Namespace that leaves only its ambient enrollment behind (no waypoint) is reported, but fails nothing.
  const enrolled = await repoWith(`${common}new wp.MeshNamespace(ns.node.scope as never, 'other');\nexport default app;\n`, `${common}export default app;\n`);
  const left = JSON.parse((await diff(enrolled, '--json')).out).objects.find((o: any) => o.change === 'removed' && o.object.name === 'other');
  assert.deepEqual([left.labelOnly, left.staleWaypoint], [true, undefined]);
  assert.equal((await diff(enrolled, '--fail-on-widened')).code, 0);
});

test('a target removed while it still deploys something is a hazard: nothing is pruned (its Application or Kustomizations lose their folder), so its objects stay, unmanaged; a target emptied first is removed safely', async () => {
  const withTargets = (prod: 'full' | 'empty' | 'gone') => `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const stage = new wp.MeshNamespace(new wp.Target(app, 'stage'), 'shop');
stage.useWaypoint(new wp.Waypoint(stage, 'waypoint'));
${prod === 'gone' ? '' : `const prod = new wp.Target(app, 'prod');`}
${prod === 'full' ? `const ns = new wp.MeshNamespace(prod, 'shop');\nconst waypoint = new wp.Waypoint(ns, 'waypoint');\nns.useWaypoint(waypoint);\n${basicAuth('auth', 'waypoint', '/admin')}` : ''}
export default app;
`;
  const repo = await repoWith(withTargets('full'), withTargets('gone'));
  const text = await diff(repo, '--fail-on-widened');
  assert.equal(text.code, 1, text.out);
  assert.match(text.out, /!! target prod is removed with 3 manifest\(s\) in it: its folder is gone, so its Application or Kustomizations fail on the missing path, or are deleted without pruning, and everything it deployed stays in the cluster, unmanaged/);
  // The cluster after the sync still has them: no access changes, no "GitOps prunes it".
  assert.doesNotMatch(text.out, /GitOps prunes it|WIDENED/);
  const json = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(json.orphanedTargets, [{ target: 'prod', manifests: 3 }]);
  // The documented order: empty the target (its stage folders stay), then delete the Target.
  const emptied = await repoWith(withTargets('empty'), withTargets('gone'));
  const safe = await diff(emptied, '--fail-on-widened');
  assert.equal(safe.code, 0, safe.out);
  assert.doesNotMatch(safe.out, /target prod is removed/);
});

test('a target renamed (every object declared again under one new target) is no orphaning and leaves no stale label: the hazard says to deliver the new target to the same cluster, and nothing fails --fail-on-widened', async () => {
  const named = (target: string) => `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, '${target}'), 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
wp.MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: waypoint });
${basicAuth('auth', 'waypoint', '/admin')}
export default app;
`;
  const repo = await repoWith(named('prod'), named('production'));
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual([r.orphanedTargets, r.renamedTargets], [[], [{ from: 'prod', to: 'production' }]]);
  const removed = r.objects.filter((o: any) => o.change === 'removed');
  assert.ok(removed.length > 0 && removed.every((o: any) => o.movedTo === 'production' && !o.staleWaypoint), JSON.stringify(removed));
  // Taken over under the new name: nothing about traffic changes, so no binding, chain or request is listed as new.
  assert.deepEqual([r.effects.bindings, r.effects.chains, r.effects.access], [[], [], []]);
  const text = await diff(repo, '--fail-on-widened');
  assert.equal(text.code, 0, text.out);
  assert.match(text.out, /!! target prod is renamed production \(every object moves\): deliver production to the cluster prod went to/);
});

test('adoptedEarly: a waypoint that a base label already names is live, even when the base only referenced it (taken over now): moving a Namespace to it adds no waypoint', async () => {
  const base = `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop', { owned: true });
ns.useWaypoint(new wp.Waypoint(ns, 'waypoint-a'));
const shared = wp.Waypoint.fromWaypointName(ns, 'shared', { name: 'shared', namespace: 'shop' });
wp.MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: shared });
export default app;
`;
  const head = `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop', { owned: true });
new wp.Waypoint(ns, 'waypoint-a');
const shared = new wp.Waypoint(ns, 'shared');
ns.useWaypoint(shared);
wp.MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: shared });
export default app;
`;
  const repo = await repoWith(base, head);
  assert.deepEqual(JSON.parse((await diff(repo, '--json')).out).effects.adoptedEarly, []);
});

test("the check before merging lists every kind Istio reads istio.io/use-waypoint from, and shows each one's use-waypoint-namespace", () => {
  const facts = fs.readFileSync(path.join(process.env.WAYPOINT_POLICY_SHARED_DIR ?? '/work/shared', 'reference', 'istio-ambient-facts.md'), 'utf8');
  const row = facts.split('\n').find((l) => l.startsWith('| `istio.io/use-waypoint` |'));
  assert.ok(row, 'the reference names the kinds the label applies to');
  const kinds = row.split('|')[3].split(',').map((k) => k.trim().toLowerCase());
  assert.ok(kinds.includes('serviceentry') && kinds.includes('namespace'), row);
  const line = prunedUnusedLine({ target: 'demo', gateway: 'shop/egress' });
  const command = /`(kubectl get [^`]*)`/.exec(line)?.[1] ?? '';
  const listed = (/kubectl get (\S+)/.exec(command)?.[1] ?? '').split(',');
  assert.deepEqual(kinds.filter((k) => !listed.includes(k)), [], command);
  assert.match(command, / -A -l istio\.io\/use-waypoint=egress\b/);
  // Without the column the listing cannot show which objects name another namespace's waypoint.
  assert.match(command, / -L istio\.io\/use-waypoint-namespace\b/);
  // A Namespace labelled by hand (istioctl waypoint apply --enroll-namespace) is listed as namespace/shop, in no namespace.
  assert.match(line, /namespace\/shop/);
});
