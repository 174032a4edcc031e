import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { documentedRules, exampleLanguage, renderRulesDoc } from '../../analysis/docs';
import { DOCUMENTED_ELSEWHERE, RULES } from '../../analysis/rules';
import { REPO_ROOT } from '../support/helpers';
import { runExample } from './harness';

const RULES_MD = path.join(REPO_ROOT, 'docs', 'rules.md');

test('docs/rules.md is up to date with the rule registry (regenerate: npx tsx analysis/docs.ts > docs/rules.md)', () => {
  assert.equal(fs.readFileSync(RULES_MD, 'utf8'), renderRulesDoc());
});

test('every rule has a stable id, a severity and complete docs', () => {
  const ids = new Set<string>();
  for (const r of documentedRules()) {
    assert.match(r.id, /^[a-z0-9-]+\/[a-z0-9-]+$/, r.id);
    assert.ok(!ids.has(r.id), `${r.id} twice`);
    ids.add(r.id);
    assert.ok(r.severity === 'error' || r.severity === 'warning', r.id);
    for (const k of ['summary', 'bad', 'message', 'fix'] as const) assert.ok(r.docs[k].trim().length > 0, `${r.id}: docs.${k} is empty`);
  }
  assert.ok(RULES.length >= 30, `${RULES.length} analysis rules`);
});

// Every documented example runs as docs/rules.md says it does (its preamble and the harness's
// runExample agree on how), whatever its family: the claim at the top of the reference is checked
// here, not assumed.
const OWNED_HERE = new Set([...RULES, ...DOCUMENTED_ELSEWHERE].map((r) => r.id));

test('the reference says how its examples run, and that this test runs them', () => {
  const doc = renderRulesDoc();
  assert.match(doc, /checked with `waypoint-policy validate --manifests`/);
  assert.match(doc, /checked with `waypoint-policy validate --app`/);
  assert.match(doc, /test\/analysis\/docs\.test\.ts runs every example and\nchecks all of this/);
});

for (const r of documentedRules()) {
  test(`the documented example of ${r.id} reports it with the documented message`, async () => {
    if (exampleLanguage(r.docs.bad) === 'shell') assert.match(r.docs.bad, /^waypoint-policy [\w ./-]+$/, 'a command line runs as plain words');
    if (r.docs.severity !== undefined) assert.notEqual(r.docs.severity, r.severity, 'docs.severity is only for a raised severity');
    const { findings, run } = await runExample(r.docs.bad);
    const hit = findings.filter((f) => f.rule === r.id);
    assert.ok(hit.length > 0, `no ${r.id} finding:\n${run.text}`);
    const same = hit.filter((f) => f.message === r.docs.message);
    assert.ok(same.length > 0, `documented: ${r.docs.message}\nactual: ${hit.map((f) => f.message).join('\n')}`);
    const severity = r.docs.severity ?? r.severity;
    assert.ok(same.every((f) => f.severity === severity), `documented severity ${severity}: ${JSON.stringify(same)}`);
    // The plugin catalogue's and the patterns' docs (constructs/) show the fix in general terms.
    if (OWNED_HERE.has(r.id)) assert.ok(same.some((f) => f.fix === r.docs.fix), `documented fix: ${r.docs.fix}\nactual: ${same.map((f) => f.fix).join('\n')}`);
  });
}

// The families documented in analysis/rules/, whose every id in the source must be documented. The
// plugin catalogue's and the patterns' ids are documented with their modules (constructs/), and checked
// in test/catalogue/rule-docs.test.ts.
const DOCUMENTED_HERE = /^(schema|plugin|binding|waypoint|names|objects|basic-auth|service|scope|props|construct|policy|manifests|supply-chain|credentials|delivery|gitops|output|library)\//;

/** Rule ids written in the source: `rule: 'x/y'`, `ruleParams('x/y'`, `fail(scope, 'x/y'` (on one line or several), `id: 'x/y'`. */
function idsInSource(): Map<string, string> {
  const found = new Map<string, string>();
  const pattern = /(?:rule: |ruleParams\(|fail\(\s*[A-Za-z]+,\s*|\bid: )'([a-z0-9-]+\/[a-z0-9-]+)'/g;
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        for (const m of fs.readFileSync(full, 'utf8').matchAll(pattern)) if (!found.has(m[1])) found.set(m[1], path.relative(REPO_ROOT, full));
      }
    }
  };
  for (const d of ['constructs', 'compiler', 'analysis', 'cli']) walk(path.join(REPO_ROOT, d));
  return found;
}

test('every rule id the constructs, compiler and analysis use in these families is documented', () => {
  const documented = new Set(documentedRules().map((r) => r.id));
  const missing = [...idsInSource()].filter(([id]) => DOCUMENTED_HERE.test(id) && !documented.has(id)).map(([id, file]) => `${id} (${file})`);
  assert.deepEqual(missing, []);
});
