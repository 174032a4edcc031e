import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/helpers';
import { diffAgainstMain, policyRepo } from './policy-repo';
import { formatReview, review, treeAtRevision } from '../../review';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
const DELIVERY = "{ repoURL: 'https://github.com/acme/mesh-policy.git', flux: {} }";

/** A policy with a namespace waypoint, a label-only Service on it and a BasicAuth plugin; `extra` is appended before the export. */
function owners(o: { partOf?: string; delivery?: string; target?: string; extra?: string }): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp({ partOf: '${o.partOf ?? 'shop-policy'}'${o.delivery ? `, delivery: ${o.delivery}` : ''} });
const ns = new wp.MeshNamespace(new wp.Target(app, '${o.target ?? 'demo'}'), 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
wp.MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: waypoint });
new wp.BasicAuth(ns, 'auth', {
  targets: [waypoint],
  rules: [{ prefix: '/admin', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
  acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
});
${o.extra ?? ''}
export default app;
`;
}

const diff = diffAgainstMain;

test('renaming partOf renames the delivery (delivery.name defaults to it): the Argo CD Application is a hazard (its syncs fail on the objects the old one tracks; nothing is deleted; the migration order), the Flux Kustomizations take the objects over (listed, no hazard)', async () => {
  const repo = await policyRepo(owners({ delivery: DELIVERY }), owners({ partOf: 'store-policy', delivery: DELIVERY }), 'wp-renames-');
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.deliveryRenames, [
    { tool: 'Argo CD', target: 'demo', from: ['argocd/shop-policy-demo'], to: ['argocd/store-policy-demo'], outcome: 'sync-fails', deleteProtected: true, unpruned: [] },
    {
      tool: 'Flux',
      target: 'demo',
      from: ['flux-system/shop-policy-demo-enrollment', 'flux-system/shop-policy-demo-policies', 'flux-system/shop-policy-demo-waypoints'],
      to: ['flux-system/store-policy-demo-enrollment', 'flux-system/store-policy-demo-policies', 'flux-system/store-policy-demo-waypoints'],
      outcome: 'taken-over',
      unpruned: [],
    },
  ]);
  assert.deepEqual(r.partOf, { from: 'shop-policy', to: 'store-policy', objects: 7 });
  const text = await diff(repo, '--fail-on-widened');
  // Every later change would stop reaching the cluster through it: the gate fails, and says why.
  assert.equal(text.code, 1, text.out);
  assert.match(text.io.stderr.join('\n'), /--fail-on-widened fails: 1 renamed Argo CD Application\(s\) that cannot take over their objects\./);
  assert.match(
    text.out,
    /Removal and rollout hazards:\n  !! Argo CD Application argocd\/shop-policy-demo \[demo\] renamed argocd\/store-policy-demo: .*tracking-id annotation\), so the new one finds them tracked by another Application \(SharedResourceWarning\) and, with FailOnSharedResource=true, fails every sync before it applies anything.*Nothing is deleted \(every object has Delete=false\)\. Rename it in a commit of its own; once the old Application is gone .*sync the new one once without FailOnSharedResource, which rewrites the tracking ids, and put the option back/,
  );
  const renames = text.out.split('Renames and moves:\n')[1].split('\n\n')[0];
  assert.match(renames, /app\.kubernetes\.io\/part-of shop-policy -> store-policy on 7 object\(s\): a label only, .*neither tool prune, delete or adopt anything; the delivery names it defaults \(delivery\.name\) are renamed too/);
  assert.match(renames, /Flux Kustomizations flux-system\/shop-policy-demo-enrollment, .* \[demo\] renamed flux-system\/store-policy-demo-enrollment, .*: the new ones apply the same objects and take them over .*deleting the old ones deletes nothing \(deletionPolicy: Orphan\): nothing is pruned, deleted or left unmanaged/);
  assert.doesNotMatch(text.out, /!! Flux/);
  const markdown = await diff(repo, '--format', 'markdown');
  assert.match(markdown.out, /#### :warning: Removal and rollout hazards\n\n- Argo CD Application argocd\/shop-policy-demo/);
  assert.match(markdown.out, /#### Renames and moves\n\n- app\.kubernetes\.io\/part-of/);
});

test('partOf renamed while delivery.name stays, or without delivery manifests: a label only, listed, never a hazard', async () => {
  const named = DELIVERY.replace('flux: {}', "name: 'mesh', flux: {}");
  for (const [base, head] of [
    [owners({ delivery: named }), owners({ partOf: 'store-policy', delivery: named })],
    [owners({}), owners({ partOf: 'store-policy' })],
  ]) {
    const repo = await policyRepo(base, head, 'wp-renames-');
    const r = JSON.parse((await diff(repo, '--json')).out);
    assert.deepEqual(r.deliveryRenames, []);
    assert.equal(r.partOf.from, 'shop-policy');
    const text = (await diff(repo)).out;
    assert.doesNotMatch(text, /Removal and rollout hazards/);
    assert.match(text, /Renames and moves:\n  app\.kubernetes\.io\/part-of shop-policy -> store-policy on \d+ object\(s\): a label only/);
  }
});

test('a delivery rename that also removes an object: only the old owner would prune it, the new one never applied it, so under Flux too it is a hazard saying to remove it first', async () => {
  const extra = `new wp.BasicAuth(ns, 'legacy', {
  targets: [waypoint],
  rules: [{ prefix: '/old', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
  acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
});`;
  const repo = await policyRepo(owners({ delivery: DELIVERY, extra }), owners({ partOf: 'store-policy', delivery: DELIVERY }), 'wp-renames-');
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.deliveryRenames.map((d: any) => [d.tool, d.outcome, d.unpruned]), [
    ['Argo CD', 'sync-fails', ['WasmPlugin shop/legacy']],
    ['Flux', 'taken-over', ['WasmPlugin shop/legacy']],
  ]);
  const text = (await diff(repo)).out;
  assert.match(text, /!! Flux Kustomizations .* \[demo\] renamed .*deleting the old ones deletes nothing \(deletionPolicy: Orphan\)\. WasmPlugin shop\/legacy: this change also removes it, and only the old owner would prune it, .*it is in no inventory of the new Kustomizations\), so otherwise it stays in the cluster, unmanaged\. Remove it in a commit before the rename/);
  assert.match(text, /!! Argo CD Application .*WasmPlugin shop\/legacy: .*its tracking id names the old Application/);
});

test('Flux Kustomizations renamed while the live ones lack deletionPolicy: Orphan: deleting them deletes the owned objects (not the prune: disabled ones), a hazard that fails --fail-on-widened', async () => {
  const repo = await policyRepo(owners({ delivery: DELIVERY }), owners({ partOf: 'store-policy', delivery: DELIVERY }), 'wp-renames-');
  // An older output (or a hand edit) committed without the Orphan policy: MirrorPrune, with prune: true.
  const dir = path.join(repo, 'dist', 'delivery', 'flux', 'demo');
  for (const f of fs.readdirSync(dir).filter((f) => f.startsWith('kustomization-'))) {
    const file = path.join(dir, f);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^ *deletionPolicy: Orphan\n/m, ''));
  }
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qam', 'no Orphan'], { cwd: repo });
  // The working tree's dist is the committed one; diff compiles the head in memory.
  const r = JSON.parse((await diff(repo, '--json')).out);
  const flux = r.deliveryRenames.find((d: any) => d.tool === 'Flux');
  assert.deepEqual([flux.outcome, flux.deleted], ['deleted', ['Gateway shop/waypoint', 'WasmPlugin shop/auth']]);
  const text = await diff(repo, '--fail-on-widened');
  assert.equal(text.code, 1, text.out);
  assert.match(text.out, /!! Flux Kustomizations .*renamed .*deletes what they applied that is not marked prune: disabled, .*: Gateway shop\/waypoint, WasmPlugin shop\/auth, until the new ones apply them again.*First set deletionPolicy: Orphan on the old Kustomizations/);
});

test('an Argo CD Application renamed into one without FailOnSharedResource: both track the objects, a hazard that says to delete the old one first', async () => {
  const repo = await policyRepo(owners({ delivery: DELIVERY }), owners({ delivery: DELIVERY }), 'wp-renames-');
  const base = treeAtRevision(repo, 'main', 'dist');
  const head = new Map(base);
  const file = 'delivery/argocd/application-shop-policy-demo.yaml';
  head.delete(file);
  head.set(file.replace('shop-policy', 'mesh'), base.get(file)!.replace('name: shop-policy-demo', 'name: mesh-demo').replace(/^ *- FailOnSharedResource=true\n/m, ''));
  const r = review(base, head, { base: 'main', head: 'edited' });
  assert.deepEqual(r.deliveryRenames.map((d) => [d.tool, d.from, d.to, d.outcome]), [['Argo CD', ['argocd/shop-policy-demo'], ['argocd/mesh-demo'], 'shared']]);
  assert.match(formatReview(r, 'text'), /!! Argo CD Application argocd\/shop-policy-demo \[demo\] renamed argocd\/mesh-demo: .*without FailOnSharedResource=true it applies them and rewrites their tracking ids, and while the old Application exists the two take the objects from each other on every sync.*Delete the old Application first/);
});

test('a target renamed under Argo CD delivery: the new Application finds the objects tracked by the old one, said on the target line and on its own', async () => {
  const repo = await policyRepo(owners({ delivery: DELIVERY, target: 'prod' }), owners({ delivery: DELIVERY, target: 'production' }), 'wp-renames-');
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.renamedTargets, [{ from: 'prod', to: 'production' }]);
  assert.deepEqual(r.deliveryRenames.map((d: any) => [d.tool, d.target, d.from, d.to, d.outcome]), [
    ['Argo CD', 'production', ['argocd/shop-policy-prod'], ['argocd/shop-policy-production'], 'sync-fails'],
    ['Flux', 'production', ['flux-system/shop-policy-prod-enrollment', 'flux-system/shop-policy-prod-policies', 'flux-system/shop-policy-prod-waypoints'], ['flux-system/shop-policy-production-enrollment', 'flux-system/shop-policy-production-policies', 'flux-system/shop-policy-production-waypoints'], 'taken-over'],
  ]);
  const text = (await diff(repo)).out;
  assert.match(text, /!! target prod is renamed production \(every object moves\): deliver production to the cluster prod went to, so that its Application or Kustomizations take them over \(an Argo CD Application only once their tracking ids name it: see the line on it\)/);
  assert.match(text, /!! Argo CD Application argocd\/shop-policy-prod \[production\] renamed argocd\/shop-policy-production/);
});
