import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffObjects, parseTree } from '../../review/object-diff';

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

test('an owned Service that becomes label-only is a hazard (its server-side apply would drop spec.ports); one that stays either way is not', async () => {
  const { formatReview, review } = await import('../../review');
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
  const text = formatReview(review(new Map([[file, owned]]), new Map([[file, labelOnly]]), { base: 'main', head: 'working tree' }), 'text');
  assert.match(text, /Removal hazards:\n  !! changed Service shop\/cart \[t\]: this app owned the whole Service and now only labels it/);
});
