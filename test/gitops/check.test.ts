import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { treeDrift } from '../../cli/commands/check';
import { hasConflictMarkers } from '../../compiler/conflict-markers';
import { project, run, synthProject } from './support';

const SECRET = 'ok:test'; // the fixture's (demo) credential: never printed

test('check: exit 0 when the committed dist/ is what the policies compile to', async () => {
  const p = await synthProject();
  const r = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /check: dist is up to date with main\.ts \(\d+ files\)/);
  assert.equal(r.stdout, '');
});

test('check: a drifted dist/ (edited, added, removed) fails with exit 1 and lists each file, never contents', async () => {
  const p = await synthProject();
  const edited = 'prod/2-policies/shop/wasmplugin-auth.yaml';
  const gone = 'staging/1-waypoints/shop-staging/gateway-waypoint.yaml';
  const extra = 'prod/notes.yaml';
  const marker = 'hand-edited-marker-7f3a';
  fs.appendFileSync(path.join(p.dist, edited), `# ${marker}\n`);
  fs.rmSync(path.join(p.dist, gone));
  fs.writeFileSync(path.join(p.dist, extra), `secret: ${marker}\n`);

  const r = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stdout.split('\n'), [`  add     ${gone}`, `  change  ${edited}`, `  remove  ${extra}`]);
  assert.match(r.stderr, /synth would add 1, change 1 and remove 1 file\(s\)\. 1 of those to remove or change waypoint-policy did not write \(prod\/notes\.yaml\): synth will not replace them, so move them out of dist\/ first\. Run `npx waypoint-policy synth --app main\.ts` and commit dist\/\./);
  for (const out of [r.stdout, r.stderr]) {
    assert.ok(!out.includes(marker), 'no file content is printed');
    assert.ok(!out.includes(SECRET), 'no credential is printed');
  }

  const j = await run(p.dir, ['check', '--app', p.app, '--json']);
  assert.equal(j.code, 1);
  const report = JSON.parse(j.stdout);
  assert.equal(report.inSync, false);
  assert.deepEqual([report.added, report.changed, report.removed], [[gone], [edited], [extra]]);
  assert.equal(report.compiled, true);
  assert.deepEqual(report.foreign, [extra]);

  // A hand-written file at a generated path is foreign too: synth would refuse to overwrite it.
  const kustomization = path.join(p.dist, 'prod', 'kustomization.yaml');
  const generated = fs.readFileSync(kustomization, 'utf8');
  fs.writeFileSync(kustomization, 'resources: [mine.yaml]\n');
  const handWritten = JSON.parse((await run(p.dir, ['check', '--app', p.app, '--json'])).stdout);
  assert.ok(handWritten.changed.includes('prod/kustomization.yaml'));
  assert.deepEqual(handWritten.foreign, ['prod/kustomization.yaml', extra]);
  fs.writeFileSync(kustomization, generated);
  assert.ok(!j.stdout.includes(marker) && !j.stdout.includes(SECRET));

  // synth refuses to delete the hand-written file; once it is moved out,
  // synth repairs the rest, and check agrees.
  const refused = await run(p.dir, ['synth', '--app', p.app]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /output\/foreign-files.*prod\/notes\.yaml/);
  fs.rmSync(path.join(p.dist, extra));
  assert.equal((await run(p.dir, ['synth', '--app', p.app])).code, 0);
  assert.equal((await run(p.dir, ['check', '--app', p.app])).code, 0);
});

test('check: drift in the delivery manifests counts too', async () => {
  const p = await synthProject();
  const file = path.join(p.dist, 'delivery', 'argocd', 'application-shop-policy-prod.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('FailOnSharedResource=true', 'Replace=true'));
  const r = await run(p.dir, ['check', '--app', p.app, '--json']);
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.stdout).changed, ['delivery/argocd/application-shop-policy-prod.yaml']);
});

test('check: --outdir and $CDK8S_OUTDIR pick the tree; a missing tree is all additions', async () => {
  const p = await synthProject();
  fs.renameSync(p.dist, path.join(p.dir, 'out'));
  const moved = await run(p.dir, ['check', '--app', p.app, '--outdir', 'out']);
  assert.equal(moved.code, 0, moved.stderr);

  const missing = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\(dist does not exist\)/);
  assert.ok(missing.stdout.split('\n').every((l) => l.startsWith('  add     ')));
  // The advice is the synth of the program and folder checked, not of the defaults.
  assert.match(missing.stderr, new RegExp(`Run \`npx waypoint-policy synth --app ${p.app.replace(/[.\\]/g, '\\$&')}\` and commit dist/\\.`));
  const spaced = await run(p.dir, ['check', '--app', p.app, '--outdir', 'my out']);
  assert.match(spaced.stderr, /--outdir "my out"` and commit my out\/\./);

  const { captureIo } = await import('../support/helpers');
  const { main } = await import('../../cli/main');
  const io = captureIo(p.dir, { ...process.env, CDK8S_OUTDIR: 'out' });
  assert.equal(await main(['check', '--app', p.app], io), 0);
});

test('check: a file where the output folder belongs is named as such (synth would refuse to replace it), in text and JSON; not "does not exist"', async () => {
  const p = await synthProject();
  fs.rmSync(p.dist, { recursive: true });
  fs.writeFileSync(p.dist, 'notes\n');
  const r = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /check: dist is not a folder: synth writes a folder there and will not replace what is there\. Move it away/);
  assert.doesNotMatch(r.stderr, /does not exist/);
  const j = await run(p.dir, ['check', '--app', p.app, '--json']);
  assert.equal(j.code, 1);
  const out = JSON.parse(j.stdout) as { inSync: boolean; foreign: string[]; problem: string };
  assert.equal(out.inSync, false);
  assert.deepEqual(out.foreign, ['dist']);
  assert.match(out.problem, /is not a folder/);
  // And synth does refuse, leaving the file.
  const s = await run(p.dir, ['synth', '--app', p.app]);
  assert.equal(s.code, 1);
  assert.equal(fs.readFileSync(p.dist, 'utf8'), 'notes\n');
});

test('check: an output folder that holds the project (--outdir ., ..) is refused as synth refuses it, before anything below it is read; not compared file by file', async () => {
  const p = project();
  for (const outdir of ['.', '..']) {
    const r = await run(p.dir, ['check', '--app', p.app, '--outdir', outdir]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`check: ${outdir.replace(/\./g, '\\.')} holds the policy project itself: synth refuses to replace it \\(output/foreign-files\\)`));
    assert.match(r.stderr, /Give synth a folder of its own inside the project \(--outdir dist, the default\)/);
    // Read file by file, the project's own files were listed as ones synth would remove.
    assert.doesNotMatch(r.stderr, /main\.ts/);
    const j = await run(p.dir, ['check', '--app', p.app, '--outdir', outdir, '--json']);
    assert.equal(j.code, 1);
    const out = JSON.parse(j.stdout) as { inSync: boolean; removed: string[]; foreign: string[]; problem: string };
    assert.equal(out.inSync, false);
    assert.deepEqual([out.removed, out.foreign], [[], []]);
    assert.match(out.problem, /holds the policy project itself/);
  }
});

test('check: a folder a synth left beside itself when it died between its renames is named, with how to get it back; not "all additions"', async () => {
  const p = await synthProject();
  let dead = 4_000_000;
  for (; ; dead--) {
    try {
      process.kill(dead, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') break;
    }
  }
  const left = `.dist-old-${dead}-${Date.now().toString(36)}`;
  fs.renameSync(p.dist, path.join(p.dir, left));
  const r = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`check: dist is missing: a synth that was interrupted left it as ${left.replace(/\./g, '\\.')}\\. Run \`npx waypoint-policy synth --app main\\.ts\`: it puts the folder back first`));
  // check only reads: the copy is where it was, and synth then restores it.
  assert.ok(fs.existsSync(path.join(p.dir, left)));
  const s = await run(p.dir, ['synth', '--app', p.app]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal((await run(p.dir, ['check', '--app', p.app])).code, 0);
});

test('check: CRLF line endings from a git checkout are not drift', async () => {
  const p = await synthProject();
  const file = path.join(p.dist, 'prod', 'kustomization.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
  assert.equal((await run(p.dir, ['check', '--app', p.app])).code, 0);
});

test('check: policies with errors fail with exit 1 and the findings; nothing is compared', async () => {
  const p = project(`
const app = new wp.PolicyApp({ delivery: { repoURL: 'https://x.io/r.git', argocd: { targetDestinations: { nowhere: { name: 'c' } } } } });
new wp.Waypoint(new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop'), 'waypoint');
export default app;`);
  const r = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error\[delivery\/unknown-target\]/);
  assert.match(r.stderr, /does not compile; nothing was compared/);
  assert.equal(r.stdout, '');

  const thrown = project(`const app = new wp.PolicyApp({ delivery: { repoURL: 'nope' } });\nexport default app;`);
  const j = await run(thrown.dir, ['check', '--app', thrown.app, '--json']);
  assert.equal(j.code, 1);
  const report = JSON.parse(j.stdout);
  assert.deepEqual(report.findings.map((f: { rule: string }) => f.rule), ['delivery/invalid']);
  // The same fields as a comparison.
  assert.deepEqual({ ...report, findings: undefined }, { inSync: false, outdir: 'dist', added: [], changed: [], removed: [], foreign: [], conflicted: [], compiled: false, findings: undefined });

  // A construction error names the policy line relative to the project, as synth does.
  const bad = project(`const app = new wp.PolicyApp();\nnew wp.MeshNamespace(app, 'Bad_Name');\nexport default app;`);
  const line = fs.readFileSync(path.resolve(bad.dir, bad.app), 'utf8').split('\n').findIndex((l) => l.includes('Bad_Name')) + 1;
  for (const command of ['check', 'validate', 'synth']) {
    const out = await run(bad.dir, [command, '--app', bad.app, '--json']);
    assert.equal(out.code, 1, command);
    const findings = command === 'check' ? JSON.parse(out.stdout).findings : JSON.parse(out.stdout);
    assert.equal(findings[0].source, `main.ts:${line}`, command);
  }
});

test('check: usage mistakes exit 2', async () => {
  const p = project('export default new wp.PolicyApp();');
  assert.equal((await run(p.dir, ['check', '--bogus'])).code, 2);
  assert.equal((await run(p.dir, ['check', '--app', 'missing.ts'])).code, 2);
});

test('treeDrift is sorted and symmetric', () => {
  const a = new Map([['b', '1'], ['a', '1'], ['c', '1']]);
  const b = new Map([['c', '2'], ['d', '1'], ['a', '1']]);
  assert.deepEqual(treeDrift(a, b), { added: ['b'], changed: ['c'], removed: ['d'] });
  assert.deepEqual(treeDrift(b, a), { added: ['d'], changed: ['c'], removed: ['b'] });
  assert.deepEqual(treeDrift(a, a), { added: [], changed: [], removed: [] });
});

test('check: an output folder that cannot be read is a clear failure (exit 1), not an internal error; with --json, the problem is in the JSON', async () => {
  // Root reads any folder, so the check runs as an unprivileged user when this test runs as root.
  const { execFileSync } = await import('node:child_process');
  const { REPO_ROOT, tempDir } = await import('../support/helpers');
  const dir = tempDir('wp-check-unreadable-');
  fs.chmodSync(dir, 0o755);
  const out = path.join(dir, 'dist');
  fs.mkdirSync(path.join(out, 'locked'), { recursive: true });
  fs.chmodSync(path.join(out, 'locked'), 0o000);
  const root = process.getuid?.() === 0;
  const run = (...flags: string[]) => {
    try {
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'cli', 'bin.cjs'), 'check', '--outdir', out, ...flags], { cwd: REPO_ROOT, stdio: 'pipe', env: { ...process.env, HOME: dir }, ...(root ? { uid: 65534, gid: 65534 } : {}) });
      return { status: 0, stdout: '', stderr: '' };
    } catch (e) {
      const err = e as { status: number; stdout: Buffer; stderr: Buffer };
      return { status: err.status, stdout: err.stdout.toString(), stderr: err.stderr.toString() };
    }
  };
  let text;
  let json;
  try {
    text = run();
    json = run('--json');
  } finally {
    fs.chmodSync(path.join(out, 'locked'), 0o755);
  }
  const problem = /cannot read .*dist: EACCES \(permission denied\) at .*locked\. Point --outdir at the folder synth writes/;
  assert.equal(text.status, 1, text.stderr);
  assert.match(text.stderr, new RegExp(`check: ${problem.source}`));
  assert.doesNotMatch(text.stderr, /internal error/);
  assert.equal(json.status, 1, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.inSync, false);
  assert.match(report.problem, problem);
});

test('check: the synth advice is the project\'s npm run synth with --app and --outdir from the project root, where npm run runs it, whatever folder the check ran in; without that script, npx waypoint-policy synth from where the check ran', async () => {
  const { captureIo, REPO_ROOT, tempDir, writePolicy } = await import('../support/helpers');
  const { main } = await import('../../cli/main');
  const io = captureIo(path.join(REPO_ROOT, 'policies'));
  assert.equal(await main(['check', '--app', 'main.ts', '--outdir', '../no-such-output-folder'], io), 1);
  assert.match(io.text(), /Run `npm run synth -- --app policies\/main\.ts --outdir no-such-output-folder` and commit \.\.\/no-such-output-folder\/\./);
  // A consumer project whose synth script is cdk8s's (other flags: --app is a command there), checked from a subfolder: the command itself, with paths from there.
  const consumer = tempDir('wp-check-consumer-');
  fs.writeFileSync(path.join(consumer, 'package.json'), '{"name":"consumer","private":true,"scripts":{"synth":"cdk8s synth"}}\n');
  fs.mkdirSync(path.join(consumer, 'policies'));
  writePolicy(path.join(consumer, 'policies'), 'const app = new wp.PolicyApp();\nnew wp.Waypoint(new wp.MeshNamespace(app, \'shop\'), \'waypoint\');\nexport default app;\n');
  const sub = captureIo(path.join(consumer, 'policies'));
  assert.equal(await main(['check', '--app', 'main.ts', '--outdir', '../dist'], sub), 1);
  assert.match(sub.text(), /Run `npx waypoint-policy synth --app main\.ts --outdir \.\.\/dist` and commit \.\.\/dist\/\./);
});

test('check: the synth advice quotes an --outdir the shell would expand ($, backtick) in single quotes, so pasting it writes that folder', async () => {
  const p = project();
  for (const [outdir, shown] of [
    ['out $HOME', "'out $HOME'"],
    ["it's `x`", `'it'\\''s \`x\`'`],
    ['my dist', '"my dist"'],
  ]) {
    const r = await run(p.dir, ['check', '--app', p.app, '--outdir', outdir]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`Run \`npx waypoint-policy synth --app main.ts --outdir ${shown}\``), r.stderr);
    // What a POSIX shell makes of the word is the folder itself.
    if (process.platform !== 'win32') assert.equal(execFileSync('sh', ['-c', `printf '%s' ${shown}`], { encoding: 'utf8' }), outdir);
  }
});

test('check and diff name merge-conflict markers in dist/ (a merge resolved in the generated files), and say to regenerate rather than resolve by hand', async () => {
  const p = await synthProject();
  const file = 'prod/2-policies/shop/wasmplugin-auth.yaml';
  const text = fs.readFileSync(path.join(p.dist, file), 'utf8');
  fs.writeFileSync(path.join(p.dist, file), `<<<<<<< HEAD\n${text}=======\n${text}>>>>>>> feature\n`);
  const r = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stdout.split('\n'), [`  change  ${file}  (holds merge-conflict markers)`]);
  assert.match(r.stderr, /1 of them hold merge-conflict markers: do not resolve conflicts in dist\/ by hand, regenerate it\. Run `/);
  // A marker-like line inside a value is no marker.
  assert.equal(hasConflictMarkers('a: "<<<<<<< x"\n'), false);
  assert.equal(hasConflictMarkers('a: 1\n=======\n'), true);
  assert.equal(hasConflictMarkers('a: 1\r\n=======\r\n'), true, 'a CRLF checkout');
  const j = await run(p.dir, ['check', '--app', p.app, '--json']);
  assert.deepEqual(JSON.parse(j.stdout).conflicted, [file]);

  // diff reads such a base as unreadable, and says why.
  execFileSync('git', ['init', '-q'], { cwd: p.dir });
  execFileSync('git', ['add', '-A'], { cwd: p.dir });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'conflicted'], { cwd: p.dir });
  const d = await run(p.dir, ['diff', '--base', 'HEAD', '--app', p.app]);
  assert.notEqual(d.code, 0);
  assert.match(d.stderr, /wasmplugin-auth\.yaml is not valid YAML \(it holds merge-conflict markers: regenerate it with synth instead of resolving it by hand\)/);
});

// A synth in another process, caught between its two renames: the committed
// folder moved aside as its retired copy, the lock beside it held. It puts
// the folder back and releases the lock after `ms`.
const SYNTH_BETWEEN_RENAMES = `
const fs = require('node:fs'), os = require('node:os'), path = require('node:path');
const [dir, ms] = [process.argv[1], Number(process.argv[2])];
const dist = path.join(dir, 'dist'), lock = path.join(dir, '.dist.lock');
const aside = path.join(dir, '.dist-old-' + process.pid + '-' + Date.now().toString(36));
fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, started: new Date().toISOString(), host: os.hostname() }) + '\\n');
fs.renameSync(dist, aside);
console.log('ready');
setTimeout(() => { fs.renameSync(aside, dist); fs.unlinkSync(lock); }, ms);
`;

test('check: a synth running at that moment (its lock held, the folder between its renames) is waited for, not reported as a missing or interrupted dist/', async () => {
  const p = await synthProject();
  const child = spawn(process.execPath, ['-e', SYNTH_BETWEEN_RENAMES, p.dir, '700'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the stand-in synth exited (${code}) before it was ready`)));
    });
    assert.ok(!fs.existsSync(p.dist), 'the folder is between the two renames');
    const r = await run(p.dir, ['check', '--app', p.app]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /check: dist is up to date with main\.ts/);
    assert.ok(!fs.existsSync(path.join(p.dir, '.dist.lock')), 'check releases the lock it took');
  } finally {
    child.kill('SIGKILL');
  }
});

test('check: a folder that nothing may write beside (a read-only checkout) is compared without the lock', async (t) => {
  const p = await synthProject();
  // Nothing may be created in the project folder: by its mode, or for root (whom modes do not stop) by the immutable flag.
  const root = process.getuid?.() === 0;
  if (root) execFileSync('chattr', ['+i', p.dir]);
  else fs.chmodSync(p.dir, 0o555);
  t.after(() => (root ? execFileSync('chattr', ['-i', p.dir]) : fs.chmodSync(p.dir, 0o755)));
  assert.throws(() => fs.writeFileSync(path.join(p.dir, '.probe'), ''), /EACCES|EPERM/);
  const r = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /check: dist is up to date with main\.ts/);
});

test('check: a committed file with the content synth writes but an executable bit (git records it) is drift; synth rewrites it without the bit, and check agrees', async () => {
  const p = await synthProject();
  const file = 'prod/2-policies/shop/wasmplugin-auth.yaml';
  fs.chmodSync(path.join(p.dist, file), 0o755);
  const r = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.stdout.split('\n'), [`  change  ${file}  (executable: synth writes it without the x bit)`]);
  const j = JSON.parse((await run(p.dir, ['check', '--app', p.app, '--json'])).stdout);
  assert.deepEqual([j.inSync, j.changed, j.foreign], [false, [file], []]);
  // The hard link that keeps an unchanged file would keep its mode too: it is written anew.
  const s = await run(p.dir, ['synth', '--app', p.app]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stderr, /\(1 written, \d+ unchanged, 0 removed\)/);
  assert.equal(fs.statSync(path.join(p.dist, file)).mode & 0o111, 0);
  assert.equal((await run(p.dir, ['check', '--app', p.app])).code, 0);
});

test('check: where git records no x bit (core.fileMode false, as git sets it on file systems that show every file executable), an executable file is no drift', async () => {
  const p = await synthProject();
  execFileSync('git', ['init', '-q'], { cwd: p.dir });
  execFileSync('git', ['config', 'core.fileMode', 'false'], { cwd: p.dir });
  for (const file of ['prod/2-policies/shop/wasmplugin-auth.yaml', 'prod/1-waypoints/shop/gateway-waypoint.yaml']) fs.chmodSync(path.join(p.dist, file), 0o755);
  const r = await run(p.dir, ['check', '--app', p.app]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /is up to date/);
});
