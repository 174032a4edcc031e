/**
 * Progress of a long synth is shown on stderr only when asked (--progress)
 * or on a terminal once the run has taken a second; --verbose adds the per-phase timings. Neither changes
 * what is written.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { progressPrinter, TERMINAL_QUIET_MS } from '../../cli/progress-printer';
import { readTree } from '../../compiler/write';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';

process.env.WP_BENCH_CREDENTIAL ??= 'bench:bench-password';

/** A policy program: the bench mesh with `n` namespaces (22 objects each). */
function meshPolicy(n: number): string {
  const dir = tempDir('wp-progress-');
  const file = path.join(dir, 'main.ts');
  const mesh = path.join(REPO_ROOT, 'bench', 'mesh').split(path.sep).join('/');
  fs.writeFileSync(file, `import { buildMesh } from '${mesh}';\nexport default buildMesh(${n});\n`);
  return file;
}

test('--progress prints each phase and a counter on stderr; --verbose the timings', async () => {
  const app = meshPolicy(60);
  const out = path.join(tempDir('wp-progress-out-'), 'dist');
  const io = captureIo();
  assert.equal(await main(['synth', '--app', app, '--outdir', out, '--progress', '--verbose'], io), 0);
  assert.deepEqual(io.stdout, []);
  const err = io.stderr.join('\n');
  for (const line of [
    /^synth: loading .*main\.ts$/m,
    /^synth: constructed in \d+\.\d s$/m,
    /^synth: collect\.\.\.$/m,
    /^synth: collect 1000 objects$/m,
    /^synth: collect done: 1320 objects in \d+\.\d s$/m,
    /^synth: analyzing 1320 objects\.\.\.$/m,
    /^synth: analyze done in \d+\.\d s$/m,
    /^synth: render 1320 objects\.\.\.$/m,
    /^synth: render 1000\/1320 objects$/m,
    /^synth: render done: 1320 objects in \d+\.\d s$/m,
    /^synth: write\.\.\.$/m,
    /^synth: write 1000 files$/m,
    /^synth: write done: 1504 files in \d+\.\d s$/m,
    /^timings: load\+construct \d+ ms, collect \d+ ms, analyze \d+ ms, render \d+ ms, write \d+ ms, total \d+ ms$/m,
    /^ {2}1320 objects, \d+ finding\(s\), \d+ files; peak RSS \d+ MB; per 1000 objects: \d+ ms after construction$/m,
  ]) {
    assert.match(err, line);
  }
  // Phases come in order.
  const at = (s: string) => err.indexOf(s);
  assert.ok(at('synth: loading') < at('synth: collect...') && at('synth: collect...') < at('synth: analyzing') && at('synth: analyzing') < at('synth: analyze done') && at('synth: analyze done') < at('synth: render') && at('synth: render') < at('synth: write'));
  // No counter passes a total it claims (files are more than objects: kustomizations too).
  for (const m of err.matchAll(/ (\d+)\/(\d+) /g)) assert.ok(Number(m[1]) <= Number(m[2]), m[0]);

  // Without the flags (and not on a terminal): no progress, no timings, the same files.
  const out2 = path.join(tempDir('wp-progress-out-'), 'dist');
  const quiet = captureIo();
  assert.equal(await main(['synth', '--app', app, '--outdir', out2], quiet), 0);
  assert.doesNotMatch(quiet.text(), /^synth: (loading|collect|render|write)/m);
  assert.doesNotMatch(quiet.text(), /^timings:/m);
  assert.deepEqual(readTree(out2), readTree(out));
});

test('on a terminal, progress is on by default once the run has taken a second: a quick synth prints only its result', async () => {
  const app = meshPolicy(2);
  const io = { ...captureIo(), isTTY: true };
  const stderr: string[] = [];
  io.err = (t: string) => stderr.push(t);
  assert.equal(await main(['synth', '--app', app, '--outdir', path.join(tempDir('wp-progress-out-'), 'dist')], io), 0);
  // A second is far more than this synth of 44 objects takes, even on a loaded machine.
  assert.doesNotMatch(stderr.join('\n'), /^synth: (loading|collect|render|write)/m);
  assert.match(stderr.join('\n'), /^synth: 44 objects in 1 target\(s\)/m);
});

test('a terminal\'s progress printer drops the lines of the first second, then prints the phase under way from its next line on', () => {
  let clock = 0;
  const lines: string[] = [];
  const io = { ...captureIo(), err: (t: string) => lines.push(t) };
  const p = progressPrinter(io, { quietMs: TERMINAL_QUIET_MS, now: () => clock });
  p.line('loading main.ts');
  p.listener({ phase: 'collect', kind: 'start', done: 0 });
  clock = 400;
  p.listener({ phase: 'collect', kind: 'end', done: 3000 });
  clock = 1200;
  p.listener({ phase: 'render', kind: 'start', done: 0, total: 3000 });
  p.listener({ phase: 'render', kind: 'tick', done: 1000, total: 3000 });
  clock = 1500;
  p.listener({ phase: 'render', kind: 'end', done: 3000, total: 3000 });
  assert.deepEqual(lines, ['synth: analyze done in 0.8 s', 'synth: render 3000 objects...', 'synth: render 1000/3000 objects', 'synth: render done: 3000 objects in 0.3 s']);
  // Asked for (--progress), every line prints from the start.
  const all: string[] = [];
  const asked = progressPrinter({ ...io, err: (t: string) => all.push(t) }, { now: () => 0 });
  asked.line('loading main.ts');
  assert.deepEqual(all, ['synth: loading main.ts']);
});

test('--verbose on a small app gives the timings without a per-1000-objects rate, which would scale fixed costs up', async () => {
  const io = captureIo();
  assert.equal(await main(['synth', '--app', meshPolicy(2), '--outdir', path.join(tempDir('wp-progress-out-'), 'dist'), '--verbose'], io), 0);
  assert.match(io.text(), /^timings: load\+construct \d+ ms, .* total \d+ ms$/m);
  assert.match(io.text(), /^ {2}44 objects, \d+ finding\(s\), \d+ files; peak RSS \d+ MB$/m);
  assert.doesNotMatch(io.text(), /per 1000 objects/);
});
