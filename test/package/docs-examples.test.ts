/**
 * Every ```ts block of docs/plugins.md and docs/library.md is a complete
 * program that imports 'waypoint-policy' by its package name. Each is copied
 * into a project where the library is installed, type-checked there with
 * tsc (as user code against the package's types), and run: it must
 * default-export a PolicyApp that compiles without errors to objects that
 * pass the real-CRD check, or, when its first line says
 * `// throws: <rule>`, fail at construction with that rule. What an example
 * prints must match the comment after its console.log (`// waypoint true`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { format } from 'node:util';
import { compileApp } from '../../compiler/synth';
import { isPolicyError, PolicyApp } from '../../constructs';
import { assertConforms } from '../catalogue/helpers';
import { REPO_ROOT } from '../support/helpers';
import { installProject, typecheck } from './install';

const DOCUMENTS = ['docs/plugins.md', 'docs/library.md'];

/** Environment the examples read credentials from. */
const EXAMPLE_ENV: Record<string, string> = {
  SHOP_ADMIN: 'shop:admin-pass',
  ORDERS_ADMIN: 'orders:admin-pass',
  TEAMS_ADMIN: 'teams:admin-pass',
};

interface Example {
  readonly doc: string;
  readonly index: number;
  readonly code: string;
  readonly file: string;
}

function examples(): Example[] {
  return DOCUMENTS.flatMap((doc) =>
    [...fs.readFileSync(path.join(REPO_ROOT, doc), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m, index) => ({
      doc,
      index,
      code: m[1],
      file: `${path.basename(doc, '.md')}-${index + 1}.ts`,
    })),
  );
}

const all = examples();

test('the documents have examples, each importing only the package', () => {
  assert.ok(all.filter((e) => e.doc === 'docs/plugins.md').length >= 4);
  assert.ok(all.filter((e) => e.doc === 'docs/library.md').length >= 5);
  for (const e of all) {
    const specifiers = [...e.code.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(specifiers)], ['waypoint-policy'], `${e.doc} example ${e.index + 1}`);
  }
});

// One project for all the examples: one install, one tsc run.
const project = installProject('link', path.join(REPO_ROOT, 'test', 'package', 'fixture'));
const examplesDir = path.join(project, 'src', 'docs');
fs.mkdirSync(examplesDir);
for (const e of all) fs.writeFileSync(path.join(examplesDir, e.file), e.code);

test('every example type-checks as user code against the package types', () => {
  const r = typecheck(project);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});

for (const e of all) {
  const expected = /^\/\/ throws: (\S+)/.exec(e.code)?.[1];
  test(`${e.doc} example ${e.index + 1} ${expected ? `fails with ${expected}` : 'compiles without errors and passes the real CRDs'}`, () => {
    Object.assign(process.env, EXAMPLE_ENV);
    const load = () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(path.join(examplesDir, e.file)) as { default?: unknown };
    };
    const log = console.log;
    const printed: string[] = [];
    console.log = (...args: unknown[]) => printed.push(format(...args));
    try {
      if (expected) {
        assert.throws(load, (err: unknown) => isPolicyError(err) && err.findings.some((f) => f.rule === expected));
        return;
      }
      const app = load().default;
      assert.ok(PolicyApp.isPolicyApp(app), 'the example default-exports a PolicyApp');
      const result = compileApp(app);
      assert.deepEqual(result.findings.filter((f) => f.severity === 'error'), []);
      assert.ok(result.files.size > 0);
      assertConforms(result.collected.model.objects.map((o) => o.manifest));
      const squash = (t: string) => t.replace(/\s+/g, '');
      for (const m of e.code.matchAll(/console\.log\(.*\);\s*\/\/ (.+)$/gm)) {
        const claim = m[1].replace(/, \.\.\.$/, '');
        assert.ok(printed.some((line) => squash(line).includes(squash(claim))), `prints ${claim}; printed ${JSON.stringify(printed)}`);
      }
    } finally {
      console.log = log;
    }
  });
}
