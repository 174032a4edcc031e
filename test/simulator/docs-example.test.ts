/**
 * docs/simulator.md's examples are real: the test-API example runs as a
 * node:test file in a child process (as a user's runner would), and the
 * evaluator example registers an evaluator the simulator then uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { pluginEvaluatorFor } from '../../simulator/evaluators';
import { REQUEST_FIELDS } from '../../simulator/request';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';

const DOC = fs.readFileSync(path.join(REPO_ROOT, 'docs/simulator.md'), 'utf8');
const abs = (rel: string) => path.join(REPO_ROOT, rel).split(path.sep).join('/');

function block(after: RegExp): string {
  const m = new RegExp(`${after.source}[\\s\\S]*?\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  assert.ok(m, `docs/simulator.md has a ts block after ${after}`);
  return m[1];
}

test('the test-API example in docs/simulator.md passes as a node:test file', async () => {
  const code = block(/<!-- example: test-api -->/)
    .replace(/'waypoint-policy\/testing'/g, `'${abs('simulator/testing')}'`)
    .replace(/'\.\/main'/g, `'${abs('policies/main')}'`);
  const dir = tempDir('wp-doc-');
  const io = captureIo();
  assert.equal(await main(['synth', '--outdir', path.join(dir, 'dist')], io), 0, io.text());
  fs.writeFileSync(path.join(dir, 'guide.test.ts'), code);
  const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  // Run as a user would, not as a child of this runner (which reports through NODE_TEST_CONTEXT).
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, [tsx, '--test', '--test-reporter=tap', 'guide.test.ts'], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /# pass 3\n/);
  assert.match(run.stdout, /# fail 0\n/);
});

test('the evaluator example in docs/simulator.md registers an evaluator for its module', () => {
  const code = block(/## Adding an evaluator for another module/).replace(/'waypoint-policy\/simulator'/g, `'${abs('simulator/index')}'`);
  const file = path.join(tempDir('wp-doc-'), 'evaluator.ts');
  fs.writeFileSync(file, code);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(file);
  const evaluator = pluginEvaluatorFor('oci://ghcr.io/istio-ecosystem/wasm-extensions/open_policy_agent:1.13.0');
  assert.equal(evaluator?.name, 'open_policy_agent 1.12.0');
  assert.equal(pluginEvaluatorFor('oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0')?.name, 'basic_auth 1.12.0');
});

test('the readManifests example in docs/simulator.md runs from the public entry and prints the status it claims', async () => {
  const code = block(/<!-- example: read-manifests -->/).replace(/'waypoint-policy\/simulator'/g, `'${abs('simulator/index')}'`);
  const claimed = /console\.log\(r\.status\); \/\/ (\d+)/.exec(code)?.[1];
  assert.ok(claimed);
  const dir = tempDir('wp-doc-');
  const io = captureIo();
  assert.equal(await main(['synth', '--outdir', path.join(dir, 'dist')], io), 0, io.text());
  fs.writeFileSync(path.join(dir, 'read.ts'), code);
  const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const run = spawnSync(process.execPath, [tsx, 'read.ts'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), claimed);
});

test("docs/simulator.md lists every simulator/<field> rule id, and rules.md points there", () => {
  const listed = [...DOC.matchAll(/^\| `simulator\/([a-z]+)`/gm)].map((m) => m[1]);
  assert.deepEqual(listed, [...REQUEST_FIELDS]);
  assert.match(fs.readFileSync(path.join(REPO_ROOT, 'docs/rules.md'), 'utf8'), /\[simulator\.md\]\(simulator\.md#request-errors\)/);
});
