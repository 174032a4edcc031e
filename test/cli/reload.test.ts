import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadApp } from '../../cli/load-app';
import { isPolicyError } from '../../constructs';
import { REPO_ROOT, tempDir } from '../support/helpers';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

/** Where loading `file` fails: the source of its one finding. */
function failingLine(dir: string, file: string): string | undefined {
  try {
    loadApp(file, dir);
  } catch (e) {
    if (isPolicyError(e)) return e.findings[0]?.source;
    throw e;
  }
  assert.fail('the policy should fail');
}

// The second MeshNamespace is refused (construct/duplicate-id) at its line. The
// edit puts a line break where a space was: every character after it keeps its
// position, but that construct moves one line down.
for (const [file, header] of [
  ['main.js', `const wp = require('${LIB}');`],
  ['main.ts', `import * as wp from '${LIB}';`],
] as const) {
  test(`a ${path.extname(file)} policy loaded again after an edit is reported at its new lines, not the ones the first load cached`, () => {
    const dir = tempDir('wp-reload-');
    const exported = file.endsWith('.js') ? 'module.exports = app;' : 'export default app;';
    const write = (gap: string) => fs.writeFileSync(path.join(dir, file), `${header}\nconst app = new wp.PolicyApp();\nconst ns =${gap}new wp.MeshNamespace(app, 'shop');\nnew wp.MeshNamespace(app, 'shop');\n${exported}\n`);
    write(' ');
    assert.equal(failingLine(dir, file), `${path.join(dir, file)}:4`);
    write('\n');
    assert.equal(failingLine(dir, file), `${path.join(dir, file)}:5`);
  });
}
