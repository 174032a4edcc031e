/**
 * Two synths into one output folder at once (a watcher and a pre-commit
 * hook, two terminals): each run's swap is atomic, but one that swaps in
 * while the other is writing left the other comparing with, linking from and
 * counting a tree that is no longer there, and the later swap silently undid
 * a run that had reported success. Synth takes a lock file beside the folder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { synthToDirectory } from '../../compiler/synth';
import { readTree } from '../../compiler/write';
import { MeshNamespace, PolicyApp, Target, Waypoint } from '../../constructs';
import { isPolicyError } from '../../constructs/errors';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';

// The module object tree-writer.cjs calls (the namespace import is a copy).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs = require('node:fs') as typeof import('node:fs');

function appOf(prefix: string): PolicyApp {
  const app = new PolicyApp();
  const target = new Target(app, 'prod');
  for (const n of ['a', 'b', 'c']) new Waypoint(new MeshNamespace(target, `${prefix}-${n}`), 'waypoint');
  return app;
}

/** A project folder (its own package.json) with its output folder. */
function project(): { dir: string; out: string; lock: string } {
  const dir = tempDir('wp-lock-');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"lock-test","private":true}\n');
  return { dir, out: path.join(dir, 'dist'), lock: path.join(dir, '.dist.lock') };
}

// Another process's synth of another app into the same folder, waiting at most 300 ms for the lock.
const OTHER_SYNTH = `
require(${JSON.stringify(path.join(REPO_ROOT, 'cli', 'register.cjs'))});
const { synthToDirectory } = require(${JSON.stringify(path.join(REPO_ROOT, 'compiler', 'synth.ts'))});
const wp = require(${JSON.stringify(path.join(REPO_ROOT, 'constructs'))});
const [dir, out] = process.argv.slice(1);
const app = new wp.PolicyApp();
const target = new wp.Target(app, 'prod');
for (const n of ['a', 'b', 'c']) new wp.Waypoint(new wp.MeshNamespace(target, 'other-' + n), 'waypoint');
try {
  const r = synthToDirectory(app, { outdir: out, root: dir, cwd: dir, lockWaitMs: 300 });
  console.log(JSON.stringify({ ok: true, write: r.write }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, findings: e.findings ?? String(e) }));
}
`;

/** A process that stays alive until killed: a live holder of a lock. */
function liveProcess(): { pid: number; stop: () => void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

const holder = (pid: number, started = new Date().toISOString(), host = os.hostname()) => `${JSON.stringify({ pid, started, host })}\n`;

test('a synth started while another writes the same folder waits, then fails naming it; the first run\'s tree and report stand', () => {
  const { dir, out, lock } = project();
  const first = synthToDirectory(appOf('mine'), { outdir: out, root: dir, cwd: dir });
  const before = readTree(out);
  assert.equal(first.write.written, before.size);

  // A known point inside the second run: the first hard link from the live tree, mid-write.
  const linkSync = nodeFs.linkSync;
  let other: { ok: boolean; write?: unknown; findings?: { rule: string; message: string; fix: string }[] } | undefined;
  nodeFs.linkSync = (existing, target) => {
    if (other === undefined && String(existing).startsWith(out + path.sep)) {
      const child = spawnSync(process.execPath, ['-e', OTHER_SYNTH, dir, out], { cwd: dir, encoding: 'utf8' });
      other = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
    }
    linkSync(existing, target);
  };
  let again;
  try {
    again = synthToDirectory(appOf('mine'), { outdir: out, root: dir, cwd: dir });
  } finally {
    nodeFs.linkSync = linkSync;
  }
  assert.ok(other, 'the other synth ran');
  assert.equal(other.ok, false, `the other synth wrote while this one was writing: ${JSON.stringify(other)}`);
  const [finding] = other.findings!;
  assert.equal(finding.rule, 'output/unwritable');
  assert.match(finding.message, new RegExp(`^cannot write the output folder: another synth \\(pid ${process.pid}, started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\) is writing it, and did not finish within 0\\.3 s$`));
  assert.match(finding.fix, new RegExp(`^Let that synth finish, then run this one again\\. If no synth runs as pid ${process.pid} any more .*, remove the lock file \\.dist\\.lock and run again\\.$`));
  // This run's report describes the tree it replaced: nothing changed.
  assert.deepEqual(again.write, { written: 0, unchanged: before.size, removed: 0 });
  assert.deepEqual(readTree(out), before);
  assert.equal(fs.existsSync(lock), false, 'the lock is released');
});

test('a live holder makes synth fail after the wait, naming its pid, the lock file from the working directory and how to clear it; nothing is written', () => {
  const { dir, out, lock } = project();
  synthToDirectory(appOf('old'), { outdir: out, root: dir, cwd: dir });
  const before = readTree(out);
  const live = liveProcess();
  const started = '2026-01-02T03:04:05.000Z';
  fs.writeFileSync(lock, holder(live.pid, started));
  const cwd = path.join(dir, 'policies');
  fs.mkdirSync(cwd);
  try {
    const t = performance.now();
    assert.throws(
      () => synthToDirectory(appOf('new'), { outdir: out, root: dir, cwd, lockWaitMs: 200 }),
      (e: unknown) => {
        assert.ok(isPolicyError(e));
        assert.deepEqual(
          e.findings.map((f) => [f.rule, f.message, f.fix]),
          [
            [
              'output/unwritable',
              `cannot write the output folder: another synth (pid ${live.pid}, started ${started}) is writing it, and did not finish within 0.2 s`,
              `Let that synth finish, then run this one again. If no synth runs as pid ${live.pid} any more (its pid was reused, or the machine that ran it is gone), remove the lock file ../.dist.lock and run again.`,
            ],
          ],
        );
        return true;
      },
    );
    assert.ok(performance.now() - t >= 200, 'it waited');
    assert.deepEqual(readTree(out), before);
    assert.equal(fs.readFileSync(lock, 'utf8'), holder(live.pid, started), "the holder's lock is left alone");
  } finally {
    live.stop();
  }
});

test('a lock left by a process that is gone (killed, or this pid in an earlier container) is taken over, and released after', async () => {
  const { dir, out, lock } = project();
  const gone = spawnSync(process.execPath, ['-e', '']).pid;
  for (const stale of [holder(gone), holder(process.pid, '2000-01-01T00:00:00.000Z'), '']) {
    fs.writeFileSync(lock, stale);
    // A lock file without a holder is being written by the run that made it: stale only once it stays so.
    if (stale === '') fs.utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const r = synthToDirectory(appOf('new'), { outdir: out, root: dir, cwd: dir, lockWaitMs: 0 });
    assert.ok(r.write.written + r.write.unchanged > 0);
    assert.equal(fs.existsSync(lock), false, `released after taking over ${JSON.stringify(stale)}`);
  }
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('lock')), []);
  // Through the CLI too: a killed synth's lock does not stop the next one.
  fs.writeFileSync(lock, holder(gone));
  const io = captureIo(dir);
  assert.equal(await main(['synth', '--outdir', out, '--app', writeApp(dir)], io), 0, io.text());
  assert.equal(fs.existsSync(lock), false);
});

test('a holder that finishes while synth waits lets it through; one on another machine is never taken for gone', () => {
  const { dir, out, lock } = project();
  const live = liveProcess();
  fs.writeFileSync(lock, holder(live.pid));
  const release = spawn(process.execPath, ['-e', `setTimeout(() => require('node:fs').unlinkSync(${JSON.stringify(lock)}), 300)`], { stdio: 'ignore' });
  try {
    const r = synthToDirectory(appOf('new'), { outdir: out, root: dir, cwd: dir, lockWaitMs: 20_000 });
    assert.ok(r.write.written > 0);
  } finally {
    live.stop();
    release.kill();
  }
  fs.writeFileSync(lock, holder(process.pid + 1_000_000, '2026-01-02T03:04:05.000Z', 'build-agent-7'));
  assert.throws(() => synthToDirectory(appOf('new'), { outdir: out, root: dir, cwd: dir, lockWaitMs: 0 }), /another synth \(pid \d+ on build-agent-7, started 2026-01-02T03:04:05\.000Z\) is writing it/);
});

test('a holder that fails, removing the folder it made for its lock, still lets the waiting synth through', () => {
  const { dir } = project();
  const parent = path.join(dir, 'build');
  const out = path.join(parent, 'dist');
  const lock = path.join(parent, '.dist.lock');
  fs.mkdirSync(parent);
  const live = liveProcess();
  fs.writeFileSync(lock, holder(live.pid));
  // What a first synth into build/dist that fails does on release: its lock, then the folder it made, go.
  const fail = spawn(process.execPath, ['-e', `setTimeout(() => require('node:fs').rmSync(${JSON.stringify(parent)}, { recursive: true }), 300)`], { stdio: 'ignore' });
  try {
    const r = synthToDirectory(appOf('new'), { outdir: out, root: dir, cwd: dir, lockWaitMs: 20_000 });
    assert.ok(r.write.written > 0);
    assert.equal(fs.existsSync(lock), false);
  } finally {
    live.stop();
    fail.kill();
  }
});

/** A policy program for the CLI, in the project. */
function writeApp(dir: string): string {
  const file = path.join(dir, 'main.ts');
  const lib = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
  fs.writeFileSync(file, `import * as wp from '${lib}';\nconst app = new wp.PolicyApp();\nnew wp.Waypoint(new wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop'), 'waypoint');\nexport default app;\n`);
  return file;
}

test("a relative outdir is resolved against the cwd option, not the process's, for the lock and the files alike", (t) => {
  const { dir } = project();
  // The process runs elsewhere: a folder of its own, so a wrong resolution lands there, not in this repository.
  const elsewhere = tempDir('wp-lock-cwd-');
  const before = process.cwd();
  process.chdir(elsewhere);
  t.after(() => process.chdir(before));
  const r = synthToDirectory(appOf('rel'), { outdir: 'dist', root: dir, cwd: dir });
  assert.ok(r.files.size > 0);
  assert.deepEqual([...readTree(path.join(dir, 'dist')).keys()].sort(), [...r.files.keys()].sort());
  assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing written where the process runs');
  assert.ok(!fs.existsSync(path.join(dir, '.dist.lock')), 'the lock is released');
});

test('a disk too full to hold the lock\'s holder fails with output/unwritable and leaves no empty lock file beside the folder', (t) => {
  const { dir, out, lock } = project();
  // What a full disk does: the file is created (an inode was free), writing into it fails.
  t.mock.method(nodeFs, 'writeSync', () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
  });
  assert.throws(
    () => synthToDirectory(appOf('full'), { outdir: out, root: dir, cwd: dir, lockWaitMs: 0 }),
    (e: unknown) => isPolicyError(e) && e.findings[0].rule === 'output/unwritable' && /the disk is full/.test(e.findings[0].message),
  );
  assert.equal(fs.existsSync(lock), false, 'no lock file left');
  assert.equal(fs.existsSync(out), false);
});

test('a lock whose pid now belongs to another process (a restarted container numbers from 1 again) is taken over at once; the holder itself still holds it', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  const { dir, out, lock } = project();
  const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const live = liveProcess();
  try {
    const stat = fs.readFileSync(`/proc/${live.pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const lockOf = (b: string, t: number) => `${JSON.stringify({ pid: live.pid, started: '2026-01-02T03:04:05.000Z', host: os.hostname(), boot: b, ticks: t })}\n`;
    // The same pid, started later than the holder did, or the holder ran before the machine rebooted.
    for (const stale of [lockOf(boot, ticks - 1), lockOf('00000000-0000-0000-0000-000000000000', ticks)]) {
      fs.writeFileSync(lock, stale);
      const r = synthToDirectory(appOf('reused'), { outdir: out, root: dir, cwd: dir, lockWaitMs: 0 });
      assert.ok(r.write.written + r.write.unchanged > 0);
      assert.equal(fs.existsSync(lock), false);
    }
    // The holder itself, alive: held.
    fs.writeFileSync(lock, lockOf(boot, ticks));
    assert.throws(() => synthToDirectory(appOf('reused'), { outdir: out, root: dir, cwd: dir, lockWaitMs: 0 }), /another synth \(pid \d+, started 2026-01-02T03:04:05\.000Z\) is writing it/);
  } finally {
    live.stop();
  }
  // What a synth writes into its lock: enough to tell it from a later process with its pid.
  fs.rmSync(lock);
  const other = spawnSync(process.execPath, ['-e', OTHER_SYNTH_LOCK, dir, out], { encoding: 'utf8' });
  const written = JSON.parse(other.stdout);
  assert.equal(written.boot, boot);
  assert.ok(Number.isSafeInteger(written.ticks) && written.ticks > 0, other.stdout);
});

// A synth in another process that prints its own lock file while it holds it.
const OTHER_SYNTH_LOCK = `
require(${JSON.stringify(path.join(REPO_ROOT, 'cli', 'register.cjs'))});
const { lockOutput } = require(${JSON.stringify(path.join(REPO_ROOT, 'compiler', 'output-lock.ts'))});
const fs = require('node:fs'), path = require('node:path');
const [dir, out] = process.argv.slice(1);
const lock = lockOutput(out, { cwd: dir });
process.stdout.write(fs.readFileSync(path.join(dir, '.dist.lock'), 'utf8'));
lock.release();
`;

test('a disk too full to hold the lock\'s holder leaves none of the folders made for the lock either', (t) => {
  const { dir } = project();
  const out = path.join(dir, 'deploy', 'prod', 'dist');
  t.mock.method(nodeFs, 'writeSync', () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
  });
  assert.throws(
    () => synthToDirectory(appOf('full'), { outdir: out, root: dir, cwd: dir, lockWaitMs: 0 }),
    (e: unknown) => isPolicyError(e) && e.findings[0].rule === 'output/unwritable',
  );
  assert.equal(fs.existsSync(path.join(dir, 'deploy')), false, 'a synth that fails writes nothing, not even the folders above the output');
});

test('a folder for the lock that cannot be made (a name too long) leaves none of the folders made before it', () => {
  const { dir } = project();
  // deploy/ is made, the folder below it cannot be (ENAMETOOLONG), and the output folder sits in it.
  const out = path.join(dir, 'deploy', 'x'.repeat(300), 'dist');
  assert.throws(() => synthToDirectory(appOf('long'), { outdir: out, root: dir, cwd: dir, lockWaitMs: 0 }));
  assert.equal(fs.existsSync(path.join(dir, 'deploy')), false, 'a synth that fails writes nothing, not even the folders above the output');
});
