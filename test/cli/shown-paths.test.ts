/**
 * How messages show paths: relative from where the command ran (findings:
 * from the project root, as their sources), so they can be pasted there,
 * also for a path outside the project; absolute only for a path that shares
 * nothing with it but the file-system root, where `../../..` would only
 * count how deep the working directory is.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { shownPath } from '../../compiler/shown-path';
import { captureIo, tempDir, writePolicy } from '../support/helpers';

test('shownPath: relative from the folder, absolute when only the file-system root is shared', () => {
  const rows: [string, string, string][] = [
    ['/work/main/dist', '/work/main', 'dist'],
    ['/work/main', '/work/main', '.'],
    ['/work/main/policies/../dist', '/work/main', 'dist'],
    ['/work/other/dist', '/work/main', '../other/dist'],
    ['/work/main', '/work/main/policies', '..'],
    ['/tmp/wp-1/dist', '/work/main', '/tmp/wp-1/dist'],
    ['/dev/null/x', '/work/main/policies', '/dev/null/x'],
    ['dist', '/work/main', 'dist'],
  ];
  for (const [p, from, shown] of rows) assert.equal(shownPath(p, from), shown, `${p} from ${from}`);
});

/** A project in a fresh folder: package.json, the policy, and a sibling folder outside it. */
function project(credential: string) {
  const top = tempDir('wp-shown-');
  const dir = path.join(top, 'repo');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"shown","private":true}\n');
  const app = writePolicy(
    dir,
    `const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop');
const w = new wp.Waypoint(ns, 'waypoint');
new wp.BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: [${credential}] }], acknowledge: { unpinnedModule: 'test' } });
export default app;`,
  );
  return { top, dir, app };
}

test('synth names an --outdir outside the project from the working directory, and one under another top folder as it is', async () => {
  const { top, dir, app } = project(`wp.Credential.insecureLiteral('u:p')`);
  const sibling = captureIo(dir);
  assert.equal(await main(['synth', '--app', app, '--outdir', path.join(top, 'out', 'dist')], sibling), 0, sibling.text());
  assert.match(sibling.stderr.join('\n'), /-> \.\.\/out\/dist \(/);
  const device = captureIo(dir);
  assert.equal(await main(['synth', '--app', app, '--outdir', '/dev/null/dist'], device), 1);
  assert.match(device.stderr.join('\n'), /^synth: failed; \/dev\/null\/dist was not changed\.$/m);
});

test('a credential file outside the project is named from the project root, as the policy line is; never its value', async () => {
  const secret = 'alice:outside-s3cret';
  const { top, dir } = project('');
  fs.writeFileSync(path.join(top, 'present'), `${secret}\n`);
  const app = writePolicy(
    dir,
    `const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop');
const w = new wp.Waypoint(ns, 'waypoint');
new wp.BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: [wp.Credential.fromFile('../present'), wp.Credential.fromFile('../secrets/admin'), wp.Credential.fromFile('/nonexistent-wp-top/admin')] }], acknowledge: { unpinnedModule: 'test' } });
export default app;`,
    'outside.ts',
  );
  const io = captureIo(dir);
  assert.equal(await main(['validate', '--app', path.basename(app)], io), 1);
  const text = io.text();
  assert.match(text, /credential source file \.\.\/secrets\/admin cannot be read: no such file \(resolved to \.\.\/secrets\/admin\)/);
  // Under no folder the project is under: as it is.
  assert.match(text, /credential source file \/nonexistent-wp-top\/admin cannot be read: no such file \(resolved to \/nonexistent-wp-top\/admin\)/);
  assert.ok(!text.includes(top), `no machine path: ${text}`);
  assert.ok(!text.includes(secret));
});
