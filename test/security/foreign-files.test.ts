/**
 * Synth replaces its whole output folder. A folder holding anything synth did
 * not write (a deploy repo's .git, a README, the project itself after
 * `--outdir .`) must be refused, not emptied: never lose what a person owns.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { compileApp, synthToDirectory } from '../../compiler/synth';
import { GENERATED_PREFIX, isGeneratedFile, openTreeWriter, readTree } from '../../compiler/write';
import { refuseForeignFiles } from '../../compiler/foreign-files';
import { spawnSync } from 'node:child_process';
import { isPolicyError, MeshNamespace, PolicyApp, Target, Waypoint } from '../../constructs';
import { captureIo, tempDir, writePolicy } from '../support/helpers';

const POLICY = `const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(app, 'shop');
new wp.Waypoint(ns, 'waypoint');
export default app;`;

/** Every entry under `dir` (files, folders, links) with its content or link target. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, prefix: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const rel = `${prefix}${e.name}`;
      const full = path.join(d, e.name);
      if (e.isSymbolicLink()) out.set(rel, `-> ${fs.readlinkSync(full)}`);
      else if (e.isDirectory()) {
        out.set(`${rel}/`, '');
        walk(full, `${rel}/`);
      } else out.set(rel, fs.readFileSync(full, 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

/** No staging or retired copies left beside `outdir`. */
function assertNoLeftovers(outdir: string): void {
  const base = path.basename(outdir);
  const left = fs.readdirSync(path.dirname(outdir)).filter((n) => n.startsWith(`.${base}-`));
  assert.deepEqual(left, []);
}

test('synth refuses an output folder holding files it did not write, names them, and changes nothing', async () => {
  const dir = tempDir();
  const file = writePolicy(dir, POLICY);
  const out = path.join(dir, 'deploy-repo');
  fs.mkdirSync(path.join(out, '.git', 'refs'), { recursive: true });
  fs.writeFileSync(path.join(out, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  fs.writeFileSync(path.join(out, 'README.md'), '# deploy repo\n');
  fs.mkdirSync(path.join(out, 'other-app'));
  fs.writeFileSync(path.join(out, 'other-app', 'deployment.yaml'), 'kind: Deployment\n');
  const before = snapshot(out);

  const io = captureIo(dir);
  assert.equal(await main(['synth', '--app', file, '--outdir', out], io), 1);
  assert.match(io.text(), /error\[output\/foreign-files\]: refusing to replace the output folder: synth replaces all of it, and it holds 3 file\(s\) that waypoint-policy did not generate \(\.git\/HEAD, README\.md, other-app\/deployment\.yaml\)/);
  assert.match(io.text(), /fix: Give synth a folder of its own/);
  assert.match(io.text(), /synth: failed; deploy-repo was not changed/);
  assert.deepEqual(snapshot(out), before);
  assertNoLeftovers(out);
});

test('`--outdir .` in a project is refused: the policies stay where they are', async () => {
  const dir = tempDir();
  const file = writePolicy(dir, POLICY);
  fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
  const before = snapshot(dir);
  const io = captureIo(dir);
  assert.equal(await main(['synth', '--app', file, '--outdir', '.'], io), 1);
  assert.match(io.text(), /output\/foreign-files\]: refusing to replace the output folder: synth replaces all of it, and it holds the policy project itself \(it is the project folder\)/);
  assert.deepEqual(snapshot(dir), before);
});

test('an output folder that holds the project (`--outdir ..`, `/`) is refused before anything below it is read', async () => {
  // The foreign-file check would refuse it too, but only after listing every
  // file below it: for `/` that is the whole disk, and it then failed on
  // /proc's unreadable files as if the folder were not writable.
  const dir = tempDir();
  const project = path.join(dir, 'repo');
  fs.mkdirSync(project);
  const file = writePolicy(project, POLICY);
  fs.writeFileSync(path.join(project, 'package.json'), '{}\n');
  const before = snapshot(dir);
  for (const outdir of ['..', '/']) {
    const io = captureIo(project);
    assert.equal(await main(['synth', '--app', file, '--outdir', outdir], io), 1);
    assert.match(io.text(), /error\[output\/foreign-files\]: refusing to replace the output folder: synth replaces all of it, and it holds the policy project itself \(the project is at /, io.text());
    assert.match(io.text(), /fix: Give synth a folder of its own inside the project/);
    assert.doesNotMatch(io.text(), /EACCES|permission denied/);
  }
  assert.deepEqual(snapshot(dir), before);
  assertNoLeftovers(project);
});

for (const backgroundWrite of [false, true]) {
  const writer = backgroundWrite ? 'background writer' : 'inline writer';

  test(`${writer}: generated files the new tree drops go; a foreign one, even a link or one that merely mentions waypoint-policy, stops the swap`, () => {
    const out = path.join(tempDir(), 'dist');
    // A first synth with two waypoints, a second with one: the other's file is ours to remove.
    synthToDirectory(build('waypoint', 'second'), { outdir: out, backgroundWrite });
    assert.ok(readTree(out).has('prod/1-waypoints/shop/gateway-second.yaml'));
    const second = synthToDirectory(build('waypoint'), { outdir: out, backgroundWrite });
    assert.equal(second.write.removed, 1);
    assert.ok(!readTree(out).has('prod/1-waypoints/shop/gateway-second.yaml'));

    for (const [name, make] of [
      ['notes.txt', (f: string) => fs.writeFileSync(f, 'my notes\n')],
      ['copy.yaml', (f: string) => fs.writeFileSync(f, `kind: ConfigMap\n${GENERATED_PREFIX}\n`)],
      ['lookalike.yaml', (f: string) => fs.writeFileSync(f, `${GENERATED_PREFIX}foo: my own\n`)],
      ['link.yaml', (f: string) => fs.symlinkSync(path.join(out, 'prod', 'kustomization.yaml'), f)],
    ] as const) {
      const foreign = path.join(out, 'prod', name);
      make(foreign);
      const before = snapshot(out);
      assert.throws(
        () => synthToDirectory(build('waypoint'), { outdir: out, backgroundWrite }),
        (e: unknown) => isPolicyError(e) && e.findings[0].rule === 'output/foreign-files' && e.message.includes(`prod/${name}`),
      );
      assert.deepEqual(snapshot(out), before);
      assertNoLeftovers(out);
      fs.rmSync(foreign);
    }

    // A hand-written file at a path synth generates is not overwritten either.
    const generatedPath = path.join(out, 'prod', 'kustomization.yaml');
    fs.writeFileSync(generatedPath, 'resources: [my-own.yaml]\n');
    const before = snapshot(out);
    assert.throws(
      () => synthToDirectory(build('waypoint'), { outdir: out, backgroundWrite }),
      (e: unknown) => isPolicyError(e) && e.findings[0].rule === 'output/foreign-files' && e.message.includes('prod/kustomization.yaml'),
    );
    assert.deepEqual(snapshot(out), before);
    assertNoLeftovers(out);
  });

  test(`${writer}: an output path that is a file is refused at once; a link to a folder stays a link`, () => {
    const dir = tempDir();
    const file = path.join(dir, 'dist');
    fs.writeFileSync(file, 'not a folder\n');
    const started = Date.now();
    assert.throws(
      () => synthToDirectory(build(), { outdir: file, backgroundWrite }),
      (e: unknown) => isPolicyError(e) && e.findings[0].rule === 'output/foreign-files' && /there is a file \(or a link to nothing\) at its path/.test(e.message),
    );
    assert.ok(Date.now() - started < 10_000);
    assert.equal(fs.readFileSync(file, 'utf8'), 'not a folder\n');
    const dangling = path.join(dir, 'dangling');
    fs.symlinkSync(path.join(dir, 'nowhere'), dangling);
    assert.throws(
      () => synthToDirectory(build(), { outdir: dangling, backgroundWrite }),
      (e: unknown) => isPolicyError(e) && /a link to nothing/.test(e.message),
    );
    assert.ok(fs.lstatSync(dangling).isSymbolicLink());

    const real = path.join(dir, 'deploy', 'apps', 'mesh');
    fs.mkdirSync(real, { recursive: true });
    const link = path.join(dir, 'out');
    fs.symlinkSync(real, link);
    synthToDirectory(build(), { outdir: link, backgroundWrite });
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is kept');
    assert.ok(readTree(real).has('prod/1-waypoints/shop/gateway-waypoint.yaml'), 'the folder it names was written');
    assert.deepEqual(fs.readdirSync(path.dirname(real)).filter((n) => n.startsWith('.')), []);
  });

  test(`${writer}: a file saved into the output folder while synth writes is seen at the swap`, () => {
    const out = path.join(tempDir(), 'dist');
    synthToDirectory(build(), { outdir: out, backgroundWrite });
    const writer = openTreeWriter(out, { background: backgroundWrite, checkReplaced: refuseForeignFiles(out) });
    for (const [rel, text] of compileApp(build()).files) writer.add(rel, text);
    fs.writeFileSync(path.join(out, 'NOTES.md'), 'saved meanwhile\n');
    assert.throws(() => writer.commit(), (e: unknown) => isPolicyError(e) && e.message.includes('NOTES.md'));
    assert.equal(fs.readFileSync(path.join(out, 'NOTES.md'), 'utf8'), 'saved meanwhile\n');
    assertNoLeftovers(out);
  });
}

function build(...waypoints: string[]): PolicyApp {
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
  for (const w of waypoints.length > 0 ? waypoints : ['waypoint']) new Waypoint(ns, w);
  return app;
}

test('check lists special files without reading them: a FIFO does not hang it, a link to a folder does not crash it', () => {
  const dir = tempDir();
  const out = path.join(dir, 'dist');
  synthToDirectory(build(), { outdir: out });
  assert.equal(spawnSync('mkfifo', [path.join(out, 'pipe')]).status, 0);
  fs.symlinkSync(dir, path.join(out, 'linkdir'));
  const tree = readTree(out);
  assert.equal(tree.get('pipe'), '');
  assert.equal(tree.get('linkdir'), '');
});

test('every file synth writes starts with the mark that makes it replaceable', () => {
  const app = new PolicyApp({ delivery: { repoURL: 'https://git.example.com/mesh.git' } });
  new Waypoint(new MeshNamespace(app, 'shop'), 'waypoint');
  const dir = tempDir();
  const files = compileApp(app).files;
  assert.ok(files.size > 3);
  assert.ok([...files.keys()].some((k) => k.startsWith('delivery/')), 'delivery files included');
  for (const [rel, text] of files) {
    assert.ok(text.startsWith(GENERATED_PREFIX), rel);
    const f = path.join(dir, rel.replace(/\//g, '_'));
    fs.writeFileSync(f, text);
    assert.ok(isGeneratedFile(f), rel);
  }
});
