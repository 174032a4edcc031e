import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { compileApp } from '../../compiler/synth';
import { PolicyApp } from '../../index';
import { REPO_ROOT, tempDir } from '../support/helpers';

/**
 * Every ```ts block in these documents that imports 'waypoint-policy' is a
 * complete policy program: it must compile without errors.
 */
const DOCUMENTS = ['README.md', 'docs/security.md'];

function programs(doc: string): string[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, doc), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes("from 'waypoint-policy'"));
}

for (const doc of DOCUMENTS) {
  programs(doc).forEach((code, i) => {
    test(`${doc} example #${i + 1} compiles without errors`, () => {
      const dir = tempDir();
      const file = path.join(dir, `example-${i}.ts`);
      // The package's main entry (index.ts), so an example can use only what it exports.
      const lib = path.join(REPO_ROOT, 'index').split(path.sep).join('/');
      fs.writeFileSync(file, code.replace(/from 'waypoint-policy'/g, `from '${lib}'`));
      process.env.SHOP_ADMIN = 'shop:admin';
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const app = require(file).default;
        assert.ok(PolicyApp.isPolicyApp(app), 'the example default-exports a PolicyApp');
        const result = compileApp(app);
        assert.deepEqual(result.findings.filter((f) => f.severity === 'error'), []);
        assert.ok(result.files.size > 0);
      } finally {
        delete process.env.SHOP_ADMIN;
      }
    });
  });
}

test('the README example is found (the extraction itself works)', () => {
  assert.equal(programs('README.md').length, 1);
});
