/**
 * istiod merges the legacy singular `spec.targetRef` into `targetRefs` when
 * targetRefs is empty (istio-ambient-facts.md §1.2, `GetTargetRefs`), and the
 * simulator does too: the review's probes must follow the plugin there as well,
 * or a change that widens access through such a plugin goes unseen.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectChanges } from '../../review/effects';
import { prunedGatewaysInUse } from '../../review/pruned-gateways';
import type { KubeObject } from '../../compiler/model';
import { BASIC_AUTH, basicAuthConfig, modelOf, namespace, service, waypoint } from '../simulator/fixtures';

function auth(prefix: string, ref: { kind: string; name: string; group: string }, legacy: boolean): KubeObject {
  return {
    apiVersion: 'extensions.istio.io/v1alpha1',
    kind: 'WasmPlugin',
    metadata: { name: 'auth', namespace: 'shop' },
    spec: { url: BASIC_AUTH, phase: 'AUTHN', ...(legacy ? { targetRef: ref } : { targetRefs: [ref] }), pluginConfig: basicAuthConfig(prefix, ['ok:test']) },
  };
}

const REFS = {
  Gateway: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' },
  Service: { group: '', kind: 'Service', name: 'cart' },
};

for (const [kind, ref] of Object.entries(REFS)) {
  test(`a plugin attached by the legacy targetRef (${kind}) is probed like one attached by targetRefs: dropping its protection is a widened access`, () => {
    const mesh = (prefix: string, legacy: boolean) =>
      modelOf([namespace('shop', { 'istio.io/use-waypoint': 'waypoint' }), service('shop', 'cart', {}, [80]), waypoint('shop', 'waypoint'), auth(prefix, ref, legacy)]);
    const widened = (legacy: boolean) =>
      effectChanges(mesh('/admin', legacy), mesh('/elsewhere', legacy))
        .access.filter((a) => a.widened && a.path === '/admin' && a.method === 'GET')
        .map((a) => `${a.via ? `via ${a.via} ` : ''}${a.to} ${a.before}->${a.after}`);
    const byTargetRefs = widened(false);
    assert.ok(byTargetRefs.includes('shop/cart 401->200'), byTargetRefs.join('; '));
    assert.deepEqual(widened(true), byTargetRefs);
  });
}

test('a plugin attached by the legacy targetRef still uses its Gateway: pruning that Gateway is reported as pruned in use, as for targetRefs', () => {
  const uses = (legacy: boolean) =>
    prunedGatewaysInUse(new Set(['shop/waypoint']), modelOf([waypoint('shop', 'waypoint'), auth('/admin', REFS.Gateway, legacy)]), 'test').map((p) => [p.gateway, p.usedBy]);
  const byTargetRefs = uses(false);
  assert.equal(byTargetRefs.length, 1, JSON.stringify(byTargetRefs));
  assert.deepEqual(uses(true), byTargetRefs);
});
