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
import { REPO_ROOT, tempDir } from '../support/helpers';
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
// Given the policy's own waypoint: an object of the other copy, which this one cannot recognise.
export function enrollOrders(ns: any, waypoint: any): void {
  MeshService.fromServiceName(ns, 'orders', 'orders', { useWaypoint: waypoint });
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
console.log(JSON.stringify(result.findings.filter((f) => f.severity === 'error').map((f) => ({ rule: f.rule, path: f.path, source: f.source, message: f.message }))));
`,
  );
  const r = runTs(project, 'src/two-copies.ts');
  assert.equal(r.status, 0, r.stderr);
  const errors = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rule: string; path: string; source: string; message: string }[];
  assert.deepEqual(
    errors.map((e) => [e.rule, e.path]),
    // One finding per copy, at the first construct it made.
    [['library/two-copies', 'shop/cart-waypoint']],
    JSON.stringify(errors),
  );
  // The policy line that made it, as the other copy recorded it (this copy knows only the namespace's line, 4).
  assert.match(errors[0].source, /two-copies\.ts:6$/);
  assert.match(errors[0].message, /another copy of waypoint-policy \(node_modules\/@acme\/mesh-lib\/node_modules\/waypoint-policy\) than the one reading it \(node_modules\/waypoint-policy\)/);
});

test("a construct of one copy handed to a construct of the other is refused as library/two-copies, not as a wrong value", () => {
  const project = installProject('packed');
  const lib = path.join(project, 'node_modules', '@acme', 'mesh-lib');
  fs.cpSync(path.join(project, 'node_modules', 'waypoint-policy'), path.join(lib, 'node_modules', 'waypoint-policy'), { recursive: true });
  fs.writeFileSync(path.join(lib, 'package.json'), JSON.stringify({ name: '@acme/mesh-lib', version: '1.0.0', main: 'index.ts' }));
  fs.writeFileSync(
    path.join(lib, 'index.ts'),
    `import { Credential, MeshService, protectPaths, Waypoint } from 'waypoint-policy';\nexport function enrollOrders(ns: any, waypoint: any): void {\n  MeshService.fromServiceName(ns, 'orders', 'orders', { useWaypoint: waypoint });\n}\nexport function edgeWaypoint(ns: any): any {\n  return new Waypoint(ns, 'edge');\n}\nexport function protectCart(ns: any): void {\n  protectPaths(MeshService.fromServiceName(ns, 'cart', 'cart'), { paths: ['/admin'], credentials: [Credential.insecureLiteral('a:b')] });\n}\n`,
  );
  /** The findings a policy program refusing at `call` throws, run in the installed project ([] when nothing is refused). */
  const refusals = (file: string, imports: string, call: string, setup = '') => {
    fs.writeFileSync(
      path.join(project, 'src', file),
      `import { isPolicyError, MeshNamespace, PolicyApp, Waypoint, WasmPlugin } from 'waypoint-policy';
import { ${imports} } from '@acme/mesh-lib';
const ns = new MeshNamespace(new PolicyApp(), 'shop');
${setup}try {
  ${call};
  console.log('[]');
} catch (e) {
  if (!isPolicyError(e)) throw e;
  console.log(JSON.stringify(e.findings.map((f) => ({ rule: f.rule, message: f.message }))));
}
`,
    );
    const r = runTs(project, `src/${file}`);
    assert.equal(r.status, 0, r.stderr);
    const findings = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rule: string; message: string }[];
    assert.deepEqual(findings.map((f) => f.rule), ['library/two-copies'], JSON.stringify(findings));
    return findings[0].message;
  };
  assert.match(
    refusals('handed.ts', 'enrollOrders', "enrollOrders(ns, new Waypoint(ns, 'waypoint'))"),
    /^ExternalService prop 'useWaypoint' was made by another copy of waypoint-policy \(node_modules\/waypoint-policy\) than the one reading it \(node_modules\/@acme\/mesh-lib\/node_modules\/waypoint-policy\)/,
  );
  // A plugin target is taken by its shape, so it is checked on its own: the other copy's waypoint as a target.
  assert.match(
    refusals('target.ts', 'edgeWaypoint', "new WasmPlugin(ns, 'p', { url: 'oci://ghcr.io/acme/p:1.0.0', targets: [edgeWaypoint(ns)] })"),
    /^targets\[0\] \(Gateway edge\) was made by another copy of waypoint-policy/,
  );
  // So is the other copy's waypoint given to this copy's namespace: it read as "not a Waypoint".
  assert.match(refusals('use.ts', 'edgeWaypoint', 'ns.useWaypoint(edgeWaypoint(ns))'), /^useWaypoint\(\) was given a Waypoint made by another copy of waypoint-policy/);
  // A pattern of the other copy on this copy's namespace: it cannot see the namespace's waypoint, and says why.
  assert.match(
    refusals('pattern.ts', 'protectCart', 'protectCart(ns)', "ns.useWaypoint(new Waypoint(ns, 'waypoint'));\n"),
    /^the namespace of 'shop\/cart' was made by another copy of waypoint-policy/,
  );
});

test('the same copy loaded twice through a symbolic link (--preserve-symlinks) is named as such: npm dedupe would not help', async () => {
  const { twoCopies, LIBRARY_COPY } = await import('../../constructs/internal/copies');
  const link = path.join(tempDir('wp-link-'), 'node_modules', 'waypoint-policy');
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(LIBRARY_COPY, link, 'dir');
  const { message, fix } = twoCopies(link);
  assert.match(message, /^made by the same copy of waypoint-policy loaded a second time through a symbolic link \(node_modules\/waypoint-policy\)/);
  assert.match(fix, /--preserve-symlinks/);
  assert.match(twoCopies('/elsewhere/node_modules/waypoint-policy').message, /another copy of waypoint-policy/);
});

test('two copies that npm would both place at node_modules/waypoint-policy (a workspace package\'s own and the project\'s) are told apart by the folders they are in', async () => {
  const { twoCopies } = await import('../../constructs/internal/copies');
  const repo = path.join(tempDir('wp-repo-'), 'mesh-policy');
  const theirs = path.join(repo, 'packages', 'platform', 'node_modules', 'waypoint-policy');
  const ours = path.join(repo, 'node_modules', 'waypoint-policy');
  assert.match(twoCopies(theirs, ours).message, /^made by another copy of waypoint-policy \(packages\/platform\/node_modules\/waypoint-policy\) than the one reading it \(node_modules\/waypoint-policy\): /);
  assert.doesNotMatch(twoCopies(theirs, ours).message, new RegExp(repo.replace(/[/\\]/g, '.')), 'no machine path');
  // Placed apart by npm already: named from node_modules on, as npm ls shows them.
  assert.match(twoCopies(path.join(repo, 'node_modules', '@acme', 'platform', 'node_modules', 'waypoint-policy'), ours).message, /\(node_modules\/@acme\/platform\/node_modules\/waypoint-policy\) than the one reading it \(node_modules\/waypoint-policy\)/);
});

test("a linked package's own copy (npm link, npm install <folder>) is named as such: its peerDependency and npm dedupe would not help", async () => {
  const { twoCopies } = await import('../../constructs/internal/copies');
  const work = tempDir('wp-linked-');
  const theirs = path.join(work, 'acme-policy', 'node_modules', 'waypoint-policy');
  const ours = path.join(work, 'app', 'node_modules', 'waypoint-policy');
  const { message, fix } = twoCopies(theirs, ours);
  assert.match(message, /^made by another copy of waypoint-policy \(acme-policy\/node_modules\/waypoint-policy\) than the one reading it \(app\/node_modules\/waypoint-policy\): /);
  assert.match(fix, /^The package at \.\.\/acme-policy is linked from outside this project/);
  assert.doesNotMatch(fix, /peerDependency|then run npm dedupe/);
  // A package npm installed inside the project (a workspace's, a nested one) keeps the peerDependency fix.
  assert.match(twoCopies(path.join(work, 'app', 'packages', 'platform', 'node_modules', 'waypoint-policy'), ours).fix, /peerDependency/);
  assert.match(twoCopies(path.join(work, 'app', 'node_modules', '@acme', 'lib', 'node_modules', 'waypoint-policy'), ours).fix, /peerDependency/);
});

test("a project whose own cdk8s is not waypoint-policy's: a Service cdk8s-plus built with the project's copy is refused as library/two-copies, naming both copies", () => {
  const project = installProject('packed');
  // npm nests waypoint-policy's own cdk8s when the project's top-level one is
  // outside its range; cdk8s-plus-33 (cdk8s is its peer) then takes the project's.
  fs.cpSync(path.join(REPO_ROOT, 'node_modules', 'cdk8s'), path.join(project, 'node_modules', 'waypoint-policy', 'node_modules', 'cdk8s'), { recursive: true, dereference: true });
  fs.writeFileSync(
    path.join(project, 'src', 'cdk8s-copies.ts'),
    `import { compileApp, MeshNamespace, MeshService, PolicyApp } from 'waypoint-policy';
const app = new PolicyApp();
const ns = new MeshNamespace(app, 'shop');
new MeshService(ns, 'api', { ports: [{ port: 80 }] });
console.log(JSON.stringify(compileApp(app).findings.filter((f) => f.severity === 'error').map((f) => ({ rule: f.rule, path: f.path, source: f.source, message: f.message, fix: f.fix }))));
`,
  );
  const r = runTs(project, 'src/cdk8s-copies.ts');
  assert.equal(r.status, 0, r.stderr);
  const errors = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rule: string; path: string; source: string; message: string; fix: string }[];
  assert.deepEqual(errors.map((e) => [e.rule, e.path, e.source]), [['library/two-copies', 'shop/api/Resource/Resource', 'src/cdk8s-copies.ts:4']], JSON.stringify(errors));
  assert.match(errors[0].message, /another copy of cdk8s \(node_modules\/cdk8s \d+\.\d+\.\d+\) than the one waypoint-policy renders manifests with \(node_modules\/waypoint-policy\/node_modules\/cdk8s \d+\.\d+\.\d+\)/);
  assert.doesNotMatch(errors[0].message, /toJson\(\) override/);
  assert.match(errors[0].fix, /npm install cdk8s@\^2\.\d+\.\d+/);

  // The project's own Lazy in one of the library's manifests: the same two copies, named.
  fs.writeFileSync(
    path.join(project, 'src', 'cdk8s-lazy.ts'),
    `import { Lazy } from 'cdk8s';
import { compileApp, MeshNamespace, PolicyApp, Waypoint } from 'waypoint-policy';
const ns = new MeshNamespace(new PolicyApp(), 'shop');
new Waypoint(ns, 'waypoint').apiObject.metadata.addAnnotation('acme.example/owner', Lazy.any({ produce: () => 'team-a' }) as never);
console.log(JSON.stringify(compileApp(ns.node.root as PolicyApp).findings.filter((f) => f.severity === 'error' && f.path === 'shop/waypoint/Resource').map((f) => ({ rule: f.rule, message: f.message }))));
`,
  );
  const lazy = runTs(project, 'src/cdk8s-lazy.ts');
  assert.equal(lazy.status, 0, lazy.stderr);
  const refused = JSON.parse(lazy.stdout.trim().split('\n').pop()!) as { rule: string; message: string }[];
  assert.deepEqual(refused.map((e) => e.rule), ['library/two-copies'], JSON.stringify(refused));
  assert.match(refused[0].message, /^this manifest holds a value \(a Lazy\) made with another copy of cdk8s \(node_modules\/cdk8s /);
});

test('cdk8s and constructs are peer dependencies, as of cdk8s-plus-33: npm gives the library, cdk8s-plus-33 and the project one copy, or refuses the install (ERESOLVE) where it cannot', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  const plus = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'cdk8s-plus-33', 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  for (const dep of ['cdk8s', 'constructs']) {
    assert.equal(pkg.dependencies[dep], undefined, `${dep} is no dependency: npm would nest a second copy beside the project's`);
    assert.ok(pkg.peerDependencies[dep], `${dep} is a peer dependency`);
    assert.equal(pkg.devDependencies[dep], pkg.peerDependencies[dep], `${dep}: this repo develops against the range it asks of consumers`);
    assert.ok(plus.peerDependencies[dep], `cdk8s-plus-33 takes ${dep} as a peer too`);
  }
});
