/**
 * istioctl analyze's annotations.K8sAnalyzer checks the annotations of
 * Namespaces, Services, Pods and Deployments only (istio-ambient-facts.md §4):
 * an ambient key written as an annotation elsewhere (a Gateway's
 * istio.io/waypoint-for, a ServiceEntry's use-waypoint) still has no effect,
 * but istioctl analyze does not report it as IST0108.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../analysis/analyze';
import type { KubeObject } from '../../compiler/model';
import { modelOf } from '../simulator/fixtures';

const annotated = (apiVersion: string, kind: string, name: string, key: string, value: string, namespace: string | undefined = 'shop'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), annotations: { [key]: value } },
});

function messages(objects: KubeObject[]): string[] {
  return analyze(modelOf(objects))
    .filter((f) => f.rule === 'binding/label-as-annotation')
    .map((f) => f.message);
}

test('IST0108 is named only for the kinds istioctl analyze checks annotations on', () => {
  const checked = [
    annotated('v1', 'Namespace', 'shop', 'istio.io/use-waypoint', 'waypoint', undefined),
    annotated('v1', 'Service', 'cart', 'istio.io/use-waypoint', 'waypoint'),
    annotated('v1', 'Pod', 'cart-0', 'istio.io/dataplane-mode', 'ambient'),
    annotated('apps/v1', 'Deployment', 'cart', 'istio.io/use-waypoint', 'waypoint'),
  ];
  for (const m of messages(checked)) assert.match(m, /\(istioctl analyze: IST0108 UnknownAnnotation\)$/);
  assert.equal(messages(checked).length, 4);

  const unchecked = [
    annotated('gateway.networking.k8s.io/v1', 'Gateway', 'waypoint', 'istio.io/waypoint-for', 'all'),
    annotated('networking.istio.io/v1', 'ServiceEntry', 'api', 'istio.io/use-waypoint', 'waypoint'),
    annotated('apps/v1', 'StatefulSet', 'db', 'istio.io/use-waypoint', 'waypoint'),
  ];
  const found = messages(unchecked);
  assert.equal(found.length, 3);
  for (const m of found) {
    assert.match(m, /as an annotation: Istio reads it from labels only, so it has no effect/);
    assert.doesNotMatch(m, /IST0108/);
  }
});
