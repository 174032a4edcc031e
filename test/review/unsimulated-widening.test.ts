import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/helpers';
import { diffAgainstMain, policyRepo } from './policy-repo';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

/** Namespaces shop and blog (target demo), each with a waypoint and a Basic-auth plugin on it; `props` and `failStrategy` change per revision. */
function program(props: { shop?: string; blog?: string; failStrategy?: string; extra?: string }): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const target = new wp.Target(app, 'demo');
const ack = { literalCredentials: 'test', unpinnedModule: 'test', failOpen: 'test' };
for (const [name, props] of [['shop', ${props.shop ?? '{}'}], ['blog', ${props.blog ?? '{}'}]] as const) {
  const ns = new wp.MeshNamespace(target, name, props);
  const w = new wp.Waypoint(ns, 'waypoint');
  ns.useWaypoint(w);
  new wp.BasicAuth(ns, 'auth', {
    targets: [w],
    ${props.failStrategy ? `failStrategy: name === 'shop' ? ${props.failStrategy} : undefined,` : ''}
    rules: [{ prefix: '/admin', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
    acknowledge: ack,
  });
  ${props.extra ?? ''}
}
export default app;
`;
}

const diff = (repo: string, format: string) => diffAgainstMain(repo, '--format', format, '--fail-on-widened');

test('a Namespace leaving ambient (dataplane-mode none, or the label dropped) is widened access in every format and fails --fail-on-widened: the simulated requests come from the mesh and cannot show it', async () => {
  const base = program({});
  const head = program({ shop: '{ dataplaneMode: wp.DataplaneMode.NONE }', blog: '{ enroll: false }' });
  const repo = await policyRepo(base, head, 'wp-unsimulated-');
  const text = await diff(repo, 'text');
  assert.equal(text.code, 1, text.io.text());
  assert.match(text.out, /0 widened access; 2 Namespace\(s\) leaving ambient;/);
  const section = text.out.slice(text.out.indexOf('WIDENED ACCESS (review first):'));
  assert.ok(text.out.includes('WIDENED ACCESS (review first):'), text.out);
  assert.ok(section.indexOf('!! Namespace blog [demo] leaves the ambient mesh (istio.io/dataplane-mode: ambient -> (absent))') < section.indexOf('Objects:'), text.out);
  assert.match(section, /!! Namespace shop \[demo\] leaves the ambient mesh \(istio\.io\/dataplane-mode: ambient -> none\): ztunnel no longer captures its pods, so their own requests skip every waypoint/);
  assert.match(text.err, /--fail-on-widened fails: 2 Namespace\(s\) leaving ambient/);
  const markdown = await diff(repo, 'markdown');
  assert.equal(markdown.code, 1);
  assert.match(markdown.out, /#### :warning: Widened access no simulated request shows\n\n- \*\*Namespace blog \[demo\] leaves the ambient mesh/);
  assert.ok(markdown.out.indexOf('Widened access no simulated request shows') < markdown.out.indexOf('Object changes'));
  const json = await diff(repo, 'json');
  assert.equal(json.code, 1);
  assert.deepEqual(JSON.parse(json.out).effects.leftAmbient, [
    { target: 'demo', namespace: 'blog' },
    { target: 'demo', namespace: 'shop', after: 'none' },
  ]);
});

test('entering ambient, and a label-only Namespace removed (GitOps never prunes it, so its ambient label stays), are not reported as leaving it', async () => {
  const repo = await policyRepo(program({ shop: '{ dataplaneMode: wp.DataplaneMode.NONE }' }), program({}), 'wp-unsimulated-');
  const entered = await diff(repo, 'json');
  assert.equal(entered.code, 0, entered.io.text());
  assert.deepEqual(JSON.parse(entered.out).effects.leftAmbient, []);
  // Released labels go from the cluster; a manifest merely dropped keeps them there.
  const dropped = await policyRepo(program({}), program({}).replace("const ns = new wp.MeshNamespace(target, name, props);", "const ns = new wp.MeshNamespace(target, name, props);\n  if (name === 'blog') continue;"), 'wp-unsimulated-');
  const r = await diff(dropped, 'json');
  assert.deepEqual(JSON.parse(r.out).effects.leftAmbient, [], r.out);
});

test('an auth plugin turned FAIL_OPEN is widened access in every format and fails --fail-on-widened, though every simulated request answers as before (modules are assumed to load)', async () => {
  const repo = await policyRepo(program({}), program({ failStrategy: 'wp.FailStrategy.FAIL_OPEN' }), 'wp-unsimulated-');
  const text = await diff(repo, 'text');
  assert.equal(text.code, 1, text.io.text());
  assert.match(text.out, /0 widened access; 1 auth plugin\(s\) now failing open;/);
  assert.match(text.out, /WIDENED ACCESS \(review first\):\n {2}!! WasmPlugin shop\/auth \[demo\] now fails open \(failStrategy FAIL_CLOSE -> FAIL_OPEN\): whenever its module cannot be fetched or crashes, the requests it refuses pass unchecked/);
  assert.match(text.err, /--fail-on-widened fails: 1 auth plugin\(s\) now failing open/);
  const markdown = await diff(repo, 'markdown');
  assert.match(markdown.out, /- \*\*WasmPlugin shop\/auth \[demo\] now fails open/);
  const json = await diff(repo, 'json');
  assert.deepEqual(JSON.parse(json.out).effects.failsOpen, [{ target: 'demo', plugin: 'WasmPlugin shop/auth', before: 'FAIL_CLOSE' }]);
  // Back to fail-closed narrows: nothing to report.
  const back = await policyRepo(program({ failStrategy: 'wp.FailStrategy.FAIL_OPEN' }), program({}), 'wp-unsimulated-');
  const r = await diff(back, 'json');
  assert.equal(r.code, 0, r.io.text());
  assert.deepEqual(JSON.parse(r.out).effects.failsOpen, []);
});

test('a new auth plugin that fails open protects more than nothing did, and a plugin that decides nothing (gRPC access logging) failing open widens nothing: neither is reported', async () => {
  const logging = (failStrategy: string) => `new wp.GrpcAccessLogging(ns, 'logs', { targets: [w], loggingService: 'otel.observability.svc.cluster.local:4317', ${failStrategy}acknowledge: ack });`;
  const added = `new wp.BasicAuth(ns, 'auth2', { targets: [w], failStrategy: wp.FailStrategy.FAIL_OPEN, rules: [{ prefix: '/ops', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }], acknowledge: ack });`;
  const repo = await policyRepo(program({ extra: logging('') }), program({ extra: added + logging('failStrategy: wp.FailStrategy.FAIL_OPEN, ') }), 'wp-unsimulated-');
  const r = await diff(repo, 'json');
  const review = JSON.parse(r.out);
  assert.ok(review.objects.some((o: { object: { name: string }; fields: { path: string }[] }) => o.object.name === 'logs' && o.fields.some((f) => f.path === 'spec.failStrategy')), r.out);
  assert.deepEqual(review.effects.failsOpen, [], r.out);
});

test('an auth plugin renamed in the same change that turns it FAIL_OPEN is compared with its old self: reported as renamed, and as failing open, in every format, and --fail-on-widened fails', async () => {
  const renamed = program({ failStrategy: 'wp.FailStrategy.FAIL_OPEN' }).replace("new wp.BasicAuth(ns, 'auth', {", "new wp.BasicAuth(ns, name === 'shop' ? 'auth-v2' : 'auth', {");
  const repo = await policyRepo(program({}), renamed, 'wp-unsimulated-');
  const json = await diff(repo, 'json');
  assert.equal(json.code, 1, json.io.text());
  const r = JSON.parse(json.out);
  assert.deepEqual(r.effects.failsOpen, [{ target: 'demo', plugin: 'WasmPlugin shop/auth-v2', renamedFrom: 'WasmPlugin shop/auth', before: 'FAIL_CLOSE' }]);
  assert.deepEqual(
    r.effects.pluginMoves.map((m: any) => [m.from, m.to, m.renamed, m.changed]),
    [['WasmPlugin shop/auth', 'WasmPlugin shop/auth-v2', true, ['failStrategy']]],
  );
  const text = await diff(repo, 'text');
  assert.equal(text.code, 1);
  assert.match(text.out, /!! WasmPlugin shop\/auth-v2 \[demo\] \(renamed from shop\/auth\) now fails open \(failStrategy FAIL_CLOSE -> FAIL_OPEN\)/);
  assert.match(text.out, /WasmPlugin shop\/auth \[demo\] renamed shop\/auth-v2, and changed \(failStrategy\):/);
  assert.match(text.err, /--fail-on-widened fails: 1 auth plugin\(s\) now failing open/);
  const markdown = await diff(repo, 'markdown');
  assert.match(markdown.out, /- \*\*WasmPlugin shop\/auth-v2 \[demo\] \(renamed from shop\/auth\) now fails open/);
});

test('an auth plugin pinned to another build of its module under the same url answers as before in every simulated request: it is listed with the widenings no request shows, and --fail-on-widened fails; pinning one that was unpinned is not listed', async () => {
  const pinned = (digest: string | undefined) => program({}).replace("rules: [{ prefix: '/admin'", `${digest ? `sha256: name === 'shop' ? '${digest}' : undefined, ` : ''}rules: [{ prefix: '/admin'`);
  const repo = await policyRepo(pinned('a'.repeat(64)), pinned('b'.repeat(64)), 'wp-unsimulated-');
  const json = await diff(repo, 'json');
  assert.equal(json.code, 1, json.io.text());
  const r = JSON.parse(json.out);
  assert.deepEqual(r.effects.access, []);
  assert.deepEqual(r.effects.newBuilds, [{ target: 'demo', plugin: 'WasmPlugin shop/auth', before: 'aaaaaaaaaaaa', after: 'bbbbbbbbbbbb' }]);
  const text = await diff(repo, 'text');
  assert.match(text.out, /!! WasmPlugin shop\/auth \[demo\] now runs another build of its module under the same url \(sha256 aaaaaaaaaaaa -> bbbbbbbbbbbb\)/);
  assert.match(text.err, /--fail-on-widened fails: 1 auth plugin\(s\) running another build of their module/);
  const added = await policyRepo(pinned(undefined), pinned('b'.repeat(64)), 'wp-unsimulated-');
  const a = await diff(added, 'json');
  assert.equal(a.code, 0, a.io.text());
  assert.deepEqual(JSON.parse(a.out).effects.newBuilds, []);
});

/** A BasicAuth plugin on a new waypoint of its namespace, guarding GET on `prefix`. */
const auth = (id: string, waypoint: string, prefix: string, failOpen = false) =>
  `new wp.BasicAuth(ns, '${id}', { targets: [new wp.Waypoint(ns, '${waypoint}')], ${failOpen ? 'failStrategy: wp.FailStrategy.FAIL_OPEN, ' : ''}rules: [{ prefix: '${prefix}', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }], acknowledge: ack });`;

/**
 * Two auth plugins of one module in namespace `from` (one, two) replaced by
 * two in namespace `to` (three, four: three FAIL_OPEN) with other waypoints,
 * too many changed at once to pair: the diff's JSON and text.
 */
async function unpairedFailOpen(from: string, to: string, prefixes: [string, string]) {
  const inNamespace = (ns: string, body: string) => program({ extra: `if (name === '${ns}') {\n${body}\n}` });
  const repo = await policyRepo(inNamespace(from, `${auth('one', 'x', '/a')}\n${auth('two', 'y', '/b')}`), inNamespace(to, `${auth('three', 'z', prefixes[0], true)}\n${auth('four', 'w', prefixes[1])}`), 'wp-unsimulated-');
  const json = await diff(repo, 'json');
  assert.equal(json.code, 1, json.io.text());
  assert.deepEqual(JSON.parse(json.out).effects.pluginMoves, []);
  return { failsOpen: JSON.parse(json.out).effects.failsOpen, text: await diff(repo, 'text') };
}

test('two auth plugins of one module renamed, retargeted and edited at once cannot be told apart: one added FAIL_OPEN while a fail-closed one of its module is removed from its namespace is still listed, naming what it may replace', async () => {
  const { failsOpen, text } = await unpairedFailOpen('shop', 'shop', ['/a2', '/b2']);
  assert.deepEqual(failsOpen, [{ target: 'demo', plugin: 'WasmPlugin shop/three', replaces: ['WasmPlugin shop/one', 'WasmPlugin shop/two'], before: 'FAIL_CLOSE' }]);
  assert.match(text.out, /!! WasmPlugin shop\/three \[demo\] \(added as this change removes shop\/one, shop\/two, of the same module\) now fails open/);
});

test('two auth plugins of one module moved to another namespace at once cannot be paired: one of them added there FAIL_OPEN is still listed, naming the fail-closed ones removed from the first namespace', async () => {
  const { failsOpen, text } = await unpairedFailOpen('shop', 'blog', ['/a', '/b']);
  assert.deepEqual(failsOpen, [{ target: 'demo', plugin: 'WasmPlugin blog/three', replaces: ['WasmPlugin shop/one', 'WasmPlugin shop/two'], before: 'FAIL_CLOSE' }]);
  assert.match(text.out, /!! WasmPlugin blog\/three \[demo\] \(added as this change removes shop\/one, shop\/two, of the same module\) now fails open/);
  assert.match(text.err, /--fail-on-widened fails: .*1 auth plugin\(s\) now failing open/);
});

test("removing a fail-closed auth plugin while a fail-open twin stays beside it is widened access no simulated request shows, one line for every chain it leaves so, and fails --fail-on-widened", async () => {
  // Both namespaces: 'auth' (fail-closed) and 'open' (FAIL_OPEN, acknowledged) with the same rule; the head drops shop's 'auth'.
  const twin = `new wp.BasicAuth(ns, 'open', { targets: [w], failStrategy: wp.FailStrategy.FAIL_OPEN, rules: [{ prefix: '/admin', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }], acknowledge: ack });
  wp.MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: w });`;
  const head = program({ extra: twin }).replace('  new wp.BasicAuth(ns, \'auth\', {', "  if (name !== 'shop') new wp.BasicAuth(ns, 'auth', {");
  const repo = await policyRepo(program({ extra: twin }), head, 'wp-unsimulated-');
  const json = await diff(repo, 'json');
  assert.equal(json.code, 1, json.io.text());
  const effects = JSON.parse(json.out).effects;
  assert.deepEqual(effects.access.filter((a: { widened: boolean }) => a.widened), [], 'every simulated request is still refused by the twin');
  assert.deepEqual(effects.failsOpen, [], 'no plugin turned FAIL_OPEN itself');
  assert.deepEqual(effects.failOpenChains, [
    { target: 'demo', subjects: ['Service shop/cart', 'Services of shop without their own label'], removed: ['WasmPlugin shop/auth'], remaining: ['WasmPlugin shop/open'] },
  ]);
  const text = await diff(repo, 'text');
  assert.match(text.out, /1 chain\(s\) left with only fail-open auth plugins;/);
  assert.match(text.out, /!! Service shop\/cart, Services of shop without their own label \[demo\] now run only fail-open auth plugins \(shop\/open\): this change takes away the fail-closed shop\/auth, so whenever the module cannot be fetched or crashes, requests pass unchecked/);
  assert.match(text.err, /--fail-on-widened fails: 1 chain\(s\) left with only fail-open auth plugins/);

  // The other way round (a fail-closed plugin added beside the fail-open one) narrows: nothing listed.
  const back = await policyRepo(head, program({ extra: twin }), 'wp-unsimulated-');
  const r = await diff(back, 'json');
  assert.deepEqual(JSON.parse(r.out).effects.failOpenChains, [], r.out);
});

test('a plugin turned FAIL_OPEN itself is listed once, as failing open, not again as a chain left with only fail-open plugins', async () => {
  const repo = await policyRepo(program({}), program({ failStrategy: 'wp.FailStrategy.FAIL_OPEN' }), 'wp-unsimulated-');
  const effects = JSON.parse((await diff(repo, 'json')).out).effects;
  assert.equal(effects.failsOpen.length, 1);
  assert.deepEqual(effects.failOpenChains, []);
});
