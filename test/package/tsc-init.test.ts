/**
 * A team that starts its policy project with `tsc --init` gets TypeScript's
 * default tsconfig, under which the library's sources (which the team's tsc
 * checks: they are not .d.ts files) fail. docs/library.md names the settings
 * to change; with exactly those changed, the installed package type-checks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT, tempDir } from '../support/helpers';
import { typecheckEntryPoints } from './install';

/** What docs/library.md says to change in the `tsc --init` tsconfig. */
const CHANGES: Record<string, unknown> = {
  noUncheckedIndexedAccess: false,
  exactOptionalPropertyTypes: false,
  verbatimModuleSyntax: false,
  types: ['node'],
};

/** The tsconfig.json `tsc --init` writes with the TypeScript the repo pins. */
function tscInitConfig(): { compilerOptions: Record<string, unknown> } {
  const dir = tempDir('wp-tsc-init-');
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--init'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const parsed = ts.parseConfigFileTextToJson('tsconfig.json', fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
  assert.ok(parsed.config, 'tsc --init wrote a tsconfig');
  return parsed.config;
}

test("the installed package type-checks under tsc --init's tsconfig with the changes docs/library.md names", () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'library.md'), 'utf8').replace(/\s+/g, ' ');
  const note = doc.slice(doc.indexOf('`tsc --init`'), doc.indexOf('```json'));
  for (const key of Object.keys(CHANGES).filter((k) => k !== 'types')) assert.ok(note.includes(`\`${key}\``), `docs/library.md's tsc --init note names ${key}`);
  assert.ok(note.includes('"types": ["node"]'), 'docs/library.md says to set "types": ["node"]');

  const init = tscInitConfig();
  for (const key of Object.keys(CHANGES)) assert.ok(key in init.compilerOptions, `tsc --init still sets ${key}`);
  const r = typecheckEntryPoints({ compilerOptions: { ...init.compilerOptions, ...CHANGES, noEmit: true }, include: ['src'] });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});
