/**
 * The review reads both trees in memory (modelOfTree); it must read exactly
 * what readManifests reads from the same tree written to a folder: the same
 * files, in the same order, to the same objects and targets.
 */
import assert from 'node:assert/strict';
// The module object, not a namespace import: its methods can be spied on, and the library's fs calls go through it.
import fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { FileTree } from '../../compiler/layout';
import { manifestFiles, manifestFilesOf } from '../../compiler/manifest-files';
import { readManifests } from '../../compiler/read-manifests';
import { modelOfTree } from '../../review';
import { tempDir } from '../support/helpers';

const object = (kind: string, name: string, namespace?: string) =>
  `apiVersion: ${kind === 'Gateway' ? 'gateway.networking.k8s.io/v1' : 'v1'}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}`;

/** Paths whose order a flat string sort gets wrong ('-' and '.' sort before '/'), hidden folders and files, kustomizations, other extensions. */
const TREE: FileTree = new Map([
  ['t/3-enrollment/a-c/namespace-x.yaml', object('Namespace', 'x')],
  ['t/3-enrollment/a/service-s.yaml', object('Service', 's', 'a')],
  ['t/3-enrollment/a.b/service-t.yml', object('Service', 't', 'a')],
  ['t/3-enrollment/A/service-u.json', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'u', namespace: 'A' } })],
  ['t/3-enrollment/a/kustomization.yaml', 'resources: [service-s.yaml]\n'],
  ['t/3-enrollment/a/README.md', '# not a manifest\n'],
  ['t/1-waypoints/a/gateway-w.yaml', `${object('Gateway', 'w', 'a')}spec:\n  gatewayClassName: istio-waypoint\n`],
  ['t/1-waypoints/.hidden/gateway-h.yaml', object('Gateway', 'h', 'a')],
  ['t/1-waypoints/a/.gateway-dot.yaml', object('Gateway', 'dot', 'a')],
  ['t/kustomization.yaml', 'resources: []\n'],
  ['u/2-policies/b/many.yaml', `${object('Service', 'm1', 'b')}---\n${object('Service', 'm2', 'b')}`],
  ['u/2-policies/b/broken.yaml', 'kind: [\n'],
  ['delivery/argocd/app.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: app\n  namespace: argocd\n'],
]);

function written(tree: FileTree): string {
  const dir = tempDir('wp-model-of-tree-');
  for (const [rel, text] of tree) {
    const file = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

test('manifestFilesOf lists what manifestFiles lists from the tree written to a folder, in its order', () => {
  const dir = written(TREE);
  assert.deepEqual(manifestFilesOf(TREE.keys()), manifestFiles(dir).files);
});

test('modelOfTree reads the objects readManifests reads from the tree written to a folder', () => {
  const dir = written(TREE);
  const options = { rootNamespace: 'mesh-root', clusterDomain: 'example.internal' };
  const fromDisk = readManifests(dir, options).model;
  const inMemory = modelOfTree(TREE, options);
  assert.ok(fromDisk.objects.length >= 6, 'the tree holds objects in several targets');
  assert.equal(JSON.stringify(inMemory), JSON.stringify(fromDisk));
});

test('modelOfTree touches no file (a review of a big mesh spent most of its time writing both trees out to read them back)', (t) => {
  const spies = (['writeFileSync', 'mkdtempSync', 'mkdirSync', 'readFileSync', 'readdirSync'] as const).map((name) => ({ name, spy: t.mock.method(fs, name) }));
  modelOfTree(TREE);
  assert.deepEqual(
    spies.filter((s) => s.spy.mock.callCount() > 0).map((s) => `${s.name} x${s.spy.mock.callCount()}`),
    [],
  );
});
