import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { parse } from 'yaml';
import { compileApp } from '../../compiler/synth';
import { checkManifests, PolicyApp } from '../../index';
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

/** The README's table that walks through policies/bookinfo.ts, one row a step of Istio's guide. */
function walkthroughRows(): { policy: string[]; files: string[] }[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const table = /^\| Guide step \(by hand\) \| Policy \| Generated file under `dist\/demo\/` \|\n\|[- |]+\|\n((?:\|.*\|\n)+)/m.exec(text);
  assert.ok(table, 'README.md has the walkthrough table');
  return table[1].trimEnd().split('\n').map((row) => {
    const [, policy, files] = row.split(' | ');
    const spans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    return { policy: spans(policy), files: spans(files).filter((s) => s.endsWith('.yaml')) };
  });
}

test("the README's walkthrough names every file policies/ compiles to under dist/demo/, and only those", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const app = require(path.join(REPO_ROOT, 'policies', 'main')).default;
  const compiled = [...compileApp(app).files.keys()].filter((f) => f.startsWith('demo/') && !f.endsWith('kustomization.yaml'));
  const named = walkthroughRows().flatMap((r) => r.files.map((f) => `demo/${f}`));
  assert.ok(compiled.length > 0);
  assert.deepEqual([...named].sort(), [...compiled].sort());
});

test("the README's walkthrough quotes policies/bookinfo.ts as it is written", () => {
  // Compared without line breaks or indentation; `...` in the README stands for code left out.
  const source = fs.readFileSync(path.join(REPO_ROOT, 'policies', 'bookinfo.ts'), 'utf8').replace(/\s+/g, ' ');
  const spans = walkthroughRows().flatMap((r) => r.policy);
  for (const file of spans.filter((s) => s.endsWith('.ts'))) assert.ok(fs.existsSync(path.join(REPO_ROOT, file)), `${file} exists`);
  const quoted = spans.filter((s) => !s.endsWith('.ts'));
  assert.ok(quoted.length >= 8, 'the policy column is found (the extraction itself works)');
  const missing = quoted.filter((code) => {
    const pattern = code.split('...').map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?');
    return !new RegExp(pattern).test(source);
  });
  assert.deepEqual(missing, [], 'README quotes code that policies/bookinfo.ts does not hold');
});

test("the README's test-API example passes against policies/ and the committed dist/", () => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes("from 'waypoint-policy/testing'"));
  assert.equal(blocks.length, 1);
  const abs = (...parts: string[]) => path.join(REPO_ROOT, ...parts).split(path.sep).join('/');
  const code = blocks[0]
    .replace(/'waypoint-policy\/testing'/g, `'${abs('simulator', 'testing')}'`)
    .replace(/'\.\/main'/g, `'${abs('policies', 'main')}'`)
    .replace(/\('dist'/g, `('${abs('dist')}'`);
  assert.notEqual(code, blocks[0]);
  const file = path.join(tempDir(), 'readme-testing.ts');
  fs.writeFileSync(file, code);
  // Its expectations throw an AssertionError when the answer differs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(file);
});

test("docs/security.md's Flux example: the policies stage's Kustomization, a valid one, substitutes the placeholder from the Secret it names", () => {
  const [code] = programs('docs/security.md').filter((c) => c.includes('fluxSubstitution'));
  assert.ok(code, 'docs/security.md has a program using Credential.fluxSubstitution');
  const file = path.join(tempDir(), 'flux.ts');
  fs.writeFileSync(file, code.replace(/from 'waypoint-policy'/g, `from '${path.join(REPO_ROOT, 'index').split(path.sep).join('/')}'`));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const result = compileApp(require(file).default);
  assert.deepEqual(result.findings.map((f) => f.rule), ['supply-chain/unpinned-module']);
  const secret = /substituteFrom: \[\{ name: '([^']+)' \}\]/.exec(code)?.[1];
  const placeholder = /fluxSubstitution\('([A-Z_]+)'\)/.exec(code)?.[1];
  const policies = [...result.files].filter(([f]) => /^delivery\/flux\/[^/]+\/kustomization-.*-policies\.yaml$/.test(f));
  assert.equal(policies.length, 1);
  const kustomization = parse(policies[0][1]);
  new Kustomization(kustomization).validate();
  assert.match(kustomization.spec.path, /\/2-policies$/);
  assert.deepEqual(kustomization.spec.postBuild.substituteFrom.map((s: { kind: string; name: string }) => [s.kind, s.name]), [['Secret', secret]]);
  const plugins = [...result.files].filter(([f]) => f.includes('/2-policies/') && f.includes('wasmplugin-'));
  assert.ok(plugins.length === 1 && plugins[0][1].includes(`"\${${placeholder}}"`), 'the WasmPlugin holds the placeholder');
});

test("docs/plugins.md's hand-written manifest is refused by validate --manifests with the rule it names", () => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'plugins.md'), 'utf8');
  const m = /refused with\n`([a-z0-9-]+\/[a-z0-9-]+)`:\n\n```yaml\n([\s\S]*?)```/.exec(text);
  assert.ok(m, 'docs/plugins.md has the example (the extraction itself works)');
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'rate-limit.yaml'), m[2]);
  const { findings, objects } = checkManifests(dir);
  assert.equal(objects, 1);
  const errors = findings.filter((f) => f.severity === 'error');
  assert.deepEqual(errors.map((f) => f.rule), [m[1]]);
});
