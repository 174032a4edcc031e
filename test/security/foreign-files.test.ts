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
import { GENERATED_PREFIX, isGeneratedFile } from '../../compiler/foreign-files';
import { compileApp, synthToDirectory } from '../../compiler/synth';
import { readTree } from '../../compiler/write';
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
  assert.match(io.text(), /output\/foreign-files/);
  assert.match(io.text(), /main\.ts/);
  assert.deepEqual(snapshot(dir), before);
});

for (const backgroundWrite of [false, true]) {
  const writer = backgroundWrite ? 'background writer' : 'inline writer';

  test(`${writer}: generated files the new tree drops go; a foreign one, even a link or one that merely mentions waypoint-policy, stops the swap`, () => {
    const build = (...waypoints: string[]) => {
      const app = new PolicyApp();
      const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
      for (const w of waypoints) new Waypoint(ns, w);
      return app;
    };
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
  });
}

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
