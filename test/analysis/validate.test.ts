import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTree } from '../../compiler/write';
import { handWrittenPlugin, REPO_ROOT } from '../support/helpers';
import { findingsOf, freshDir, manifestDir, run, STACK_FRAME, writeProgram } from './harness';

const GOOD = `ns.useWaypoint(waypoint);
new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }] });`;

// Line 1 is the import, lines 2-4 the preamble: the body starts on line 5.
const BAD = `const pods = new Waypoint(ns, 'pods', { waypointFor: WaypointFor.WORKLOAD });
MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: pods });`;

test('validate compiles the program and writes nothing', async () => {
  const dir = freshDir('validate-good-');
  const program = writeProgram(dir, GOOD);
  const before = readTree(dir);
  const r = await run(['validate', '--app', program], dir);
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /validate: \d+ object\(s\) in .*: ok\. Nothing was written\./);
  assert.deepEqual(readTree(dir), before, 'validate wrote files');
  assert.ok(!fs.existsSync(path.join(dir, 'dist')));
});

test('a finding shows rule, severity, object, construct path, policy file:line, problem and fix', async () => {
  const dir = freshDir('validate-bad-');
  const program = writeProgram(dir, BAD);
  const r = await run(['validate', '--app', program], dir);
  assert.equal(r.code, 1);
  const text = r.text;
  const file = path.basename(program);
  assert.match(text, /^error\[binding\/traffic-type\]: Service shop\/cart uses waypoint shop\/pods, which handles only workload traffic/m);
  assert.match(text, /ztunnel fails open/);
  assert.match(text, /^ {2}object: Service shop\/cart$/m);
  assert.ok(text.includes(`  at shop/cart (${file}:6)`), text);
  assert.match(text, /^ {2}fix: Use a waypoint whose waypointFor is SERVICE or ALL/m);
  assert.match(text, /1 error\(s\), 0 warning\(s\)/);
  assert.match(text, /validate: .*: failed\. Nothing was written\./);
  assert.doesNotMatch(text, STACK_FRAME);
});

test('--json prints only a JSON array of findings on stdout', async () => {
  const dir = freshDir('validate-json-');
  const r = await run(['validate', '--app', writeProgram(dir, BAD), '--json'], dir);
  assert.equal(r.code, 1);
  const parsed = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.ok(Array.isArray(parsed));
  const f = parsed.find((x) => x.rule === 'binding/traffic-type');
  assert.ok(f, r.stdout);
  assert.equal(f.severity, 'error');
  assert.deepEqual(f.object, { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'cart' });
  assert.equal(f.path, 'shop/cart');
  assert.match(String(f.source), /policy-.*\.ts:6$/);
  assert.equal(typeof f.message, 'string');
  assert.equal(typeof f.fix, 'string');
});

test('warnings pass, and fail with --strict', async () => {
  const dir = freshDir('validate-strict-');
  const program = writeProgram(dir, `${GOOD}\nnew WasmPlugin(ns, 'tenant', { url: 'oci://ghcr.io/acme/tenant:1.0.0', targets: [waypoint], phase: PluginPhase.AUTHN });`);
  const lenient = await run(['validate', '--app', program, '--json'], dir);
  assert.equal(lenient.code, 0, lenient.text);
  assert.ok(findingsOf(lenient).some((f) => f.rule === 'plugin/ambiguous-order' && f.severity === 'warning'));
  const strict = await run(['validate', '--app', program, '--strict'], dir);
  assert.equal(strict.code, 1);
  assert.match(strict.text, /--strict: warnings fail too/);
});

test('acknowledged FAIL_OPEN and ambiguous order are not reported; the reason is kept in the object', async () => {
  const dir = freshDir('validate-ack-');
  const program = writeProgram(
    dir,
    `ns.useWaypoint(waypoint);
new BasicAuth(ns, 'auth', { targets: [waypoint], failStrategy: FailStrategy.FAIL_OPEN, acknowledge: { failOpen: 'availability first during the migration', ambiguousOrder: 'the tenant plugin only reads headers' }, rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }] });
new WasmPlugin(ns, 'tenant', { url: 'oci://ghcr.io/acme/tenant:1.0.0', targets: [waypoint], phase: PluginPhase.AUTHN });`,
  );
  const r = await run(['validate', '--app', program, '--json'], dir);
  const rules = findingsOf(r).map((f) => f.rule);
  assert.ok(!rules.includes('plugin/fail-open-auth'), r.text);
  assert.ok(!rules.includes('plugin/ambiguous-order'), r.text);
  const out = path.join(dir, 'dist');
  const s = await run(['synth', '--app', program, '--outdir', out], dir);
  assert.equal(s.code, 0, s.text);
  const plugin = readTree(out).get('default/2-policies/shop/wasmplugin-auth.yaml') ?? '';
  assert.match(plugin, /acknowledged\.waypoint-policy\.io\/plugin\.fail-open-auth: availability first during the migration/);
});

test('a construct-time mistake is reported by validate too, without a stack trace', async () => {
  const dir = freshDir('validate-props-');
  const r = await run(['validate', '--app', writeProgram(dir, `new Waypoint(ns, 'w2', { name: 'none' });`)], dir);
  assert.equal(r.code, 1);
  assert.match(r.text, /error\[waypoint\/reserved-name\]: Waypoint prop 'name': 'none' is a reserved value/);
  assert.doesNotMatch(r.text, STACK_FRAME);
});

test('usage mistakes exit 2 and name the flag', async () => {
  const dir = freshDir('validate-usage-');
  const both = await run(['validate', '--app', 'a.ts', '--manifests', 'dist'], dir);
  assert.equal(both.code, 2);
  assert.match(both.text, /either --app FILE or --manifests DIR/);
  const unknown = await run(['validate', '--manifest', 'dist'], dir);
  assert.equal(unknown.code, 2);
  assert.match(unknown.text, /--manifest/);
  const root = await run(['validate', '--root-namespace', 'mesh'], dir);
  assert.equal(root.code, 2);
  assert.match(root.text, /--root-namespace only applies with --manifests/);
});

test('the committed dist/ validates without errors (references outside it are warnings)', async () => {
  const r = await run(['validate', '--manifests', path.join(REPO_ROOT, 'dist'), '--json'], REPO_ROOT);
  assert.equal(r.code, 0, r.text);
  const errors = findingsOf(r).filter((f) => f.severity === 'error');
  assert.deepEqual(errors, []);
});

test("synth's own output validates with --manifests when a plugin's Service uses another team's waypoint (a warning: it may exist in the cluster)", async () => {
  const dir = freshDir('validate-shared-');
  const program = writeProgram(dir, `const shared = Waypoint.fromWaypointName(ns, 'shared', { name: 'shared', namespace: 'shop' });
const cart = MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: shared });
new BasicAuth(ns, 'cart-auth', { targets: [cart], rules: [{ exact: '/checkout', methods: ['POST'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }] });`);
  const out = path.join(dir, 'dist');
  const synth = await run(['synth', '--app', program, '--outdir', out], dir);
  assert.equal(synth.code, 0, synth.text);
  const r = await run(['validate', '--manifests', out, '--json'], dir);
  assert.equal(r.code, 0, r.text);
  const plugin = findingsOf(r).filter((f) => f.rule === 'plugin/target-without-waypoint');
  assert.deepEqual(plugin.map((f) => f.severity), ['warning'], r.text);
  assert.match(plugin[0].message, /which may get no waypoint: the waypoint it names, shop\/shared, is not in these manifests, and if it does not exist in the cluster it binds nothing/);
  // With the program, the reference is known: no finding at all.
  const app = await run(['validate', '--app', program, '--json'], dir);
  assert.deepEqual(findingsOf(app).filter((f) => f.rule === 'plugin/target-without-waypoint'), []);
});

test('the validate command runs as a process, from the bin', () => {
  const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const dir = freshDir('validate-process-');
  fs.writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: { istio.io/use-waypoint-namespace: infra }\n');
  const r = spawnSync(process.execPath, [tsx, path.join(REPO_ROOT, 'cli', 'main.ts'), 'validate', '--manifests', dir], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /error\[binding\/missing-use-waypoint\]: Namespace shop has istio.io\/use-waypoint-namespace=infra but no istio.io\/use-waypoint/);
  assert.match(r.stderr, /in ns\.yaml/);
  assert.doesNotMatch(r.stderr + r.stdout, STACK_FRAME);
});

test("manifests without metadata.namespace are read in 'default', as kubectl applies them: the rules agree with the simulator", async () => {
  const dir = freshDir('validate-no-namespace-');
  fs.writeFileSync(
    path.join(dir, 'a.yaml'),
    `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]
---
apiVersion: v1
kind: Service
metadata: { name: reviews, labels: { istio.io/use-waypoint: waypoint } }
spec: { ports: [{ port: 9080 }] }
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: p }
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  phase: AUTHN
  targetRefs: [{ group: "", kind: Service, name: reviews }]
  pluginConfig: { basic_auth_rules: [{ prefix: /, request_methods: [GET], credentials: ["a:b"] }] }
`,
  );
  const r = await run(['validate', '--manifests', dir], dir);
  // Before, the rules read the namespace as '' and reported an empty use-waypoint-namespace label.
  assert.equal(r.code, 0, r.text);
  assert.doesNotMatch(r.text, /warning|error/);
  const e = await run(['explain', '--manifests', dir, '--to', 'default/reviews', '--path', '/'], dir);
  assert.match(e.text, /401/);
  // A cluster-scoped kind keeps no namespace.
  const { readManifests } = await import('../../compiler/read-manifests');
  fs.writeFileSync(path.join(dir, 'b.yaml'), 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: { name: fast }\nprovisioner: x\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n');
  const read = readManifests(dir);
  assert.deepEqual(read.model.objects.filter((o) => ['StorageClass', 'Namespace'].includes(o.manifest.kind)).map((o) => o.manifest.metadata.namespace), [undefined, undefined]);
  assert.equal(read.model.objects.find((o) => o.manifest.kind === 'Gateway')?.manifest.metadata.namespace, 'default');
});

test('a Basic-auth plugin without rules is an error, built by a pattern from an empty list or written by hand: the module lets every request through', async () => {
  const dir = freshDir('validate-no-rules-');
  const program = writeProgram(dir, `const adminPaths: string[] = [];\nnew BasicAuth(ns, 'auth', { targets: [waypoint], rules: adminPaths.map((prefix) => ({ prefix, methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] })) });`);
  const built = await run(['validate', '--app', program, '--json'], dir);
  assert.equal(built.code, 1, built.text);
  assert.ok(findingsOf(built).some((f) => f.rule === 'basic-auth/no-rules' && f.severity === 'error'), built.text);
  const manifests = manifestDir({ 'auth.yaml': handWrittenPlugin('auth', 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', { basic_auth_rules: [] }) });
  const byHand = await run(['validate', '--manifests', manifests, '--json'], dir);
  assert.equal(byHand.code, 1, byHand.text);
  assert.ok(findingsOf(byHand).some((f) => f.rule === 'basic-auth/no-rules'), byHand.text);
});

test("a hand-written config of a team's definePlugin plugin with a key its schema does not list gets <name>/unknown-key (zod would drop it unchecked)", async () => {
  const { definePlugin, PluginPhase } = await import('../../constructs');
  const { z } = await import('zod');
  const { checkManifests } = await import('../../analysis/check-manifests');
  definePlugin({ name: 'acme-keyed', url: 'oci://ghcr.io/acme/keyed:1.0.0', defaultPhase: PluginPhase.AUTHN, configSchema: z.object({ api_key: z.string(), header: z.string().optional() }), secretKeys: ['api_key'] });
  const dir = manifestDir({ 'keyed.yaml': handWrittenPlugin('keyed', 'oci://ghcr.io/acme/keyed:1.0.0', { api_key: 'k-S3cr3tZZ', apikey: 'k-S3cr3tZZ' }) });
  const unknown = checkManifests(dir).findings.filter((f) => f.rule === 'acme-keyed/unknown-key');
  assert.deepEqual(unknown.map((f) => [f.severity, f.message]), [['warning', 'acme-keyed pluginConfig: key "apikey" is not in the plugin\'s schema, so it is not checked and the module most likely ignores it (did you mean "api_key"?)']]);
  assert.doesNotMatch(JSON.stringify(unknown), /S3cr3t/);
});

test('a hand-written config that its schema refuses still gets its unknown keys reported in the same run: a misspelt required key is both', async () => {
  const { definePlugin, PluginPhase } = await import('../../constructs');
  const { z } = await import('zod');
  const { checkManifests } = await import('../../analysis/check-manifests');
  definePlugin({ name: 'acme-required', url: 'oci://ghcr.io/acme/required:1.0.0', defaultPhase: PluginPhase.AUTHN, configSchema: z.object({ api_key: z.string() }), secretKeys: ['api_key'] });
  const dir = manifestDir({ 'keyed.yaml': handWrittenPlugin('keyed', 'oci://ghcr.io/acme/required:1.0.0', { apikey: 'k-S3cr3tZZ' }) });
  const findings = checkManifests(dir).findings.filter((f) => f.rule.startsWith('acme-required/') || f.rule === 'plugin/config');
  assert.deepEqual(findings.map((f) => f.rule).sort(), ['acme-required/unknown-key', 'plugin/config']);
  assert.match(findings.find((f) => f.rule === 'acme-required/unknown-key')!.message, /key "apikey" is not in the plugin's schema.*\(did you mean "api_key"\?\)/);
  assert.doesNotMatch(JSON.stringify(findings), /S3cr3t/);
});

test('an empty host in a hand-written basic-auth config is plugin/config, not props/invalid: a manifest has no construct props', async () => {
  const { checkManifests } = await import('../../analysis/check-manifests');
  const { BASIC_AUTH_URL } = await import('../../constructs');
  const config = { basic_auth_rules: [{ prefix: '/admin', hosts: [''], request_methods: ['GET'], credentials: ['ok:test'] }] };
  const dir = manifestDir({ 'auth.yaml': handWrittenPlugin('auth', BASIC_AUTH_URL, config) });
  const empty = checkManifests(dir).findings.filter((f) => /a host is empty/.test(f.message));
  assert.deepEqual(empty.map((f) => f.rule), ['plugin/config']);
  assert.equal(empty[0].fix, 'Remove the empty host, or write the host meant (leave hosts out to match every host).');
});
