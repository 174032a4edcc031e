/**
 * Unchanged files are hard-linked from the live tree. The live file can be
 * replaced between the comparison and the link (another synth of the same
 * folder swapping its tree in, an editor saving by rename): the new tree must
 * then hold what synth rendered, not the file that arrived meanwhile.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { GENERATED_PREFIX, readTree, writeTreeAtomically } from '../../compiler/write';
import { tempDir } from '../support/helpers';

// The module object tree-writer.cjs calls (the namespace import is a copy).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs = require('node:fs') as typeof import('node:fs');

const file = (body: string) => `${GENERATED_PREFIX}. Do not edit by hand.\n${body}\n`;

test('a live file replaced just before it is linked is not kept: the new tree holds what synth rendered', () => {
  const out = path.join(tempDir('wp-link-race-'), 'dist');
  const tree = new Map([
    ['prod/a.yaml', file('a: 1')],
    ['prod/b.yaml', file('b: 1')],
  ]);
  writeTreeAtomically(out, tree);

  // The known point: the first hard link of a live file. Another synth's tree
  // lands there first (a rename, as its swap does).
  const linkSync = nodeFs.linkSync;
  let replaced = false;
  nodeFs.linkSync = (existing, target) => {
    if (!replaced && String(existing).startsWith(out + path.sep)) {
      replaced = true;
      const other = path.join(path.dirname(out), 'other.yaml');
      nodeFs.writeFileSync(other, file('from: another synth'));
      nodeFs.renameSync(other, String(existing));
    }
    linkSync(existing, target);
  };
  try {
    writeTreeAtomically(out, tree);
  } finally {
    nodeFs.linkSync = linkSync;
  }
  assert.ok(replaced, 'the hook ran');
  assert.deepEqual(readTree(out), tree);
});
