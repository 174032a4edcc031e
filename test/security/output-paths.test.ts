import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ApiObject } from 'cdk8s';
import { layout } from '../../compiler/layout';
import { compileApp } from '../../compiler/synth';
import { MeshNamespace, PolicyApp, PolicyError, Target, Waypoint } from '../../constructs';
import { main } from '../../cli/main';
import { captureIo, tempDir, writePolicy } from '../support/helpers';

for (const name of ['../../etc', '..', 'a/b', '/abs', 'UPPER', 'x\u0000y']) {
  test(`fails on a namespace, target or waypoint named ${JSON.stringify(name)} (no path outside dist/)`, () => {
    assert.throws(() => new MeshNamespace(new PolicyApp(), 'ns', { name }), PolicyError);
    assert.throws(() => new Target(new PolicyApp(), name), PolicyError);
    const ns = new MeshNamespace(new PolicyApp(), 'default');
    assert.throws(() => new Waypoint(ns, 'w', { name }), PolicyError);
  });
}

test('fails on a raw ApiObject whose name would escape dist/, and writes nothing', async () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  new ApiObject(ns, 'evil', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '../../../escape' } });
  // The analysis refuses the name first (names/rfc1123), so nothing is rendered; the writer's own
  // check stays as a second line of defence, exercised on layout() itself.
  const result = compileApp(app);
  assert.ok(result.findings.some((f) => f.rule === 'names/rfc1123'));
  assert.equal(result.files.size, 0);
  assert.throws(
    () => layout(result.collected.model.objects, { partOf: 'x', tools: [] }),
    (e: unknown) => e instanceof PolicyError && e.findings[0].rule === 'output/unsafe-path',
  );

  const dir = tempDir();
  const file = writePolicy(
    dir,
    `import { ApiObject } from '${require.resolve('cdk8s')}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(app, 'default');
new ApiObject(ns, 'evil', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '../../../escape' } });
export default app;`,
  );
  const io = captureIo(dir);
  assert.equal(await main(['synth', '--app', file, '--outdir', path.join(dir, 'out', 'dist')], io), 1);
  assert.match(io.text(), /names\/rfc1123/);
  assert.equal(fs.existsSync(path.join(dir, 'out')), false);
  assert.equal(fs.existsSync(path.join(dir, 'escape.yaml')), false);
});
