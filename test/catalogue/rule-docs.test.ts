import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../analysis/analyze';
import { readManifests } from '../../compiler/read-manifests';
import { CATALOGUE, CATALOGUE_RULES, isPolicyError, PATTERN_RULES } from '../../constructs';
import * as library from '../../index';
import { REPO_ROOT, tempDir } from '../support/helpers';

/** The rules reference's preamble and environment (analysis/docs.ts), kept in step here. */
const PREAMBLE = `const app = new PolicyApp();
const ns = new MeshNamespace(app, 'shop');
const waypoint = new Waypoint(ns, 'waypoint');`;
process.env.ADMIN_CREDENTIAL = 'admin:s3cret';

const dir = tempDir('wp-rule-docs-');
let n = 0;

/** Findings of a hand-written manifest, through the validate --manifests path. */
function manifestFindings(yaml: string) {
  const d = path.join(dir, `m${n++}`);
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'example.yaml'), `${yaml}\n`);
  const { model, findings } = readManifests(d);
  return [...findings, ...analyze(model)];
}

/** Run a TypeScript example after the preamble; the PolicyError it throws, or the app's compile findings. */
function programFindings(body: string) {
  const file = path.join(dir, `p${n++}.ts`);
  const lib = path.join(REPO_ROOT, 'index').split(path.sep).join('/');
  const names = Object.keys(library).join(', ');
  fs.writeFileSync(file, `import * as lib from '${lib}';\nconst { ${names} } = lib;\nexport function run() {\n${PREAMBLE}\n${body}\nreturn lib.compileApp(app).findings;\n}\n`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { run: () => readonly { rule: string; severity: string; message: string }[] };
  try {
    return mod.run();
  } catch (e) {
    if (isPolicyError(e)) return e.findings;
    throw e;
  }
}

const entries = [...CATALOGUE_RULES, ...PATTERN_RULES];

test('every documented id is unique and names its module', () => {
  const ids = entries.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const d of CATALOGUE) for (const r of d.rules ?? []) assert.ok(r.id.startsWith(`${d.name}/`), r.id);
});

for (const entry of entries) {
  test(`${entry.id}: the documented example reports it, with the documented message`, () => {
    const yaml = /^apiVersion:/m.test(entry.docs.bad);
    const findings = yaml ? manifestFindings(entry.docs.bad) : programFindings(entry.docs.bad);
    const hit = findings.find((f) => f.rule === entry.id || f.message.includes(`[${entry.id}]`));
    assert.ok(hit, `${entry.id} is reported; got ${JSON.stringify(findings.map((f) => `${f.rule}: ${f.message}`), null, 1)}`);
    assert.equal(hit.message, entry.docs.message, 'the documented message, exactly');
    assert.equal(hit.severity, entry.severity);
  });
}
