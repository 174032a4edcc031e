import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../compiler/model';
import { assertConforms } from '../catalogue/helpers';
import { REPO_ROOT, tempDir } from '../support/helpers';
import { FIXTURE, installProject, InstallMode, packedFiles, runTs, typecheck } from './install';

function readYamlTree(dir: string): KubeObject[] {
  const out: KubeObject[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml') {
        for (const doc of parseAllDocuments(fs.readFileSync(full, 'utf8'))) out.push(doc.toJS() as KubeObject);
      }
    }
  };
  walk(dir);
  return out;
}

test('the fixture imports the library by its package name only', () => {
  for (const file of fs.readdirSync(path.join(FIXTURE, 'src'))) {
    const text = fs.readFileSync(path.join(FIXTURE, 'src', file), 'utf8');
    const specifiers = [...text.matchAll(/(?:from|require(?:\.resolve)?\()\s*'([^']+)'/g)].map((m) => m[1]);
    for (const s of specifiers) {
      // The probe also tries one deep import, to check that it is refused.
      const negativeCheck = file === 'import-probe.ts' && s === 'waypoint-policy/constructs/app';
      assert.ok(negativeCheck || s === 'waypoint-policy' || s === 'waypoint-policy/package.json' || s.startsWith('./') || s.startsWith('node:'), `${file} imports ${s}`);
    }
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies['waypoint-policy'], '^0.1.0');
});

test('package.json exposes one entry with types, and no deep imports', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'waypoint-policy');
  assert.deepEqual(pkg.exports['.'], { types: './index.ts', default: './index.ts' });
  assert.equal(pkg.types, 'index.ts');
  assert.equal(pkg.main, 'index.ts');
});

test('npm pack would publish the library and not the tests or generated output', () => {
  const files = packedFiles();
  for (const f of ['package.json', 'index.ts', 'constructs/index.ts', 'constructs/define-plugin.ts', 'compiler/synth.ts', 'cli/bin.cjs']) {
    assert.ok(files.includes(f), `${f} is published`);
  }
  assert.deepEqual(files.filter((f) => /^(test|dist|policies|bench|node_modules)\//.test(f)), []);
});

test("the tsconfig docs/library.md gives users is the one the installed package is type-checked with", () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'library.md'), 'utf8');
  const block = /```json\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('tsc --init')));
  assert.ok(block, 'a json block after the tsc --init note');
  const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'tsconfig.json'), 'utf8'));
  assert.deepEqual(JSON.parse(block[1].replace(/^ {2}/gm, '')), fixture);
});

test('the install commands README.md and docs/library.md give bring every package the tested type check needs', () => {
  // The fixture is type-checked with these beside the library (install.ts links them).
  const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const needed = ['tsx', 'typescript', ...Object.keys(fixture.devDependencies)];
  assert.ok(needed.includes('@types/node'));
  for (const doc of ['README.md', 'docs/library.md']) {
    const text = fs.readFileSync(path.join(REPO_ROOT, doc), 'utf8');
    const installed = [...text.matchAll(/npm install ([^`\n]+)/g)].flatMap((m) => m[1].split(/\s+/)).map((arg) => arg.replace(/(.)@[^/]*$/, '$1'));
    for (const pkg of needed) assert.ok(installed.includes(pkg), `${doc} installs ${pkg}; it installs ${installed.join(' ')}`);
  }
});

test('every relative import of a published file resolves to a published file (each command works when installed)', () => {
  const files = packedFiles();
  const published = new Set(files);
  const missing: string[] = [];
  for (const file of files.filter((f) => /\.(ts|cjs|js)$/.test(f) && !f.endsWith('.d.ts'))) {
    // Examples in doc comments import the user's own files.
    const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
      const candidates = ['', '.ts', '.cjs', '.js', '.json', '/index.ts'].map((ext) => target + ext);
      if (!candidates.some((c) => published.has(c))) missing.push(`${file} -> ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
  for (const command of ['synth', 'validate', 'check', 'explain', 'diff']) assert.ok(published.has(`cli/commands/${command}.ts`), command);
});

for (const mode of ['link', 'packed'] as InstallMode[]) {
  test(`${mode}: the external package defines its own plugin, synthesizes, and passes the real-CRD check`, () => {
    const project = installProject(mode);
    const out = path.join(tempDir('wp-pkg-out-'), 'dist');
    const r = runTs(project, 'src/synth.ts', [out]);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { files: string[]; findings: string[] };
    assert.ok(summary.files.includes('default/2-policies/storefront/wasmplugin-team-header.yaml'), summary.files.join('\n'));
    assert.deepEqual(summary.findings.filter((f) => f.startsWith('error:')), []);

    const objects = readYamlTree(out);
    const stamp = objects.find((o) => o.kind === 'WasmPlugin' && o.metadata.name === 'team-header');
    assert.ok(stamp);
    assert.deepEqual(stamp.spec, {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
      url: 'oci://registry.acme.example/wasm/header-stamp:2.1.0',
      sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      phase: 'STATS',
      failStrategy: 'FAIL_CLOSE',
      pluginConfig: { header_name: 'x-acme-team', header_value: 'storefront' },
    });
    assert.equal(stamp.metadata.labels?.['app.kubernetes.io/part-of'], 'acme-mesh');
    assert.ok(objects.some((o) => o.kind === 'WasmPlugin' && o.metadata.name === 'rate-limit'), 'catalogue plugins work from the package too');
    assert.ok(objects.filter((o) => o.kind === 'WasmPlugin' || o.kind === 'Gateway').length >= 3);
    assertConforms(objects);
  });
}

test("the package's own plugin is validated like the catalogue: construction rule ids, synth analysis", () => {
  const project = installProject('link');
  const r = runTs(project, 'src/invalid.ts');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { constructionRules: string[]; synthFindings: Array<{ rule: string; severity: string; message: string }> };
  assert.deepEqual(out.constructionRules, ['acme-header-stamp/header-name']);
  const warning = out.synthFindings.find((f) => f.rule === 'acme-header-stamp/envoy-header' || f.message.includes('[acme-header-stamp/envoy-header]'));
  assert.ok(warning, JSON.stringify(out.synthFindings));
  assert.equal(warning.severity, 'warning');
});

test('the exports map carries the types: the package type-checks against the library (tsc, node16 resolution)', () => {
  const project = installProject('link');
  for (const file of fs.readdirSync(path.join(project, 'src'))) {
    assert.doesNotMatch(fs.readFileSync(path.join(project, 'src', file), 'utf8'), /@ts-nocheck/, `${file} is really checked`);
  }
  const r = typecheck(project);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});

test('importing the package has no side effects: no env read, nothing written, no handles, cwd untouched', () => {
  const project = installProject('link');
  const emptyCwd = tempDir('wp-empty-cwd-');
  const r = runTs(project, 'src/import-probe.ts', [], { cwd: emptyCwd, env: { ...process.env, CDK8S_OUTDIR: path.join(emptyCwd, 'would-be-dist') } });
  assert.equal(r.status, 0, r.stderr);
  const probe = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(probe.resolved, fs.realpathSync(path.join(REPO_ROOT, 'index.ts')), 'resolved through the exports map');
  assert.equal(probe.deepImportBlocked, true, 'deep imports are not part of the API');
  for (const name of ['PolicyApp', 'definePlugin', 'BasicAuth', 'LocalRateLimit', 'OpenPolicyAgent', 'GrpcAccessLogging', 'ProtectedService', 'protectPaths', 'MeshBaseline', 'stampAcrossNamespaces', 'compileApp', 'synthToDirectory', 'z', 'Duration', 'Construct']) {
    assert.ok(probe.exports.includes(name), `exports ${name}`);
  }
  assert.deepEqual(probe.libraryEnvReads, [], 'the library reads no environment variable on import');
  assert.deepEqual(probe.libraryWrites, [], 'the library writes no file on import');
  assert.equal(probe.exitListenersAdded, 0);
  assert.deepEqual(probe.activeResourcesAdded, [], 'no timer, socket or other handle is left running');
  assert.deepEqual(fs.readdirSync(emptyCwd), [], 'the working directory stays empty');
});

test('the side-effect probe is not vacuous: it catches a package that reads env and writes on import', () => {
  const project = installProject('link');
  const fake = path.join(project, 'node_modules', 'waypoint-policy');
  fs.unlinkSync(fake);
  fs.mkdirSync(fake);
  fs.writeFileSync(path.join(fake, 'package.json'), JSON.stringify({ name: 'waypoint-policy', version: '0.1.0', exports: { '.': './index.ts', './package.json': './package.json' } }));
  fs.writeFileSync(path.join(fake, 'index.ts'), "import * as fs from 'node:fs';\nexport const home = process.env.HOME;\nfs.writeFileSync('side-effect.txt', 'x');\n");
  const emptyCwd = tempDir('wp-empty-cwd-');
  const r = runTs(project, 'src/import-probe.ts', [], { cwd: emptyCwd });
  assert.equal(r.status, 0, r.stderr);
  const probe = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(probe.libraryEnvReads.map((e: { key: string }) => e.key), ['HOME']);
  assert.deepEqual(probe.libraryWrites.map((w: { fn: string; target: string }) => `${w.fn} ${w.target}`), ['writeFileSync side-effect.txt']);
  assert.deepEqual(fs.readdirSync(emptyCwd), ['side-effect.txt']);
});
