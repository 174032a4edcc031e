/**
 * Two copies of the library in one program (a team's construct package with
 * its own nested waypoint-policy) keep their records apart: the compiling
 * copy would take the other's label-only Service for one it owns. Compiling
 * refuses instead, naming both copies as npm places them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { installProject, runTs } from './install';

test('a construct made by a second, nested copy of the library is refused (library/two-copies), not misread', () => {
  const project = installProject('packed');
  const lib = path.join(project, 'node_modules', '@acme', 'mesh-lib');
  fs.cpSync(path.join(project, 'node_modules', 'waypoint-policy'), path.join(lib, 'node_modules', 'waypoint-policy'), { recursive: true });
  fs.writeFileSync(path.join(lib, 'package.json'), JSON.stringify({ name: '@acme/mesh-lib', version: '1.0.0', main: 'index.ts' }));
  fs.writeFileSync(
    path.join(lib, 'index.ts'),
    `import { MeshService, Waypoint } from 'waypoint-policy';
// A waypoint, and another team's Service labelled to use it: label-only, never ours to prune.
export function enrollCart(ns: any): void {
  MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: new Waypoint(ns, 'cart-waypoint') });
}
`,
  );
  fs.writeFileSync(
    path.join(project, 'src', 'two-copies.ts'),
    `import { compileApp, MeshNamespace, PolicyApp, Waypoint } from 'waypoint-policy';
import { enrollCart } from '@acme/mesh-lib';
const app = new PolicyApp();
const ns = new MeshNamespace(app, 'shop');
new Waypoint(ns, 'waypoint');
enrollCart(ns);
const result = compileApp(app);
console.log(JSON.stringify(result.findings.filter((f) => f.severity === 'error').map((f) => ({ rule: f.rule, path: f.path, message: f.message }))));
`,
  );
  const r = runTs(project, 'src/two-copies.ts');
  assert.equal(r.status, 0, r.stderr);
  const errors = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rule: string; path: string; message: string }[];
  assert.deepEqual(
    errors.map((e) => [e.rule, e.path]),
    // One finding per copy, at the first construct it made.
    [['library/two-copies', 'shop/cart-waypoint']],
    JSON.stringify(errors),
  );
  assert.match(errors[0].message, /another copy of waypoint-policy \(node_modules\/@acme\/mesh-lib\/node_modules\/waypoint-policy\) than the one compiling \(node_modules\/waypoint-policy\)/);
});
