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

test("only another team's label-only object is a removal hazard, not an owned Namespace (which also has Prune=false)", () => {
  const external = ns('    argocd.argoproj.io/sync-options: Delete=false,Prune=false,ServerSideApply=true\n    kustomize.toolkit.fluxcd.io/ssa: Merge');
  const owned = ns('    argocd.argoproj.io/sync-options: Delete=false,Prune=false', '\n    app.kubernetes.io/managed-by: waypoint-policy');
  const empty = parseTree(new Map());
  const [removedExternal] = diffObjects(parseTree(new Map([['t/3-enrollment/shop/namespace-shop.yaml', external]])), empty);
  const [removedOwned] = diffObjects(parseTree(new Map([['t/1-waypoints/shop/namespace-shop.yaml', owned]])), empty);
  assert.equal(removedExternal.labelOnly, true);
  assert.equal(removedOwned.labelOnly, undefined);
});
