/**
 * The package ships sources, so a consumer's tsc checks the library with the
 * consumer's compiler options (skipLibCheck skips only .d.ts files). Beside
 * `strict`, team tsconfigs commonly turn on the unused-code and
 * control-flow checks; docs/library.md says the library passes them too.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURE, typecheckEntryPoints } from './install';

const LINT_FLAGS = { noUnusedLocals: true, noUnusedParameters: true, noImplicitReturns: true, noFallthroughCasesInSwitch: true };

test('the library type-checks in a consumer project that adds the unused-code and control-flow flags to strict', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'library.md'), 'utf8');
  for (const flag of Object.keys(LINT_FLAGS)) assert.ok(doc.includes(`\`${flag}\``), `docs/library.md names ${flag}`);
  const tsconfig = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'tsconfig.json'), 'utf8'));
  Object.assign(tsconfig.compilerOptions, LINT_FLAGS);
  const r = typecheckEntryPoints(tsconfig);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});
