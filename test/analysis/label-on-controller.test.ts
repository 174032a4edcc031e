/**
 * ztunnel and istiod read istio.io/dataplane-mode and istio.io/use-waypoint
 * from Pods (istio-ambient-facts.md §3.1, §3.2, §3.4); a hand-written
 * Deployment labelled on its own metadata instead of its pod template
 * enrolls and binds nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../analysis/analyze';
import type { KubeObject } from '../../compiler/model';
import { modelOf } from '../simulator/fixtures';

const controller = (kind: string, own: Record<string, string>, pod: Record<string, string>): KubeObject => {
  const template = { metadata: { labels: { app: 'worker', ...pod } }, spec: { containers: [{ name: 'w', image: 'busybox:1.36' }] } };
  const spec = kind === 'CronJob' ? { schedule: '* * * * *', jobTemplate: { spec: { template } } } : { selector: { matchLabels: { app: 'worker' } }, template };
  return { apiVersion: kind === 'CronJob' || kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: { name: 'worker', namespace: 'batch', labels: { app: 'worker', ...own } }, spec };
};

const messages = (objects: KubeObject[]) =>
  analyze(modelOf(objects))
    .filter((f) => f.rule === 'binding/label-on-controller')
    .map((f) => `${f.severity}: ${f.message}`);

test('an ambient pod label on a controller\'s own metadata and not on its pod template is a warning, for every controller kind', () => {
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']) {
    assert.deepEqual(messages([controller(kind, { 'istio.io/use-waypoint': 'wl-waypoint' }, {})]), [
      `warning: ${kind} batch/worker has istio.io/use-waypoint=wl-waypoint on its own metadata.labels, not on its pod template: Istio reads it from the pods, and a ${kind}'s labels are not copied onto them, so it has no effect`,
    ]);
  }
  assert.deepEqual(messages([controller('Deployment', { 'istio.io/dataplane-mode': 'ambient' }, { 'istio.io/dataplane-mode': 'none' })]), [
    "warning: Deployment batch/worker has istio.io/dataplane-mode=ambient on its own metadata.labels, not on its pod template: Istio reads it from the pods, and a Deployment's labels are not copied onto them, so its pod template's istio.io/dataplane-mode=none is what applies",
  ]);
});

test('the same label on the pod template too (Helm charts, kustomize labels), only on the template, or on a Pod or Service, is not reported', () => {
  const same = { 'istio.io/use-waypoint': 'wl-waypoint', 'istio.io/use-waypoint-namespace': 'infra', 'istio.io/dataplane-mode': 'ambient' };
  assert.deepEqual(messages([controller('Deployment', same, same), controller('StatefulSet', {}, same)]), []);
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'batch', labels: same }, spec: { containers: [] } };
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'batch', labels: { 'istio.io/use-waypoint': 'wl-waypoint' } }, spec: { ports: [{ port: 80 }] } };
  assert.deepEqual(messages([pod, svc]), []);
});
