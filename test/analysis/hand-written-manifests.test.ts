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
import { findingsOf, freshDir, manifestDir, run, STACK_FRAME, type JsonFinding, type Run } from './harness';

/** Credentials the fixtures hold; none may ever be printed. */
const SECRETS = ['zq7user:zq7pass', 'enE3dXNlcjp6cTdwYXNz', 'zq7-secret-value', 'enE3LXNlY3JldC12YWx1ZQ=='];

const WAYPOINT = (apiVersion = 'gateway.networking.k8s.io/v1') =>
  `apiVersion: ${apiVersion}\nkind: Gateway\nmetadata: { name: waypoint, namespace: shop }\nspec:\n  gatewayClassName: istio-waypoint\n  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]\n`;
const SERVICE = `apiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: waypoint } }\nspec: { ports: [{ port: 8080 }] }\n`;
const AUTH = `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: auth, namespace: shop }\nspec:\n  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0\n  sha256: ${'0123456789abcdef'.repeat(4)}\n  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]\n  phase: AUTHN\n  pluginConfig:\n    basic_auth_rules: [{ prefix: /, request_methods: [GET], credentials: ["zq7user:zq7pass"] }]\n`;
const SECRET = `apiVersion: v1\nkind: Secret\nmetadata: { name: creds, namespace: shop }\nstringData: { password: zq7-secret-value }\ndata: { token: enE3LXNlY3JldC12YWx1ZQ== }\n`;
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

const rules = (findings: readonly JsonFinding[]) => findings.map((f) => f.rule);

// Multi-document files

test('every way of separating documents is read as kubectl reads it: leading ---, ... ends, empty documents and documents that are only a comment', async () => {
  const dir = manifestDir({
    'mesh.yaml': `---\n# the waypoint\n${WAYPOINT()}...\n---\n---\n\n---\n# only a comment, nothing to apply\n---\n${SERVICE}...\n--- \n${AUTH}`,
  });
  const { findings, objects } = await validate(dir);
  assert.deepEqual(findings, []);
  assert.equal(objects, 3);
  assert.equal((await explainStatus(dir)).status, 401);
});

test('a finding on an object names the line its document starts at, as README promises: one file of helm template output holds many objects (a duplicate names both lines, and says what to do without constructs)', async () => {
  const rendered = `---\n# Source: shop/templates/waypoint.yaml\n${WAYPOINT()}---\n# Source: shop/templates/service.yaml\n${SERVICE}---\n# Source: shop/templates/auth.yaml\n${AUTH.replace('phase: AUTHN', 'phase: AUTHN\n  failStrategy: FAIL_OPEN')}---\n# Source: shop/templates/service-copy.yaml\n${SERVICE}---\n`;
  const dir = manifestDir({ 'rendered.yaml': rendered, 'crlf.yaml': rendered.replaceAll('\n', '\r\n').replace(/name: (waypoint|cart|auth)\b/g, 'name: $1-2') });
  const lineOf = (text: string, needle: string, nth = 1) => {
    let at = -1;
    for (let i = 0; i < nth; i++) at = text.indexOf(needle, at + 1);
    return text.slice(0, at).split('\n').length;
  };
  const { findings } = await validate(dir);
  const shown = findings.map((f) => [f.rule, f.file]).sort();
  const auth = `rendered.yaml:${lineOf(rendered, 'apiVersion: extensions.istio.io')}`;
  const copy = `rendered.yaml:${lineOf(rendered, 'apiVersion: v1\nkind: Service', 2)}`;
  const crlf = findings.find((f) => f.rule === 'plugin/fail-open-auth' && f.file!.startsWith('crlf.yaml'));
  assert.ok(shown.some(([rule, file]) => rule === 'plugin/fail-open-auth' && file === auth), JSON.stringify(shown));
  assert.equal(crlf?.file, auth.replace('rendered', 'crlf'), 'CRLF line ends count the same lines');
  const duplicate = findings.find((f) => f.rule === 'objects/duplicate' && f.file!.startsWith('rendered.yaml'));
  assert.equal(duplicate?.file, copy);
  assert.match(duplicate!.message, new RegExp(`\\(first at rendered\\.yaml:${lineOf(rendered, 'apiVersion: v1\nkind: Service')}\\)`));
  assert.match(duplicate!.fix!, /keep one of the two documents/);
  assert.doesNotMatch(duplicate!.fix!, /construct/);
});

test('kind: List and WasmPluginList documents are read item by item, the rules and the simulator see their items, and a bad item is reported at its line', async () => {
  const indent = (doc: string) => `- ${doc.trimEnd().split('\n').join('\n  ')}\n`;
  const dir = manifestDir({
    'list.yaml': `apiVersion: v1\nkind: List\nitems:\n${indent(WAYPOINT())}${indent(SERVICE)}`,
    'plugins.yaml': `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPluginList\nmetadata: {}\nitems:\n${indent(AUTH.replace('phase: AUTHN', 'phase: AUTHN\n  failStrategy: FAIL_OPEN'))}`,
  });
  const { findings, objects } = await validate(dir);
  assert.equal(objects, 3);
  assert.deepEqual(rules(findings), ['plugin/fail-open-auth']);
  assert.equal(findings[0].file, 'plugins.yaml:5', 'the line of its item in the List');
  assert.equal((await explainStatus(dir)).status, 401);

  fs.writeFileSync(path.join(dir, 'bad-list.yaml'), `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata: { name: shop }\n  - just a string\n`);
  const bad = await validate(dir);
  const item = bad.findings.filter((f) => f.rule === 'manifests/not-an-object');
  assert.equal(item.length, 1, JSON.stringify(bad.findings));
  assert.equal(item[0].file, 'bad-list.yaml:7');
  assert.match(item[0].message, /document is a string, not a Kubernetes object/);
});

// Anchors, aliases, merge keys

test('anchors, aliases and merge keys (<<) are read as Go\'s YAML reader reads them', async () => {
  const dir = manifestDir({
    'mesh.yaml': `apiVersion: v1\nkind: Service\nmetadata:\n  <<: &meta { namespace: shop }\n  name: cart\n  labels: &bound { istio.io/use-waypoint: waypoint }\nspec: { ports: [{ port: 8080 }] }\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  <<: { name: shop, labels: { team: shop } }\n---\n${WAYPOINT()}---\n${AUTH}`,
  });
  const { findings, objects } = await validate(dir);
  assert.deepEqual(findings, []);
  assert.equal(objects, 4);
  assert.equal((await explainStatus(dir)).status, 401);
});

test('an alias bomb (billion laughs) is refused at once as manifests/parse at its line, without expanding it', async () => {
  const levels = ['  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 10; i++) {
    const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
    levels.push(`  ${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  const dir = manifestDir({ 'ok.yaml': SERVICE, 'bomb.yaml': `${WAYPOINT()}---\n# 9^10 strings once expanded\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: lol, namespace: shop }\ndata:\n${levels.join('\n')}\n` });
  const started = process.hrtime.bigint();
  const { findings } = await validate(dir);
  assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 5, 'took too long');
  const bomb = findings.filter((f) => f.rule === 'manifests/parse');
  assert.equal(bomb.length, 1, JSON.stringify(findings));
  assert.equal(bomb[0].file, 'bomb.yaml:9');
  assert.match(bomb[0].fix ?? '', /no more than 100 aliases/);
});

// Encodings and scalars

test('CRLF line endings, a UTF-8 byte-order mark and UTF-16 with its mark are read; lines are still counted right', async () => {
  const crlf = (s: string) => s.replace(/\n/g, '\r\n');
  const dir = manifestDir({ 'a.yaml': `\uFEFF${crlf(WAYPOINT())}`, 'b.yaml': crlf(`${SERVICE}---\n${AUTH}`) });
  fs.writeFileSync(path.join(dir, 'c.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n', 'utf16le')]));
  const { findings, objects } = await validate(dir);
  assert.deepEqual(findings, []);
  assert.equal(objects, 4);
  assert.equal((await explainStatus(dir)).status, 401);

  fs.writeFileSync(path.join(dir, 'd.yaml'), crlf('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n  name: again\n'));
  const dup = (await validate(dir)).findings.find((f) => f.rule === 'manifests/parse');
  assert.equal(dup?.file, 'd.yaml:5');
});

test('a file that is not UTF-8 (Latin-1) is refused at the line of its first bad byte, not read with replacement characters', async () => {
  const dir = manifestDir({ 'mesh.yaml': MESH });
  fs.writeFileSync(path.join(dir, 'latin1.yaml'), Buffer.concat([Buffer.from('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  annotations: { owner: "caf'), Buffer.from([0xe9]), Buffer.from('" }\n')]));
  const { run: r, findings } = await validate(dir);
  assert.equal(r.code, 1);
  assert.deepEqual(
    findings.map((f) => [f.rule, f.file]),
    [['manifests/parse', 'latin1.yaml:5']],
  );
  assert.match(findings[0].message, /not UTF-8/);
  assert.ok(!r.text.includes('\uFFFD'));
  assert.equal((await explainStatus(dir)).run.code, 1);
});

test('tabs as indentation and duplicate keys are refused at their line; the duplicate key says kustomize refuses it and kubectl apply -f keeps the last', async () => {
  const dir = manifestDir({
    'tabs.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: shop\n',
    'dup.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: { name: other }\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: { team: a }\n  labels: { team: b }\n`,
    // A tab after a value is no indentation, and is fine.
    'ok.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: third\t# trailing tab\n',
  });
  const { findings, objects } = await validate(dir);
  assert.deepEqual(
    findings.map((f) => [f.rule, f.file]),
    [
      ['manifests/parse', 'dup.yaml:10'],
      ['manifests/parse', 'tabs.yaml:4'],
    ],
  );
  assert.match(findings[0].fix ?? '', /kustomize refuses the file .*kubectl apply -f keeps the last value/);
  assert.equal(objects, 2);
  // What the fix says, asked of the real readers.
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: [dup.yaml]\n');
  assert.throws(() => execFileSync('kubectl', ['kustomize', dir], { stdio: 'pipe' }), /mapping key "labels" already defined/);
  const read = execFileSync('kubectl', ['label', '--local', '-f', path.join(dir, 'dup.yaml'), 'x=y', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(read, /"team": "b"/);
});

test("unquoted yes, no, on, off (YAML 1.1 booleans to kubectl) and numbers as label or annotation values are errors; quoted ones, and timestamps Go's reader keeps as strings, are not", async () => {
  const dir = manifestDir({
    'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: { enabled: yes, legacy: off, version: 1.10, quoted: "no", since: 2024-01-01 }\n  annotations: { argocd.argoproj.io/sync-wave: 1, note: "on" }\n',
  });
  const { findings } = await validate(dir);
  const bad = findings.filter((f) => f.rule === 'names/label-syntax');
  assert.deepEqual(bad.map((f) => f.message.split(' has ')[0]).sort(), ['annotation "argocd.argoproj.io/sync-wave"', 'label "enabled"', 'label "legacy"', 'label "version"']);
  assert.match(bad.find((f) => f.message.startsWith('label "enabled"'))!.message, /has a boolean as its value, not a string: the API server refuses the object/);
  assert.ok(bad.every((f) => /YAML 1\.1/.test(f.fix ?? '')));
  assert.equal(findings.length, 4, JSON.stringify(findings));
});

test('a label value that is not a string is reported on a WasmPlugin of an unserved version too (only the schema of a served version checks its labels), and once on a served Gateway', async () => {
  const dir = manifestDir({
    'old.yaml': AUTH.replace('extensions.istio.io/v1alpha1', 'extensions.istio.io/v1beta1').replace('metadata: { name: auth, namespace: shop }', 'metadata: { name: auth, namespace: shop, labels: { enabled: yes } }'),
    'ok.yaml': WAYPOINT().replace('metadata: { name: waypoint, namespace: shop }', 'metadata: { name: waypoint, namespace: shop, labels: { team: 2 } }'),
  });
  const { findings } = await validate(dir);
  const labels = findings.filter((f) => f.rule === 'names/label-syntax' || /metadata\.labels/.test(f.message));
  assert.deepEqual(
    labels.map((f) => [f.rule, f.file, f.message.split(':')[0]]).sort(),
    [
      ['names/label-syntax', 'old.yaml:1', 'label "enabled" has a boolean as its value, not a string'],
      ['schema/gateway', 'ok.yaml:1', 'metadata.labels.team'],
    ],
    JSON.stringify(findings),
  );
});

test('a YAML 1.1 boolean in a waypoint label (istio.io/ingress-use-waypoint: on) is read as the boolean kubectl sends, which the API server refuses: an error, not a silent "on"', async () => {
  const dir = manifestDir({ 'mesh.yaml': MESH.replace('istio.io/use-waypoint: waypoint', 'istio.io/use-waypoint: waypoint, istio.io/ingress-use-waypoint: on') });
  const { findings } = await validate(dir);
  assert.deepEqual(rules(findings), ['names/label-syntax']);
  assert.match(findings[0].message, /"istio\.io\/ingress-use-waypoint" has a boolean/);
});

test('labels that are not a mapping are an error, not silently no labels', async () => {
  const dir = manifestDir({ 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop, labels: [istio.io/dataplane-mode, ambient] }\n' });
  const { findings } = await validate(dir);
  assert.deepEqual(rules(findings), ['names/label-syntax']);
  assert.match(findings[0].message, /metadata\.labels is a list, not a mapping/);
});

test('a very large integer is read as Go reads it (a float), and an int32 field holding one is an error', async () => {
  const dir = manifestDir({ 'mesh.yaml': MESH.replace('phase: AUTHN', 'phase: AUTHN\n  priority: 123456789012345678901234567890') });
  const { findings } = await validate(dir);
  assert.deepEqual(rules(findings), ['schema/wasm-plugin']);
  assert.match(findings[0].message, /spec\.priority: .* does not fit a 32-bit integer/);
});

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

test('a Kustomization object in a file of another name (overlay.yaml) is skipped as kustomization files are, not asked for a metadata.name', async () => {
  const dir = manifestDir({
    'mesh.yaml': MESH,
    'overlay.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [mesh.yaml]\n',
  });
  const { findings, objects } = await validate(dir);
  assert.deepEqual(findings, []);
  assert.equal(objects, 3);
});

test('a path that is one file is read as kubectl apply -f reads it, by validate and by explain', async () => {
  const dir = manifestDir({ 'mesh.yaml': MESH });
  const file = path.join(dir, 'mesh.yaml');
  const { findings, objects } = await validate(file);
  assert.deepEqual(findings, []);
  assert.equal(objects, 3);
  assert.equal((await explainStatus(file)).status, 401);
});

/** A git checkout (a `.git` folder is all it takes) holding `files`; the manifests under `manifests/`. */
function checkout(files: Readonly<Record<string, string>>): string {
  const repo = manifestDir(files);
  fs.mkdirSync(path.join(repo, '.git'));
  return repo;
}

/** Every path under `dir` with what it holds (a file's text, a link's target), to show nothing was written. */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((rel) => {
    const p = path.join(dir, rel);
    const stat = fs.lstatSync(p);
    return `${rel} ${stat.isSymbolicLink() ? `-> ${fs.readlinkSync(p)}` : stat.isFile() ? fs.readFileSync(p, 'utf8') : '/'}`;
  });
}

test('symbolic links within the repository are followed once each: a linked file is no duplicate of itself, a linked folder is read, a folder loop ends', async () => {
  const repo = checkout({ 'shared/plugins/auth.yaml': AUTH, 'manifests/mesh.yaml': `${WAYPOINT()}---\n${SERVICE}` });
  const dir = path.join(repo, 'manifests');
  fs.symlinkSync('mesh.yaml', path.join(dir, 'again.yaml'));
  fs.symlinkSync('../shared/plugins', path.join(dir, 'plugins'));
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.symlinkSync('..', path.join(dir, 'sub', 'loop'));
  const { findings, objects } = await validate(dir);
  assert.deepEqual(findings, []);
  assert.equal(objects, 3);
  assert.equal((await explainStatus(dir)).status, 401);
});

test('a symbolic link out of the repository (or absolute) is manifests/unreadable naming the link and its target, and is not read, as Argo CD refuses it; nothing is written', async () => {
  // What lies outside: a credential that must never be read nor printed.
  const outside = manifestDir({ 'auth.yaml': AUTH, 'secret.yaml': SECRET });
  const repo = checkout({ 'manifests/mesh.yaml': `${WAYPOINT()}---\n${SERVICE}`, 'shared/auth.yaml': AUTH });
  const dir = path.join(repo, 'manifests');
  const up = path.relative(dir, outside);
  fs.symlinkSync(path.join(up, 'secret.yaml'), path.join(dir, 'a-secret.yaml'));
  fs.symlinkSync(outside, path.join(dir, 'b-plugins'));
  // Absolute, though it points into the repository: Argo CD refuses it too.
  fs.symlinkSync(path.join(repo, 'shared', 'auth.yaml'), path.join(dir, 'c-absolute.yaml'));
  // Out of the repository and back in: Argo CD follows the link one step at a time.
  fs.symlinkSync(path.join('..', '..', path.basename(repo), 'shared', 'auth.yaml'), path.join(dir, 'd-round-trip.yaml'));
  // Within the repository, to a link that leaves it.
  fs.symlinkSync(path.join(path.relative(path.join(repo, 'shared'), outside), 'secret.yaml'), path.join(repo, 'shared', 'hop.yaml'));
  fs.symlinkSync('../shared/hop.yaml', path.join(dir, 'e-detour.yaml'));
  // Not a manifest, still a link out of the repository: Argo CD syncs nothing while it is there.
  fs.symlinkSync('/etc/hostname', path.join(dir, 'f-notes.txt'));
  // Within the repository: read.
  fs.symlinkSync('../shared/auth.yaml', path.join(dir, 'g-auth.yaml'));
  const before = tree(repo);
  const { run: r, findings, objects } = await validate(dir);
  assert.equal(r.code, 1);
  assert.equal(objects, 3);
  assert.deepEqual(
    findings.map((f) => [f.rule, f.file]),
    ['a-secret.yaml', 'b-plugins', 'c-absolute.yaml', 'd-round-trip.yaml', 'e-detour.yaml', 'f-notes.txt'].map((f) => ['manifests/unreadable', f]),
  );
  assert.equal(findings[0].message, `a-secret.yaml is a symbolic link to ${path.join(up, 'secret.yaml')}, outside the repository: Argo CD refuses a link that leaves it, and syncs nothing from the repository; it was not read`);
  assert.match(findings[1].message, /^b-plugins is a symbolic link to the absolute path .*: Argo CD refuses every absolute link/);
  assert.match(findings[2].message, /^c-absolute\.yaml is a symbolic link to the absolute path .*, even one into the repository/);
  assert.match(findings[3].message, /^d-round-trip\.yaml is a symbolic link to \.\.\/\.\.\/.*, outside the repository/);
  assert.match(findings[4].message, /^e-detour\.yaml is a symbolic link to \.\.\/shared\/hop\.yaml, which leads through another link to \.\.\/.*secret\.yaml, outside the repository/);
  for (const f of findings) assert.match(f.fix ?? '', /Copy what it points to into the repository, or point the link at a file or folder inside it with a relative path/);
  assert.doesNotMatch(r.text, /zq7/, 'nothing outside the repository was read');
  assert.match((await run(['validate', '--manifests', dir], dir)).text, /failed\. Nothing was written\./);
  assert.deepEqual(tree(repo), before);
  assert.equal((await explainStatus(dir)).run.code, 1);
  // Outside a checkout, the manifests folder itself is the bound.
  const loose = manifestDir({ 'mesh.yaml': MESH });
  fs.symlinkSync(path.join(path.relative(loose, outside), 'auth.yaml'), path.join(loose, 'auth.yaml'));
  const read = await validate(loose);
  assert.deepEqual(rules(read.findings), ['manifests/unreadable']);
  assert.match(read.findings[0].message, /^auth\.yaml is a symbolic link to .*, outside the manifests folder/);
});

test('a --manifests path that is itself a symbolic link out of the repository (or passes through one) is manifests/unreadable and not read, as Argo CD would not follow it; one inside it, or outside any checkout, is read', async () => {
  // What lies outside: a credential that must never be read nor printed.
  const outside = manifestDir({ 'rendered/mesh.yaml': `${WAYPOINT()}---\n${SERVICE}`, 'rendered/auth.yaml': AUTH, 'rendered/secret.yaml': SECRET });
  const repo = checkout({ 'manifests/mesh.yaml': MESH });
  const relative = path.join(repo, 'rendered');
  fs.symlinkSync(path.relative(repo, path.join(outside, 'rendered')), relative);
  const absolute = path.join(repo, 'rendered-abs');
  fs.symlinkSync(path.join(outside, 'rendered'), absolute);
  const file = path.join(repo, 'auth.yaml');
  fs.symlinkSync(path.relative(repo, path.join(outside, 'rendered', 'auth.yaml')), file);
  const vendor = path.join(repo, 'vendor');
  fs.symlinkSync(path.relative(repo, outside), vendor);
  const cases = [
    [relative, new RegExp(`^${relative} is a symbolic link to \\.\\./.*rendered, outside the repository: Argo CD refuses a link that leaves it, and syncs nothing from the repository; it was not read$`)],
    [absolute, new RegExp(`^${absolute} is a symbolic link to the absolute path ${path.join(outside, 'rendered')}: Argo CD refuses every absolute link`)],
    [file, new RegExp(`^${file} is a symbolic link to \\.\\./.*auth\\.yaml, outside the repository`)],
    [path.join(vendor, 'rendered'), new RegExp(`^${vendor} \\(on the way to ${path.join(vendor, 'rendered')}\\) is a symbolic link to \\.\\./.*, outside the repository`)],
  ] as const;
  for (const [given, message] of cases) {
    const { run: r, findings } = await validate(given);
    assert.equal(r.code, 1, given);
    assert.deepEqual(rules(findings), ['manifests/unreadable'], given);
    assert.match(findings[0].message, message);
    assert.match(findings[0].fix ?? '', /Point --manifests at the folder a GitOps tool syncs, inside the repository/);
    assert.doesNotMatch(r.text, /zq7/, 'nothing outside the repository was read');
    assert.equal((await explainStatus(given)).run.code, 1, given);
  }
  // A link that stays in the repository is followed, and so is one outside any checkout.
  const inside = path.join(repo, 'current');
  fs.symlinkSync('manifests', inside);
  assert.deepEqual((await validate(inside)).findings, []);
  assert.equal((await explainStatus(inside)).status, 401);
  const loose = path.join(freshDir('loose-'), 'link');
  fs.symlinkSync(path.join(repo, 'manifests'), loose);
  assert.deepEqual((await validate(loose)).findings, []);
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

test('a folder with no Kubernetes object is manifests/empty for validate (exit 1) and bad usage for explain (exit 2)', async () => {
  const folders: Record<string, string>[] = [{}, { 'notes.txt': 'hello' }, { 'only-comments.yaml': '# nothing yet\n---\n' }, { '.github/workflows/ci.yml': 'on: push\n' }];
  for (const files of folders) {
    const dir = manifestDir(files);
    const { run: r, findings } = await validate(dir);
    assert.equal(r.code, 1, r.text);
    assert.deepEqual(rules(findings), ['manifests/empty']);
    assert.ok(findings[0].message.startsWith(`${dir} holds no Kubernetes objects`), findings[0].message);
    assert.equal((await explainStatus(dir)).run.code, 2);
  }
  // The folder is named as it was typed, so the message can be pasted back.
  const parent = path.dirname(path.dirname(manifestDir({})));
  const typed = path.relative(parent, manifestDir({}));
  assert.match(typed, /\//);
  const findings = findingsOf(await run(['validate', '--manifests', typed, '--json'], parent));
  assert.ok(findings[0].message.startsWith(`${typed} holds no Kubernetes objects`), findings[0].message);
});

test('a Helm chart is named as one: templates with {{ }} are one finding each at the first {{, Chart.yaml and values.yaml are no objects; {{ inside a string is fine', async () => {
  const dir = manifestDir({
    'Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
    'values.yaml': 'namespace: shop\npassword: zq7-secret-value\n',
    'templates/service.yaml': `apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n  namespace: {{ .Values.namespace }}\n  labels:\n{{- include "labels" . | nindent 4 }}\nspec: { ports: [{ port: 8080 }] }\n`,
    'templates/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n',
    'notify.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: notify, namespace: shop }\ndata:\n  template: |\n    {{ .app.metadata.name }} synced\n',
  });
  const { findings, objects } = await validate(dir);
  assert.equal(objects, 1);
  findings.sort((a, b) => (a.file! < b.file! ? -1 : 1));
  assert.deepEqual(
    findings.map((f) => [f.rule, f.file]),
    [
      ['manifests/not-an-object', 'Chart.yaml:1'],
      ['manifests/parse', 'templates/configmap.yaml:4'],
      ['manifests/parse', 'templates/service.yaml:5'],
      ['manifests/not-an-object', 'values.yaml:1'],
    ],
  );
  assert.match(findings[1].message, /^a template \(Helm or Go: \{\{ \.\.\. \}\} at line 4\), not a manifest$/);
  assert.match(findings[0].message, /Chart\.yaml is a Helm chart's file/);
  assert.ok(findings.every((f) => /helm template/.test(f.fix ?? '')));
});

// Documents that are not objects

test('documents that are no Kubernetes object say what they are, at their line, without quoting them (a stray credential line stays unprinted)', async () => {
  const dir = manifestDir({
    'mixed.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ok, namespace: shop }\ndata: { a: b }\n---\nzq7user:zq7pass\n---\n- zq7-secret-value\n---\nkind: Namespace\nmetadata: { name: shop }\n---\napiVersion: v1\nkind: 7\nmetadata: { name: shop }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: 404 }\n---\napiVersion: v1\nkind: Namespace\nmetadata: shop\n`,
  });
  const { findings } = await validate(dir);
  const line = (f: JsonFinding) => Number(f.file!.split(':')[1]);
  findings.sort((a, b) => line(a) - line(b));
  assert.deepEqual(
    findings.map((f) => [f.file, f.message]),
    [
      ['mixed.yaml:6', 'document is a string, not a Kubernetes object (apiVersion and kind are required)'],
      ['mixed.yaml:8', 'document is a list, not a Kubernetes object (apiVersion and kind are required)'],
      ['mixed.yaml:10', 'document is not a Kubernetes object: it has no apiVersion (apiVersion and kind are required)'],
      ['mixed.yaml:13', 'document is not a Kubernetes object: it has a kind that is a number, not a string (apiVersion and kind are required)'],
      ['mixed.yaml:17', 'Namespace has a metadata.name that is a number, not a string'],
      ['mixed.yaml:21', 'Namespace has no metadata.name (metadata is a string, not a mapping)'],
    ],
  );
  assert.ok(findings.every((f) => f.rule === 'manifests/not-an-object' && f.fix));
});

test('unknown kinds and Secrets are read without a finding, and a Secret\'s values are printed nowhere, also when its file is broken or its labels are wrong', async () => {
  const dir = manifestDir({
    'mesh.yaml': MESH,
    'widget.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w, namespace: shop }\nspec: { anything: [1, 2] }\n',
    'secret.yaml': SECRET,
  });
  const ok = await validate(dir);
  assert.deepEqual(ok.findings, []);
  assert.equal(ok.objects, 5);
  fs.writeFileSync(path.join(dir, 'broken-secret.yaml'), `${SECRET.replace('{ name: creds,', '{ name: creds2, labels: { rotated: yes },')}---\napiVersion: v1\nkind: Secret\nmetadata: { name: creds3 }\nstringData: { password: zq7-secret-value\n`);
  const bad = await validate(dir);
  assert.deepEqual(rules(bad.findings).sort(), ['manifests/parse', 'names/label-syntax']);
  assert.equal((await explainStatus(dir)).run.code, 1);
});

// API versions

test('a Gateway at gateway.networking.k8s.io/v1beta1 (served by the CRD) is a waypoint; at a version the CRD does not serve it is schema/gateway', async () => {
  const beta = manifestDir({ 'mesh.yaml': MESH.replace('gateway.networking.k8s.io/v1\n', 'gateway.networking.k8s.io/v1beta1\n') });
  assert.deepEqual((await validate(beta)).findings, []);
  assert.equal((await explainStatus(beta)).status, 401);

  const alpha = manifestDir({ 'mesh.yaml': MESH.replace('gateway.networking.k8s.io/v1\n', 'gateway.networking.k8s.io/v1alpha2\n') });
  const { findings } = await validate(alpha);
  assert.deepEqual(rules(findings), ['schema/gateway']);
  assert.equal(findings[0].message, 'apiVersion: "gateway.networking.k8s.io/v1alpha2" is not served: the CRD serves Gateway as gateway.networking.k8s.io/v1 and gateway.networking.k8s.io/v1beta1 only (kubectl apply fails with no matches for kind "Gateway")');
});

test('a WasmPlugin at any apiVersion but extensions.istio.io/v1alpha1 (networking.istio.io) is schema/wasm-plugin: the API server has no such kind there', async () => {
  const dir = manifestDir({ 'mesh.yaml': MESH.replace('extensions.istio.io/v1alpha1', 'networking.istio.io/v1alpha3') });
  const { findings } = await validate(dir);
  assert.deepEqual(rules(findings), ['schema/wasm-plugin']);
  assert.match(findings[0].message, /^apiVersion: "networking\.istio\.io\/v1alpha3" is not served: the CRD serves WasmPlugin as extensions\.istio\.io\/v1alpha1 only/);
});

test("another API's Gateway or Service of the same kind (Istio's networking.istio.io Gateway, Knative's Service) is not read as a waypoint or a core Service", async () => {
  const istioGateway = 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: waypoint, namespace: shop }\nspec:\n  selector: { istio: ingressgateway }\n  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }]\n';
  const knative = 'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: waypoint } }\nspec: { template: { spec: { containers: [{ image: ghcr.io/acme/cart }] } } }\n';
  const dir = manifestDir({ 'mesh.yaml': [istioGateway, knative, AUTH].join('---\n') });
  const { findings, objects } = await validate(dir);
  assert.equal(objects, 1);
  // The plugin's Gateway API target is not Istio's ingress Gateway of the same name.
  assert.deepEqual(rules(findings), ['plugin/unresolved-target']);
});

test("a line or paragraph separator (or NEL) left unescaped is refused at its line: Go's reader, as kustomize's build shows, takes it for a line break and applies the key a comment hid from a YAML 1.2 reader", async () => {
  // `# note<LS>labels: { istio.io/use-waypoint: none }`: one comment to YAML 1.2, a comment and a label to Go.
  const hidden = (sep: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n  namespace: shop\n  # note${sep}  labels: { istio.io/use-waypoint: none }\nspec: { ports: [{ port: 8080 }] }\n`;
  const built = freshDir();
  fs.writeFileSync(path.join(built, 'cart.yaml'), hidden('\u2028'));
  fs.writeFileSync(path.join(built, 'kustomization.yaml'), 'resources: [cart.yaml]\n');
  assert.match(execFileSync('kubectl', ['kustomize', built], { encoding: 'utf8' }), /istio\.io\/use-waypoint: none/, 'Go reads the hidden label');
  for (const [sep, name] of [['\u2028', 'U+2028'], ['\u2029', 'U+2029'], ['\u0085', 'U+0085']]) {
    const dir = manifestDir({ 'cart.yaml': hidden(sep), 'waypoint.yaml': WAYPOINT() });
    const { run: r, findings } = await validate(dir);
    assert.equal(r.code, 1, name);
    assert.deepEqual(findings.map((f) => [f.rule, f.file]), [['manifests/parse', 'cart.yaml:6']], name);
    assert.ok(findings[0].message.startsWith(`holds ${name} `), findings[0].message);
  }
  // Escaped in double quotes, as synth writes it, it is text to both readers.
  const escaped = manifestDir({ 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  annotations: { note: "a\\u2028b" }\n' });
  assert.equal((await validate(escaped)).run.code, 0);
});
