/**
 * `npm run bench -- --quick` works end to end: every measurement runs and
 * prints its line, and the ratio line comes last. No timing is asserted
 * (the machine is shared); the numbers are only checked to be numbers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ratioLine, summarize } from '../../bench/report';
import { REPO_ROOT, tempDir } from '../support/helpers';

const NUMBER = String.raw`\d+(?:\.\d+)?`;

test('the quick bench prints one line per measurement and the ratio line last', () => {
  const tmp = tempDir('wp-bench-test-');
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO_ROOT, 'bench', 'run.ts'), '--quick', '--tmpdir', tmp], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');

  assert.match(lines.find((l) => l.startsWith('emitters')) ?? '', /-> floor uses (waypoint-policy|js-yaml|yaml)/);
  for (const n of [20, 50]) {
    for (const kind of ['floor', 'mesh', 'cdk8s']) {
      const line = lines.find((l) => new RegExp(`^${kind}\\s+n=${n}\\s`).test(l));
      assert.ok(line, `a ${kind} line for n=${n} in:\n${r.stdout}`);
      assert.match(line, new RegExp(`objects=${n * 22}\\s`));
      assert.match(line, new RegExp(`wall=\\s*${NUMBER}s\\s+cpu=\\s*${NUMBER}s\\s+rss=\\s*\\d+MB`));
    }
    // On Linux each line splits the CPU time by thread; synth's writers show as workers.
    if (process.platform === 'linux') {
      const split = (kind: string) => new RegExp(`cpu by thread: main ${NUMBER}s, V8 helpers ${NUMBER}s, workers (${NUMBER})s`).exec(lines.find((l) => new RegExp(`^${kind}\\s+n=${n}\\s`).test(l))!);
      assert.ok(split('mesh') && split('floor') && split('cdk8s'), `a split per line in:\n${r.stdout}`);
    }
    // The floor writes the same files as synth: objects and kustomizations.
    const files = (kind: string) => /files=(\d+)/.exec(lines.find((l) => new RegExp(`^${kind}\\s+n=${n}\\s`).test(l))!)![1];
    assert.equal(files('floor'), files('mesh'));
  }
  assert.ok(!lines.some((l) => l.startsWith('cold')), 'quick mode skips the cold start');
  assert.match(lines.at(-2)!, /^cpu-time ratios: /);
  const last = lines.at(-1)!;
  assert.match(last, new RegExp(`^ratios: mesh50/floor50=${NUMBER} \\(<= 1\\.5( ok| MISSED)\\)`));
  assert.match(last, new RegExp(`cdk8s50/mesh50=${NUMBER} \\(>= 10`));
  assert.match(last, new RegExp(`mesh50/mesh20=${NUMBER} \\(<= 2\\.75`));
  assert.match(last, /cold cdk8s-ts-node\/ours=n\/a/);
  assert.match(last, new RegExp(`rss mesh50/floor50=${NUMBER} \\(<= 2`));
  // Everything it wrote is gone.
  assert.deepEqual(fs.readdirSync(tmp), []);
});

test('ratios are medians of paired runs, with each target checked', () => {
  const run = (wallMs: number, rssKb: number) => ({ wallMs, rssKb, cpuMs: wallMs / 2, info: { objects: 22000, files: 25004, phases: { write: 1 } } });
  const ms = [
    summarize('floor/1000', [run(1000, 100_000), run(3000, 100_000), run(1100, 100_000)]),
    summarize('mesh/1000', [run(1400, 150_000), run(1500, 150_000), run(9000, 150_000)]),
    summarize('cdk8s/1000', [run(30_000, 200_000)]),
    summarize('mesh/5000', [run(7000, 400_000)]),
    summarize('floor/5000', [run(5000, 300_000)]),
    summarize('cold/ours', [run(1000, 90_000)]),
    summarize('cold/cdk8s-ts-node', [run(6000, 170_000)]),
  ];
  assert.equal(ms[0].wallMs, 1100);
  assert.equal(ms[1].wallMs, 1500);
  assert.match(ms[1].line, /^mesh\s+n=1000\s+objects=22000\s+files=25004\s+wall=\s+1\.50s\s+cpu=\s+0\.75s\s+rss=\s+146MB\s+runs=\[1\.40s 1\.50s 9\.00s\]/);
  const r = ratioLine(ms, [1000, 5000]);
  assert.deepEqual(
    r.values.map((v) => [v.name, Number(v.value!.toFixed(2)), v.met]),
    [
      ['mesh1000/floor1000', 1.36, true],
      ['cdk8s1000/mesh1000', 20, true],
      ['mesh5000/mesh1000', 4.67, true],
      ['cold cdk8s-ts-node/ours', 6, true],
      ['rss mesh5000/floor5000', 1.33, true],
    ],
  );
  assert.match(r.line, /^ratios: mesh1000\/floor1000=1\.36 \(<= 1\.5 ok\)  cdk8s1000\/mesh1000=20\.00 \(>= 10 ok\)/);
  assert.match(ratioLine(ms, [1000, 5000], 'cpuMs').line, /^cpu-time ratios: /);
});

test('the CPU split by thread is the median of each part, and absent when a run has none', () => {
  const run = (mainMs: number, helpersMs: number, workersMs: number) => ({ wallMs: 1000, cpuMs: mainMs + helpersMs + workersMs, info: { threads: { mainMs, helpersMs, workersMs } } });
  const m = summarize('mesh/1000', [run(2000, 900, 700), run(2400, 1500, 800), run(2100, 1000, 600)]);
  assert.deepEqual(m.threads, { mainMs: 2100, helpersMs: 1000, workersMs: 700 });
  assert.match(m.line, /cpu by thread: main 2\.10s, V8 helpers 1\.00s, workers 0\.70s$/);
  const without = summarize('mesh/1000', [run(2000, 900, 700), { wallMs: 1000, info: {} }]);
  assert.equal(without.threads, undefined);
  assert.doesNotMatch(without.line, /cpu by thread/);
});
