/**
 * A synth killed while it removes the retired copy of the output (after the
 * swap, the slowest part of a large synth, where Ctrl-C lands when the run
 * looks finished) leaves that copy half-deleted. It must never be taken for
 * the last output: once `dist/` is gone (a person's `rm -rf dist`, a branch
 * without it), the next synth put it back as `dist/`, half of it, and left it
 * there when that synth failed; `check` named it as the folder to recover.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { readTree } from '../../compiler/write';
import { captureIo, REPO_ROOT, tempDir, writePolicy } from '../support/helpers';

const policy = (name: string, extra = '') => `const app = new wp.PolicyApp();
const target = new wp.Target(app, 'prod');
for (const ns of ['a', 'b', 'c']) new wp.Waypoint(new wp.MeshNamespace(target, ns), '${name}');
${extra}
export default app;`;

// Runs synth in a child that kills itself (SIGKILL: no handler can run) once
// the removal of the retired copy has deleted one file of it: a known point,
// not a race.
const KILLED_IN_CLEANUP = `
require(${JSON.stringify(path.join(REPO_ROOT, 'cli', 'register.cjs'))});
const fs = require('node:fs');
const path = require('node:path');
const rmSync = fs.rmSync;
fs.rmSync = (p, options) => {
  if (/^\\.dist-(old|del)-/.test(path.basename(String(p)))) {
    const first = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (!e.isDirectory()) return full;
        const inner = first(full);
        if (inner) return inner;
      }
    };
    fs.unlinkSync(first(String(p)));
    process.kill(process.pid, 'SIGKILL');
  }
  return rmSync(p, options);
};
require(${JSON.stringify(path.join(REPO_ROOT, 'cli', 'main.ts'))}).main(process.argv.slice(1));
`;

test('a synth killed while removing the retired copy leaves nothing that a later synth or check takes for the output', async () => {
  const dir = tempDir('wp-killed-');
  const out = path.join(dir, 'dist');
  const v1 = writePolicy(dir, policy('waypoint'), 'v1.ts');
  const v2 = writePolicy(dir, policy('gateway'), 'v2.ts');
  const broken = writePolicy(dir, policy('gateway', "target.node.addValidation({ validate: () => ['refused by the test'] });"), 'broken.ts');
  assert.equal(await main(['synth', '--app', v1, '--outdir', out], captureIo(dir)), 0);

  const child = spawnSync(process.execPath, ['-e', KILLED_IN_CLEANUP, 'synth', '--app', v2, '--outdir', out], { cwd: dir, encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  // The swap was done: dist/ is v2, whole.
  const written = readTree(out);
  assert.ok([...written.keys()].some((f) => f.endsWith('gateway-gateway.yaml')));
  assert.ok(![...written.keys()].some((f) => f.endsWith('gateway-waypoint.yaml')));

  // dist/ goes away; what the killed run left is not an interrupted swap.
  fs.rmSync(out, { recursive: true });
  const io = captureIo(dir);
  assert.equal(await main(['check', '--app', v2, '--outdir', out], io), 1);
  assert.doesNotMatch(io.text(), /interrupted/);
  assert.match(io.text(), /does not exist/);

  // A synth that fails leaves dist/ as it was: missing, not half of v1.
  assert.equal(await main(['synth', '--app', broken, '--outdir', out], captureIo(dir)), 1);
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.dist-')), []);
});
