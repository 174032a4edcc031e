/**
 * The review must stay linear in the mesh's size: `waypoint-policy diff`
 * runs in CI on meshes of thousands of namespaces. Counted, not timed: how
 * often the review reads an object's manifest, for a mesh and one twice its
 * size. Linear work doubles it; a scan of every object per Service or per
 * simulated request (each once made a 300-namespace diff take minutes)
 * quadruples it.
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { buildMesh } from '../../bench/mesh';
import type { MeshModel } from '../../compiler/model';
import { compileApp } from '../../compiler/synth';
import { effectChanges } from '../../review/effects';
import { modelOfTree, review } from '../../review';
import { ParsedFiles } from '../../review/parsed-files';
import { REPO_ROOT } from '../support/helpers';

/** The model of the bench mesh of `n` namespaces, each object counting the reads of its manifest into `reads`. */
function countedModel(n: number, reads: { count: number }): MeshModel {
  const model = modelOfTree(compileApp(buildMesh(n), { root: REPO_ROOT }).files);
  const objects = model.objects.map((o) => {
    const { manifest, ...rest } = o;
    return Object.defineProperty({ ...rest }, 'manifest', {
      enumerable: true,
      get: () => {
        reads.count++;
        return manifest;
      },
    }) as typeof o;
  });
  return { ...model, objects };
}

function readsFor(n: number): { reads: number; simulated: number } {
  const reads = { count: 0 };
  const [base, head] = [countedModel(n, reads), countedModel(n, reads)];
  reads.count = 0;
  const effects = effectChanges(base, head);
  return { reads: reads.count, simulated: effects.simulated };
}

test('the review reads each manifest a bounded number of times, whatever the mesh size', () => {
  const small = readsFor(4);
  const large = readsFor(8);
  // Every representative request is simulated at both sizes (none is left out by the bound).
  assert.equal(large.simulated, 2 * small.simulated);
  const ratio = large.reads / small.reads;
  assert.ok(ratio < 2.5, `twice the namespaces read manifests ${ratio.toFixed(2)} times as often (${small.reads} -> ${large.reads}): some lookup scans every object`);
});

test('a review parses each file text once per reader, however many of the two revisions share it, and each reader gets its own copy', () => {
  // The CommonJS exports our modules read parseAllDocuments from at each call.
  const yaml = require('yaml') as typeof import('yaml');
  // Each file with a comment at its end, out of the form toYaml writes: synth's own files are read
  // without parseAllDocuments (compiler/emitted-yaml.ts), these go through it, once per reader.
  const tree = new Map([...compileApp(buildMesh(3), { root: REPO_ROOT }).files].map(([f, text]) => [f, `${text}# edited\n`]));
  const head = new Map(tree);
  const changed = [...head.keys()].find((f) => f.endsWith('.yaml') && f.includes('/2-policies/'))!;
  // Another text, the same object: one file of the tree changed.
  head.set(changed, `${head.get(changed)!}# changed\n`);
  const texts = new Set([...tree.values(), ...head.values()]).size;
  const parse = mock.method(yaml, 'parseAllDocuments');
  try {
    const r = review(tree, head, { base: 'base', head: 'head' });
    assert.ok(r.effects.simulated > 0);
  } finally {
    parse.mock.restore();
  }
  // Two readers: the object diff (YAML 1.2) and the model (as Go reads it); kustomization files only by the first.
  const calls = parse.mock.callCount();
  assert.ok(calls <= 2 * texts, `${calls} parses of ${texts} distinct texts`);
  assert.ok(calls > texts, `${calls} parses of ${texts} distinct texts: the model reads the files too`);

  const parsed = new ParsedFiles();
  const one = parsed.documents('a.yaml', Buffer.from('apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n'));
  (one.values[0].value as { metadata: { name: string } }).metadata.name = 'changed';
  const two = parsed.documents('b.yaml', Buffer.from('apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n'));
  assert.equal((two.values[0].value as { metadata: { name: string } }).metadata.name, 'shop');
});
