/**
 * Quiet rewrites: a second synth leaves files whose content did not change
 * untouched (same inode, same mtime: hard links from the old tree), rewrites
 * only what changed, and still swaps the tree atomically: a synth that fails,
 * before or during the write, leaves the old tree exactly as it was.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { synthToDirectory } from '../../compiler/synth';
import { readTree, writeTreeAtomically } from '../../compiler/write';
import { core } from '../../compiler/tree-files';
import { BasicAuth, Credential, MeshNamespace, MeshService, PolicyApp, Target, Waypoint } from '../../constructs';
import { isPolicyError } from '../../constructs/errors';
import { REPO_ROOT, tempDir } from '../support/helpers';

const CREDENTIAL = 'WP_QUIET_REWRITE_CREDENTIAL';
process.env[CREDENTIAL] = 'ops:quiet-rewrite';
const SHA = 'a'.repeat(64);
const PAST = new Date('2001-02-03T04:05:06Z');

/** Two namespaces; `prefix` changes exactly one file (one plugin's rule). */
function policy(prefix: string, options: { invalid?: boolean } = {}): PolicyApp {
  const app = new PolicyApp({ partOf: 'quiet-rewrite' });
  const target = new Target(app, 'prod');
  for (const name of ['shop', 'billing']) {
    const ns = new MeshNamespace(target, name);
    const waypoint = new Waypoint(ns, 'waypoint');
    ns.useWaypoint(waypoint);
    const svc = MeshService.fromServiceName(ns, 'api', 'api', { useWaypoint: waypoint });
    new BasicAuth(ns, 'auth', {
      targets: [svc],
      sha256: SHA,
      rules: [{ prefix: name === 'shop' ? prefix : '/', methods: ['GET'], credentials: [Credential.fromEnv(CREDENTIAL)] }],
    });
  }
  // A construct validation fails at synth (in collect), after construction succeeded.
  if (options.invalid) target.node.addValidation({ validate: () => ['refused by the test'] });
  return app;
}

interface Seen {
  readonly ino: number;
  readonly mtimeMs: number;
}

function snapshot(dir: string): Map<string, Seen> {
  const out = new Map<string, Seen>();
  for (const rel of readTree(dir).keys()) {
    const st = fs.statSync(path.join(dir, rel));
    out.set(rel, { ino: st.ino, mtimeMs: st.mtimeMs });
  }
  return out;
}

/** Age every file, so a rewrite shows as a new mtime without waiting for the clock. */
function age(dir: string): void {
  for (const rel of readTree(dir).keys()) fs.utimesSync(path.join(dir, rel), PAST, PAST);
}

function leftovers(outdir: string): string[] {
  const base = path.basename(outdir);
  return fs.readdirSync(path.dirname(outdir)).filter((n) => n.startsWith(`.${base}-`));
}

for (const backgroundWrite of [false, true]) {
  const writer = backgroundWrite ? 'worker threads' : 'inline';

  test(`${writer}: unchanged files keep their inode and mtime across a second synth; the changed file is rewritten`, () => {
    const out = path.join(tempDir('wp-quiet-'), 'dist');
    const first = synthToDirectory(policy('/v1'), { outdir: out, backgroundWrite });
    assert.ok(first.write.written > 5);
    age(out);
    const before = snapshot(out);
    const beforeText = readTree(out);

    const second = synthToDirectory(policy('/v2'), { outdir: out, backgroundWrite });
    const after = snapshot(out);
    const afterText = readTree(out);

    const changed = [...afterText.keys()].filter((rel) => afterText.get(rel) !== beforeText.get(rel));
    assert.deepEqual(changed, ['prod/2-policies/shop/wasmplugin-auth.yaml']);
    assert.deepEqual(second.write, { written: 1, unchanged: before.size - 1, removed: 0 });
    assert.deepEqual([...after.keys()], [...before.keys()]);
    for (const [rel, seen] of after) {
      const old = before.get(rel)!;
      if (rel === changed[0]) {
        assert.notEqual(seen.ino, old.ino, `${rel} is a new file`);
        assert.ok(seen.mtimeMs > PAST.getTime(), `${rel} has a new mtime`);
      } else {
        assert.equal(seen.ino, old.ino, `${rel} keeps its inode`);
        assert.equal(seen.mtimeMs, PAST.getTime(), `${rel} keeps its mtime`);
      }
    }
    assert.deepEqual(leftovers(out), []);
  });

  test(`${writer}: a synth that changes nothing leaves every folder in place (a watcher on one keeps hearing it); an extra empty folder still goes`, () => {
    const out = path.join(tempDir('wp-quiet-'), 'dist');
    synthToDirectory(policy('/v1'), { outdir: out, backgroundWrite });
    const folders = (dir: string): Map<string, number> => {
      const m = new Map<string, number>([['.', fs.statSync(dir).ino]]);
      for (const rel of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        const st = fs.statSync(path.join(dir, rel));
        if (st.isDirectory()) m.set(rel, st.ino);
      }
      return m;
    };
    const before = folders(out);
    const again = synthToDirectory(policy('/v1'), { outdir: out, backgroundWrite });
    assert.deepEqual(again.write, { written: 0, unchanged: readTree(out).size, removed: 0 });
    assert.deepEqual(folders(out), before, 'same folders, same inodes');
    assert.deepEqual(leftovers(out), []);
    // Nothing to write, but a folder synth does not make: the tree is replaced, without it.
    fs.mkdirSync(path.join(out, 'prod', 'stray'));
    synthToDirectory(policy('/v1'), { outdir: out, backgroundWrite });
    assert.equal(fs.existsSync(path.join(out, 'prod', 'stray')), false);
    assert.deepEqual(leftovers(out), []);
  });

  test(`${writer}: the output folder keeps the mode its owner gave it (not the umask's) across a synth`, () => {
    const out = path.join(tempDir('wp-quiet-'), 'dist');
    synthToDirectory(policy('/v1'), { outdir: out, backgroundWrite });
    fs.chmodSync(out, 0o2770);
    synthToDirectory(policy('/v2'), { outdir: out, backgroundWrite });
    assert.equal((fs.statSync(out).mode & 0o7777).toString(8), '2770');
    assert.deepEqual(leftovers(out), []);
  });

  test(`${writer}: a synth that fails in the policy leaves the tree byte-identical, inodes included`, () => {
    const out = path.join(tempDir('wp-quiet-'), 'dist');
    synthToDirectory(policy('/v1'), { outdir: out, backgroundWrite });
    const before = snapshot(out);
    const beforeText = readTree(out);
    const app = policy('/v2', { invalid: true });
    assert.throws(() => synthToDirectory(app, { outdir: out, backgroundWrite }), (e) => isPolicyError(e) && /refused by the test/.test(e.message));
    assert.deepEqual(readTree(out), beforeText);
    assert.deepEqual(snapshot(out), before);
    assert.deepEqual(leftovers(out), []);
  });

  test(`${writer}: a write that fails half-way leaves the old tree in place and no staging folder behind`, () => {
    const out = path.join(tempDir('wp-quiet-'), 'dist');
    synthToDirectory(policy('/v1'), { outdir: out, backgroundWrite });
    const before = snapshot(out);
    const beforeText = readTree(out);
    // A new tree whose last file cannot be created (its folder is a file): the
    // failure comes after other files were already written to the staging tree.
    const files = new Map(beforeText);
    files.set('prod/2-policies/shop/wasmplugin-auth.yaml', 'changed: true\n');
    files.set('zz/blocker', 'a file\n');
    files.set('zz/blocker/inside.yaml', 'cannot exist\n');
    assert.throws(() => writeTreeAtomically(out, files, { background: backgroundWrite }));
    assert.deepEqual(readTree(out), beforeText);
    assert.deepEqual(snapshot(out), before);
    assert.deepEqual(leftovers(out), []);
  });

  test(`${writer}: a run that died between the two renames is recovered by the next one`, () => {
    const out = path.join(tempDir('wp-quiet-'), 'dist');
    synthToDirectory(policy('/v1'), { outdir: out, backgroundWrite });
    const beforeText = readTree(out);
    // What a crash between "dist -> .dist-old-*" and ".dist-new-* -> dist"
    // leaves, tagged with the pid of a process that is gone.
    const dead = deadPid();
    const tag = Date.now().toString(36);
    fs.renameSync(out, path.join(path.dirname(out), `.dist-old-${dead}-${tag}`));
    fs.mkdirSync(path.join(path.dirname(out), `.dist-new-${dead}-${tag}`));
    // Not ours to touch: a person's folder with a similar name, and the staging
    // tree of a synth of the same folder that is still running.
    const notes = path.join(path.dirname(out), '.dist-old-notes');
    fs.mkdirSync(notes);
    fs.writeFileSync(path.join(notes, 'keep.md'), 'mine\n');
    // Also a person's, though it reads like a pid and a tag: too short for a time tag.
    const dated = path.join(path.dirname(out), '.dist-old-2024-jan');
    fs.mkdirSync(dated);
    const running = path.join(path.dirname(out), `.dist-new-${process.ppid}-${Date.now().toString(36)}`);
    fs.mkdirSync(running);
    const second = synthToDirectory(policy('/v1'), { outdir: out, backgroundWrite });
    assert.equal(second.write.written, 0, 'the recovered tree was reused');
    assert.deepEqual(readTree(out), beforeText);
    assert.deepEqual(leftovers(out).sort(), [path.basename(running), '.dist-old-2024-jan', '.dist-old-notes'].sort());
    assert.equal(fs.readFileSync(path.join(notes, 'keep.md'), 'utf8'), 'mine\n');
  });
}

/** A pid no process has now. */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

test('the worker threads write a large tree exactly, in any order, and count what they replaced and removed', () => {
  const out = path.join(tempDir('wp-quiet-'), 'dist');
  const files = new Map<string, string>();
  // More files than may be in flight at once, over many folders.
  for (let i = 0; i < 6000; i++) files.set(`t/${i % 7}/ns-${i % 300}/f-${i}.yaml`, `n: ${i}\n`);
  const first = writeTreeAtomically(out, files, { background: true });
  assert.deepEqual(first, { written: 6000, unchanged: 0, removed: 0 });
  assert.deepEqual(readTree(out), new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1))));

  const next = new Map([...files].filter(([rel]) => !rel.endsWith('-5.yaml')).map(([rel, text]) => [rel, rel.endsWith('0.yaml') ? 'changed: true\n' : text]));
  const second = writeTreeAtomically(out, next, { background: true });
  const changed = [...next.keys()].filter((rel) => rel.endsWith('0.yaml')).length;
  assert.deepEqual(second, { written: changed, unchanged: next.size - changed, removed: 1 });
  assert.deepEqual(readTree(out), new Map([...next].sort(([a], [b]) => (a < b ? -1 : 1))));
  assert.deepEqual(leftovers(out), []);
});

test('both writers keep non-ASCII contents byte for byte, and a same-length change in one character is a change', () => {
  // The workers get each batch as one UTF-8 buffer: multi-byte characters
  // move every later file's offset, an empty file has none, and a file larger
  // than a batch travels alone.
  const files = new Map<string, string>();
  const samples = ['# café ✓\nname: ü\n', '', 'emoji: "🚀 😀"\n', `big: ${'é'.repeat(700_000)}\n`, 'plain: ascii\n'];
  for (let i = 0; i < 1200; i++) files.set(`t/ns-${i % 40}/f-${i}.yaml`, samples[i % samples.length]);
  for (const background of [false, true]) {
    const out = path.join(tempDir('wp-quiet-'), 'dist');
    assert.deepEqual(writeTreeAtomically(out, files, { background }), { written: 1200, unchanged: 0, removed: 0 });
    for (const [rel, text] of files) assert.ok(fs.readFileSync(path.join(out, rel)).equals(Buffer.from(text, 'utf8')), `${background ? 'worker' : 'inline'}: ${rel}`);

    // 'é' and 'è' are both two bytes: same size, different content.
    const next = new Map(files);
    next.set('t/ns-0/f-0.yaml', '# cafè ✓\nname: ü\n');
    assert.deepEqual(writeTreeAtomically(out, next, { background }), { written: 1, unchanged: 1199, removed: 0 });
    assert.equal(fs.readFileSync(path.join(out, 't/ns-0/f-0.yaml'), 'utf8'), '# cafè ✓\nname: ü\n');
  }
});

test('a worker that fails early keeps up with the rest of the files, so the caller hears the error at once', () => {
  const out = path.join(tempDir('wp-quiet-'), 'dist');
  writeTreeAtomically(out, new Map([['keep.yaml', 'kept: true\n']]), { background: true });
  const files = new Map<string, string>([
    ['a/blocker', 'a file\n'],
    ['a/blocker/inside.yaml', 'cannot exist\n'],
  ]);
  // Far more text than may be in flight at once (8 MB), all after the failure.
  const text = `${'x'.repeat(4096)}\n`;
  for (let i = 0; i < 6000; i++) files.set(`b/${i % 50}/f-${i}.yaml`, text);
  const started = performance.now();
  assert.throws(() => writeTreeAtomically(out, files, { background: true }), /EEXIST|ENOTDIR|EISDIR/);
  assert.ok(performance.now() - started < 60_000, 'the error came without waiting for a stall');
  assert.deepEqual(readTree(out), new Map([['keep.yaml', 'kept: true\n']]));
  assert.deepEqual(leftovers(out), []);
});

test('a FIFO where the new tree has a file is replaced, not read (reading it would block for ever)', () => {
  for (const background of [false, true]) {
    const out = path.join(tempDir('wp-quiet-'), 'dist');
    writeTreeAtomically(out, new Map([['a/keep.yaml', 'kept: true\n']]));
    execFileSync('mkfifo', [path.join(out, 'a', 'pipe.yaml')]);
    const result = writeTreeAtomically(out, new Map([['a/keep.yaml', 'kept: true\n'], ['a/pipe.yaml', '']]), { background });
    assert.deepEqual(result, { written: 1, unchanged: 1, removed: 0 });
    assert.ok(fs.statSync(path.join(out, 'a', 'pipe.yaml')).isFile());
    assert.deepEqual(leftovers(out), []);
  }
});

/** What a crash between "dist -> .dist-old-*" and ".dist-new-* -> dist" leaves, for a process that is gone. */
function crash(folder: string): void {
  fs.renameSync(folder, path.join(path.dirname(folder), `.${path.basename(folder)}-old-${deadPid()}-${Date.now().toString(36)}`));
}

test('after a crash between the renames, an app that emits nothing is still refused (output/would-empty): the guard sees the recovered folder', () => {
  const out = path.join(tempDir('wp-quiet-'), 'dist');
  synthToDirectory(policy('/v1'), { outdir: out });
  const beforeText = readTree(out);
  crash(out);
  const empty = new PolicyApp({ partOf: 'quiet-rewrite' });
  new Target(empty, 'prod');
  assert.throws(() => synthToDirectory(empty, { outdir: out }), (e: unknown) => isPolicyError(e) && e.findings.some((f) => f.rule === 'output/would-empty'));
  assert.deepEqual(readTree(out), beforeText);
});

test('after a crash between the renames, a synth that fails (strict) leaves the recovered folder in place, not missing', () => {
  const out = path.join(tempDir('wp-quiet-'), 'dist');
  synthToDirectory(policy('/v1'), { outdir: out });
  const beforeText = readTree(out);
  crash(out);
  assert.throws(() => synthToDirectory(policy('/v1', { invalid: true }), { outdir: out }));
  assert.deepEqual(readTree(out), beforeText);
  assert.deepEqual(leftovers(out), []);
});

test('an output folder reached through a link is recovered after a crash, and the link kept', () => {
  const dir = tempDir('wp-quiet-');
  const real = path.join(dir, 'real', 'out');
  fs.mkdirSync(path.dirname(real), { recursive: true });
  const link = path.join(dir, 'dist');
  synthToDirectory(policy('/v1'), { outdir: real });
  fs.symlinkSync(real, link);
  const beforeText = readTree(real);
  crash(real);
  const second = synthToDirectory(policy('/v1'), { outdir: link });
  assert.equal(second.write.written, 0, 'the recovered tree was reused');
  assert.ok(fs.lstatSync(link).isSymbolicLink());
  assert.deepEqual(readTree(link), beforeText);
  assert.deepEqual(leftovers(real), []);
});

/**
 * Synthesize three versions into `dir`/dist in a child process, running
 * `makeReadOnly` (code given `fs`, `path` and `out`) after the first; as an
 * unprivileged user when this test runs as root, since root ignores folder
 * modes. Returns the output folder.
 */
function synthThriceReadOnly(prefix: string, makeReadOnly: string): { dir: string; out: string } {
  const dir = tempDir(prefix);
  const root = process.getuid?.() === 0;
  if (root) fs.chownSync(dir, 65534, 65534);
  const out = path.join(dir, 'dist');
  const script = `
const fs = require('node:fs');
const path = require('node:path');
const { synthToDirectory } = require(${JSON.stringify(path.join(REPO_ROOT, 'compiler', 'synth'))});
const { MeshNamespace, PolicyApp, Target, Waypoint } = require(${JSON.stringify(path.join(REPO_ROOT, 'constructs'))});
const app = (name) => { const a = new PolicyApp({ partOf: 'ro' }); new Waypoint(new MeshNamespace(new Target(a, 'prod'), 'shop'), name); return a; };
const out = ${JSON.stringify(out)};
synthToDirectory(app('v1'), { outdir: out });
${makeReadOnly}
synthToDirectory(app('v2'), { outdir: out });
synthToDirectory(app('v3'), { outdir: out });
`;
  execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: REPO_ROOT, stdio: 'pipe', env: { ...process.env, HOME: dir }, ...(root ? { uid: 65534, gid: 65534 } : {}) });
  return { dir, out };
}

test('a read-only output folder is replaced without leaving old copies beside it', () => {
  const { out } = synthThriceReadOnly('wp-quiet-ro-', 'fs.chmodSync(out, 0o555);');
  try {
    assert.deepEqual(leftovers(out), []);
    assert.equal(fs.statSync(out).mode & 0o777, 0o555, 'its mode is kept');
    assert.ok([...readTree(out).keys()].some((f) => f.endsWith('gateway-v3.yaml')));
  } finally {
    fs.chmodSync(out, 0o755);
  }
});

test('an output tree made read-only throughout (chmod -R a-w) is replaced without leaving an old copy, credentials and all, beside it', () => {
  const { dir, out } = synthThriceReadOnly(
    'wp-quiet-ro-tree-',
    'const readOnly = (p) => { const st = fs.lstatSync(p); if (st.isDirectory()) { for (const e of fs.readdirSync(p)) readOnly(path.join(p, e)); } fs.chmodSync(p, st.mode & 0o555); };\nreadOnly(out);',
  );
  try {
    assert.deepEqual(leftovers(out), []);
    assert.ok([...readTree(out).keys()].some((f) => f.endsWith('gateway-v3.yaml')));
  } finally {
    execFileSync('chmod', ['-R', 'u+w', dir]);
  }
});

test('a link in the output folder is never kept as it is (a hard link to the link): synth refuses it as a file it did not write, as check says', () => {
  const dir = tempDir('wp-quiet-');
  const out = path.join(dir, 'dist');
  synthToDirectory(policy('/v1'), { outdir: out });
  const rel = [...readTree(out).keys()].find((f) => f.endsWith('kustomization.yaml'))!;
  const outside = path.join(dir, 'outside.yaml');
  fs.renameSync(path.join(out, rel), outside);
  fs.symlinkSync(outside, path.join(out, rel));
  assert.throws(() => synthToDirectory(policy('/v1'), { outdir: out }), (e: unknown) => isPolicyError(e) && e.findings.some((f) => f.rule === 'output/foreign-files'));
  assert.ok(fs.lstatSync(path.join(out, rel)).isSymbolicLink(), 'left as it was');
});

test('a relative link to the output, reached through a linked folder, is followed from where it really sits', () => {
  const root = tempDir('wp-quiet-');
  // root/proj -> data/proj, and root/data/proj/dist -> ../shared/out: the real output is root/data/shared/out.
  fs.mkdirSync(path.join(root, 'data', 'proj'), { recursive: true });
  fs.mkdirSync(path.join(root, 'data', 'shared'), { recursive: true });
  fs.symlinkSync(path.join(root, 'data', 'proj'), path.join(root, 'proj'));
  fs.symlinkSync(path.join('..', 'shared', 'out'), path.join(root, 'data', 'proj', 'dist'));
  const real = path.join(root, 'data', 'shared', 'out');
  synthToDirectory(policy('/v1'), { outdir: real });
  synthToDirectory(policy('/v2'), { outdir: path.join(root, 'proj', 'dist') });
  assert.match(readTree(real).get([...readTree(real).keys()].find((f) => f.includes('wasmplugin-auth') && f.includes('/shop/'))!) ?? '', /prefix: \/v2/);
  assert.equal(fs.existsSync(path.join(root, 'shared')), false, 'nothing written where the link only seems to point');
});

test('a live file with an x bit is rewritten where the file system keeps modes, and linked where it shows every file executable (WSL DrvFs, FAT): rewriting could not clear the bit there', () => {
  const live = tempDir('wp-modes-');
  fs.writeFileSync(path.join(live, 'a.yaml'), 'x: 1\n');
  fs.chmodSync(path.join(live, 'a.yaml'), 0o755);
  for (const [probe, written] of [[undefined, 1], [() => false, 0]] as const) {
    const staging = path.join(tempDir('wp-modes-stage-'), 'stage');
    const tree = new core.StagingTree(live, staging, false, probe);
    tree.add('a.yaml', 'x: 1\n');
    assert.deepEqual([tree.written, tree.kept], [written, 1 - written]);
    // The probe (this file system keeps modes) leaves nothing in the new tree.
    assert.deepEqual(core.listFiles(staging), ['a.yaml']);
  }
});

test('a synth that changes nothing lists each live folder once and never walks its staging tree to tell the folders are the same (no per-file work on the hot path)', () => {
  const out = path.join(tempDir('wp-quiet-'), 'dist');
  synthToDirectory(policy('/v1'), { outdir: out });
  const liveFolders = new Set([out, ...fs.readdirSync(out, { recursive: true, encoding: 'utf8' }).map((rel) => path.join(out, rel)).filter((p) => fs.statSync(p).isDirectory())]);
  const reads = new Map<string, number>();
  // The builtin's own object (the writer's module calls through it), not this module's read-only namespace.
  const nodeFs = require('node:fs') as { readdirSync: unknown };
  const original = fs.readdirSync;
  nodeFs.readdirSync = (dir: fs.PathLike, ...rest: unknown[]) => {
    const key = path.resolve(String(dir));
    reads.set(key, (reads.get(key) ?? 0) + 1);
    return (original as (...a: unknown[]) => unknown)(dir, ...rest);
  };
  let again;
  try {
    again = synthToDirectory(policy('/v1'), { outdir: out });
  } finally {
    nodeFs.readdirSync = original;
  }
  assert.equal(again.write.written, 0);
  const staging = [...reads.keys()].filter((d) => path.basename(d).startsWith('.dist-new-') || d.includes(`${path.sep}.dist-new-`));
  assert.deepEqual(staging.filter((d) => d !== path.dirname(out)), [], 'the staging tree is not walked');
  const twice = [...liveFolders].filter((d) => (reads.get(d) ?? 0) > 1);
  assert.deepEqual(twice, [], 'each live folder is read once');
});
