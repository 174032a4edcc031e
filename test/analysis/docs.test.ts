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

// The families this issue documents. Other families (supply-chain/, credentials/, delivery/, the plugin
// catalogue's, the patterns'...) belong to the issues that add them, whose tests run their examples.
const DOCUMENTED_HERE = /^(schema|plugin|binding|waypoint|names|objects|basic-auth|service|scope|props|construct|policy|manifests)\//;

const MINE = new Set([...RULES, ...DOCUMENTED_ELSEWHERE].map((r) => r.id).filter((id) => DOCUMENTED_HERE.test(id)));

for (const r of documentedRules().filter((e) => MINE.has(e.id) && exampleLanguage(e.docs.bad) !== 'shell')) {
  test(`the documented example of ${r.id} produces the documented message`, async () => {
    const { findings, run } = await runExample(r.docs.bad, exampleLanguage(r.docs.bad) as 'yaml' | 'ts');
    const hit = findings.filter((f) => f.rule === r.id);
    assert.ok(hit.length > 0, `no ${r.id} finding:\n${run.text}`);
    assert.ok(hit.some((f) => f.message === r.docs.message), `documented: ${r.docs.message}\nactual: ${hit.map((f) => f.message).join('\n')}`);
    assert.ok(hit.every((f) => f.severity === r.severity), `documented severity ${r.severity}: ${JSON.stringify(hit)}`);
  });
}

/** Rule ids written in the source: `rule: 'x/y'`, `ruleParams('x/y'`, `fail(scope, 'x/y'`, `id: 'x/y'`. */
function idsInSource(): Map<string, string> {
  const found = new Map<string, string>();
  const pattern = /(?:rule: |ruleParams\(|fail\([A-Za-z]+, |\bid: )'([a-z0-9-]+\/[a-z0-9-]+)'/g;
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
