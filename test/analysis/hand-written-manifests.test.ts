/**
 * `validate --manifests` and `explain --manifests` pointed at a folder from
 * another repo, as platform engineers do: the awkward but real inputs of
 * hand-written YAML, each read as kubectl `apply -R -f` reads it, or refused
 * with a finding naming the file and line. Never an internal error, a stack
 * trace, or a credential in the output.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mock, test } from 'node:test';
import { findingsOf, manifestDir, run, STACK_FRAME, type JsonFinding, type Run } from './harness';

/** Credentials the fixtures hold; none may ever be printed. */
const SECRETS = ['zq7user:zq7pass', 'enE3dXNlcjp6cTdwYXNz', 'zq7-secret-value', 'enE3LXNlY3JldC12YWx1ZQ=='];

const WAYPOINT = (apiVersion = 'gateway.networking.k8s.io/v1') =>
  `apiVersion: ${apiVersion}\nkind: Gateway\nmetadata: { name: waypoint, namespace: shop }\nspec:\n  gatewayClassName: istio-waypoint\n  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]\n`;
const SERVICE = `apiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: waypoint } }\nspec: { ports: [{ port: 8080 }] }\n`;
const AUTH = `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: auth, namespace: shop }\nspec:\n  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0\n  sha256: ${'0123456789abcdef'.repeat(4)}\n  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]\n  phase: AUTHN\n  pluginConfig:\n    basic_auth_rules: [{ prefix: /, request_methods: [GET], credentials: ["zq7user:zq7pass"] }]\n`;
const MESH = [WAYPOINT(), SERVICE, AUTH].join('---\n');

function assertSafe(r: Run): void {
  assert.notEqual(r.code, 70, `internal error:\n${r.text}`);
  assert.doesNotMatch(r.text, STACK_FRAME, `stack trace:\n${r.text}`);
  assert.doesNotMatch(r.text, /internal error/, r.text);
  for (const s of SECRETS) assert.ok(!r.text.includes(s), `output shows the credential ${s.slice(0, 5)}...:\n${r.text}`);
}

async function validate(dir: string): Promise<{ run: Run; findings: JsonFinding[]; objects: number }> {
  const r = await run(['validate', '--manifests', dir, '--json'], dir);
  assertSafe(r);
  const text = await run(['validate', '--manifests', dir], dir);
  assertSafe(text);
  const objects = Number(/validate: (\d+) object\(s\)/.exec(text.text)?.[1]);
  return { run: r, findings: findingsOf(r), objects };
}

/** `explain` of an unauthenticated GET to shop/cart: 401 when the Basic-auth plugin on the waypoint was read. */
async function explainStatus(dir: string): Promise<{ run: Run; status?: number | null }> {
  const r = await run(['explain', '--manifests', dir, '--to', 'shop/cart:8080', '--json'], dir);
  assertSafe(r);
  return { run: r, status: r.code === 0 ? (JSON.parse(r.stdout) as { status: number | null }).status : undefined };
}


// Files and folders

test('.yaml, .yml and .json files are read in nested folders; other extensions, hidden folders (.git, .github) and kustomization files are not', async () => {
  const dir = manifestDir({
    'a/b/waypoint.yml': WAYPOINT(),
    'service.json': JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop', labels: { 'istio.io/use-waypoint': 'waypoint' } }, spec: { ports: [{ port: 8080 }] } }),
    'plugins/auth.yaml': AUTH,
    'README.md': '# not YAML: [',
    'old.yaml.bak': 'kind: [',
    'notes.txt': 'kind: [',
    '.github/workflows/ci.yml': 'on: [push]\njobs: {}\n',
    '.git/config.yaml': 'kind: [',
    'kustomization.yaml': 'resources: [a/b/waypoint.yml, service.json]\n',
    'plugins/kustomization.yml': 'resources: [auth.yaml]\n',
    'overlay/Kustomization': 'resources: [../plugins]\n',
  });
  const { findings, objects } = await validate(dir);
  assert.deepEqual(findings, []);
  assert.equal(objects, 3);
  assert.equal((await explainStatus(dir)).status, 401);
});

test('a path that is one file is read as kubectl apply -f reads it, by validate and by explain', async () => {
  const dir = manifestDir({ 'mesh.yaml': MESH });
  const file = path.join(dir, 'mesh.yaml');
  const { findings, objects } = await validate(file);
  assert.deepEqual(findings, []);
  assert.equal(objects, 3);
  assert.equal((await explainStatus(file)).status, 401);
});

test('symbolic links are followed once each: a linked file is no duplicate of itself, a linked folder is read, a folder loop ends', async () => {
  const outside = manifestDir({ 'auth.yaml': AUTH });
  const dir = manifestDir({ 'mesh.yaml': `${WAYPOINT()}---\n${SERVICE}` });
  fs.symlinkSync(path.join(dir, 'mesh.yaml'), path.join(dir, 'again.yaml'));
  fs.symlinkSync(outside, path.join(dir, 'plugins'));
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.symlinkSync('..', path.join(dir, 'sub', 'loop'));
  const { findings, objects } = await validate(dir);
  assert.deepEqual(findings, []);
  assert.equal(objects, 3);
  assert.equal((await explainStatus(dir)).status, 401);
});

test('a symbolic link loop, a link to nothing and a pipe are manifests/unreadable naming the file, read without hanging', async () => {
  const dir = manifestDir({ 'mesh.yaml': MESH });
  fs.symlinkSync('b.yaml', path.join(dir, 'a.yaml'));
  fs.symlinkSync('a.yaml', path.join(dir, 'b.yaml'));
  fs.symlinkSync('gone.yaml', path.join(dir, 'dangling.yaml'));
  execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
  const { run: r, findings, objects } = await validate(dir);
  assert.equal(r.code, 1);
  assert.equal(objects, 3);
  assert.deepEqual(
    findings.map((f) => [f.rule, f.file]),
    [
      ['manifests/unreadable', 'a.yaml'],
      ['manifests/unreadable', 'b.yaml'],
      ['manifests/unreadable', 'dangling.yaml'],
      ['manifests/unreadable', 'pipe.yaml'],
    ],
  );
  assert.match(findings[0].message, /a\.yaml is a symbolic link loop \(ELOOP\)/);
  assert.match(findings[2].message, /dangling\.yaml is a symbolic link to nothing \(ENOENT\)/);
  assert.match(findings[3].message, /not a regular file/);
  assert.ok(!r.text.includes(dir), 'a finding names the file in the folder, not its machine path');
  assert.equal((await explainStatus(dir)).run.code, 1);
});

test('a file or folder this user may not read is manifests/unreadable, not an internal error', async () => {
  // Tests run as root, who reads everything: the refusal is the file system's answer, stood in for.
  const dir = manifestDir({ 'mesh.yaml': MESH, 'locked.yaml': SERVICE, 'locked/x.yaml': SERVICE });
  const denied = (p: unknown) => Object.assign(new Error(`EACCES: permission denied, open '${String(p)}'`), { code: 'EACCES' });
  // The module object itself: the namespace an import gives cannot be mocked, and the reader's reads go through this one.
  const nodeFs = require('node:fs') as typeof fs;
  const { readFileSync, readdirSync } = nodeFs;
  const files = mock.method(nodeFs, 'readFileSync', (p: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (String(p).endsWith('locked.yaml')) throw denied(p);
    return (readFileSync as (...a: unknown[]) => unknown)(p, ...rest);
  });
  const dirs = mock.method(nodeFs, 'readdirSync', (p: fs.PathLike, ...rest: unknown[]) => {
    if (String(p).endsWith(`${path.sep}locked`)) throw denied(p);
    return (readdirSync as (...a: unknown[]) => unknown)(p, ...rest);
  });
  try {
    const { run: r, findings } = await validate(dir);
    assert.equal(r.code, 1);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.file, f.message]),
      [
        ['manifests/unreadable', 'locked', 'locked is not readable by this user (EACCES)'],
        ['manifests/unreadable', 'locked.yaml', 'locked.yaml is not readable by this user (EACCES)'],
      ],
    );
  } finally {
    files.mock.restore();
    dirs.mock.restore();
  }
});
