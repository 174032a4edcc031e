import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';
import { diffAgainstMain, policyRepo } from './policy-repo';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

/** A policy program: `body` runs with `ns` (shop, in target demo) and `auth(id, target, prefix)` in scope. */
function program(body: string): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const shop = (t: wp.Target) => new wp.MeshNamespace(t, 'shop');
const ns = shop(new wp.Target(app, 'demo'));
const auth = (scope: wp.MeshNamespace, id: string, target: wp.ITargetable, prefix: string) =>
  new wp.BasicAuth(scope, id, {
    targets: [target],
    rules: [{ prefix, methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
    acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
  });
${body}
export default app;
`;
}

const diff = diffAgainstMain;

test('a waypoint no Service uses is never probed as an ingress gateway: removing a released waypoint and its plugin passes --fail-on-widened', async () => {
  // The documented order: the Service was released in an earlier commit, so the waypoint carries no traffic.
  const base = program(`const w = new wp.Waypoint(ns, 'payments-waypoint');
auth(ns, 'payments-auth', w, '/pay');
wp.ReleasedLabels.ofService(ns, 'payments');`);
  const head = program(`wp.ReleasedLabels.ofService(ns, 'payments');`);
  const repo = await policyRepo(base, head, 'wp-widened-');
  const r = await diff(repo, '--json', '--fail-on-widened');
  assert.equal(r.code, 0, r.io.text());
  const access = JSON.parse(r.out).effects.access;
  assert.deepEqual(access.filter((a: { via?: string }) => a.via === 'shop/payments-waypoint'), [], JSON.stringify(access));
  assert.deepEqual(access.filter((a: { widened: boolean }) => a.widened), []);
});

test('a new waypoint with its plugin, before any Service moves to it, adds no requests "via" it', async () => {
  const base = program(`const w = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(w);
auth(ns, 'auth', w, '/admin');`);
  const head = program(`const w = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(w);
auth(ns, 'auth', w, '/admin');
const next = new wp.Waypoint(ns, 'next-waypoint');
auth(ns, 'next-auth', next, '/admin');`);
  const repo = await policyRepo(base, head, 'wp-widened-');
  const r = await diff(repo, '--json');
  assert.equal(r.code, 0, r.io.text());
  const access = JSON.parse(r.out).effects.access;
  assert.deepEqual(access.filter((a: { via?: string }) => a.via !== undefined), [], JSON.stringify(access));
});

test('a new target is new access, not widened: unknown before is listed with the other changes and --fail-on-widened passes', async () => {
  const body = `const w = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(w);
wp.MeshService.fromServiceName(ns, 'payments', 'payments');
auth(ns, 'auth', w, '/admin');`;
  const added = `
{
  const prod = shop(new wp.Target(app, 'prod'));
  const w = new wp.Waypoint(prod, 'waypoint');
  prod.useWaypoint(w);
  wp.MeshService.fromServiceName(prod, 'payments', 'payments');
  auth(prod, 'auth', w, '/admin');
}`;
  const repo = await policyRepo(program(body), program(body + added), 'wp-widened-');
  const r = await diff(repo, '--json', '--fail-on-widened');
  assert.equal(r.code, 0, r.io.text());
  const access = JSON.parse(r.out).effects.access;
  const prod = access.filter((a: { target: string }) => a.target === 'prod');
  assert.ok(prod.some((a: { before: unknown; after: number }) => a.before === null && a.after === 200), JSON.stringify(access));
  assert.ok(prod.every((a: { widened: boolean }) => !a.widened), JSON.stringify(prod));
  const text = await diff(repo);
  assert.match(text.out, /0 widened access/);
  assert.doesNotMatch(text.out, /!!/);
});

test('a request the base refused and the head lets through is still widened (removing the plugin)', async () => {
  const body = `const w = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(w);
wp.MeshService.fromServiceName(ns, 'payments', 'payments');`;
  const repo = await policyRepo(program(`${body}\nauth(ns, 'auth', w, '/admin');`), program(body), 'wp-widened-');
  const r = await diff(repo, '--fail-on-widened');
  assert.equal(r.code, 1, r.io.text());
  assert.match(r.out, /!! GET \/admin to shop\/\S+ \(no credentials\) \[demo\]: 401 -> 200/);
});

test('a base without files under the output folder is said on stderr when the working tree has that folder (the pull request that adds the first synth)', async () => {
  const body = `const w = new wp.Waypoint(ns, 'waypoint');\nns.useWaypoint(w);`;
  const repo = await policyRepo(program(body), program(body), 'wp-widened-');
  // The first synth's output, committed by the change itself: the base has no dist/ yet.
  fs.renameSync(path.join(repo, 'dist'), path.join(repo, 'out'));
  const first = await diff(repo, '--outdir', 'out', '--fail-on-widened');
  assert.equal(first.code, 0, first.io.text());
  assert.match(first.io.stderr.join('\n'), /diff: main has no files under out\/ \(the first synth, or the wrong --outdir or folder\?\): every object shows as added/);
  fs.renameSync(path.join(repo, 'out'), path.join(repo, 'dist'));
  const right = await diff(repo);
  assert.doesNotMatch(right.io.text(), /has no files under/);
});

test('an output folder neither the base nor the working tree has (a mistyped --outdir, a monorepo run from its root) is a usage error: a widening change must not pass --fail-on-widened as all new', async () => {
  const body = `const w = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(w);
wp.MeshService.fromServiceName(ns, 'payments', 'payments');`;
  const repo = await policyRepo(program(`${body}\nauth(ns, 'auth', w, '/admin');`), program(body), 'wp-widened-');
  assert.equal((await diff(repo, '--fail-on-widened')).code, 1);
  const typo = await diff(repo, '--outdir', 'distt', '--fail-on-widened');
  assert.equal(typo.code, 2, typo.io.text());
  assert.match(typo.io.stderr.join('\n'), /neither main nor the working tree has a distt\/ folder[^]*pass --outdir/);
  assert.deepEqual(typo.io.stdout, []);
  // A monorepo: the policy project in a subfolder, diff run from the repository root with only --app.
  const root = tempDir('wp-widened-mono-');
  fs.cpSync(repo, path.join(root, 'mesh'), { recursive: true, filter: (src) => path.basename(src) !== '.git' });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: root, stdio: 'pipe' });
  // The base's dist/, committed under mesh/; the change stays in the working tree.
  git('init', '-q', '-b', 'main');
  git('add', 'mesh/dist');
  git('commit', '-qm', 'base');
  const io = captureIo(root);
  assert.equal(await main(['diff', '--base', 'main', '--app', 'mesh/policies/main.ts', '--fail-on-widened'], io), 2, io.text());
  assert.match(io.text(), /neither main nor the working tree has a dist\/ folder/);
  const right = captureIo(root);
  assert.equal(await main(['diff', '--base', 'main', '--app', 'mesh/policies/main.ts', '--outdir', 'mesh/dist', '--fail-on-widened'], right), 1, right.text());
  // The root's own dist/ (a JavaScript build, git-ignored) holds nothing synth wrote: still no base to compare with.
  fs.mkdirSync(path.join(root, 'dist'));
  fs.writeFileSync(path.join(root, 'dist', 'index.js'), 'module.exports = {};\n');
  fs.writeFileSync(path.join(root, '.gitignore'), 'dist/\n');
  const build = captureIo(root);
  assert.equal(await main(['diff', '--base', 'main', '--app', 'mesh/policies/main.ts', '--fail-on-widened'], build), 2, build.text());
  assert.match(build.text(), /neither main nor the working tree has a dist\/ folder written by synth/);
});

test('auth removed from behind something the simulator does not model (unknown before) is still widened: only a new target is exempt', async () => {
  const old = (url: string) => `new wp.BasicAuth(ns, 'auth', { targets: [w], url: '${url}', rules: [{ prefix: '/admin', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }], acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' } });`;
  const body = `const w = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(w);
wp.MeshService.fromServiceName(ns, 'payments', 'payments');`;
  // basic_auth 1.11.0 is not simulated (other code), so the base's answer is unknown.
  const repo = await policyRepo(program(`${body}\n${old('oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.11.0')}`), program(body), 'wp-widened-');
  const r = await diff(repo, '--fail-on-widened');
  assert.equal(r.code, 1, r.io.text());
  assert.match(r.out, /!! GET \/admin to shop\/\S+ \(no credentials\) \[demo\]: unknown \(200 if what is not simulated lets it through\) -> 200/);
});

test('a rule whose match changes from prefix to exact or suffix is widened: the requests include a path only a prefix covers', async () => {
  const guard = (match: string) => `const w = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(w);
wp.MeshService.fromServiceName(ns, 'payments', 'payments');
new wp.BasicAuth(ns, 'auth', { targets: [w], rules: [{ ${match}, methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }], acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' } });`;
  for (const head of [`exact: '/admin'`, `suffix: '/admin'`]) {
    const repo = await policyRepo(program(guard(`prefix: '/admin'`)), program(guard(head)), 'wp-widened-');
    const r = await diff(repo, '--fail-on-widened');
    assert.equal(r.code, 1, `${head}\n${r.io.text()}`);
    assert.match(r.out, /!! GET \/admin\?x=1 to shop\/\S+ \(no credentials\) \[demo\]: 401 -> 200/, head);
  }
});

test('auth removed behind a plugin the simulator does not decide (a rate limiter) is widened: 200 was not possible before and is now', async () => {
  const body = (priority: string, rules: string) => `const w = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(w);
wp.MeshService.fromServiceName(ns, 'payments', 'payments');
new wp.LocalRateLimit(ns, 'rate-limit', { targets: [w], maxTokens: 200, tokensPerRefill: 100, refillInterval: Duration.seconds(1)${priority} });
${rules}`;
  const guard = (rules: string) => `new wp.BasicAuth(ns, 'auth', { targets: [w], rules: [${rules}], acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' } });`;
  const admin = `{ prefix: '/admin', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }`;
  const other = `{ prefix: '/other', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }`;
  const CDK8S = path.join(REPO_ROOT, 'node_modules', 'cdk8s').split(path.sep).join('/');
  const withDuration = (p: string) => p.replace(`import * as wp from`, `import { Duration } from '${CDK8S}';\nimport * as wp from`);
  // The whole plugin removed, beside a rate limiter of the same phase and
  // priority (either may be older, so run first): 401 before if the limiter
  // lets the request through, 200 now if it does.
  const removed = await policyRepo(withDuration(program(body('', guard(admin)))), withDuration(program(body('', ''))), 'wp-widened-');
  const r = await diff(removed, '--fail-on-widened');
  assert.equal(r.code, 1, r.io.text());
  assert.match(r.out, /!! GET \/admin to shop\/\S+ \(no credentials\) \[demo\]: unknown \(401 if what is not simulated lets it through\) -> unknown \(200 if what is not simulated lets it through\)/);
  // One rule removed while the rate limiter runs first: unknown on both sides, but 200 only possible now.
  const first = `, phase: wp.PluginPhase.AUTHN, priority: 10`;
  const rule = await policyRepo(withDuration(program(body(first, guard(`${admin}, ${other}`)))), withDuration(program(body(first, guard(other)))), 'wp-widened-');
  const j = await diff(rule, '--json', '--fail-on-widened');
  assert.equal(j.code, 1, j.io.text());
  const widened = JSON.parse(j.out).effects.access.filter((a: { widened: boolean }) => a.widened);
  assert.ok(widened.some((a: { path: string; credential: string; before: unknown; after: unknown; beforeIfPassed: number; afterIfPassed: number }) => a.path === '/admin' && a.credential === 'none' && a.before === null && a.after === null && a.beforeIfPassed === 401 && a.afterIfPassed === 200), JSON.stringify(widened));
});

test('the requests of a changed rule are simulated before those of unchanged ones, and --fail-on-widened fails when requests whose path changed are left out', async () => {
  const body = (methods: string, rules: number) => `const w = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(w);
const lit = (v: string) => wp.Credential.insecureLiteral(v);
const ack = { literalCredentials: 'test', unpinnedModule: 'test' };
const reviews = wp.MeshService.fromServiceName(ns, 'reviews', 'reviews');
wp.MeshService.fromServiceName(ns, 'payments', 'payments');
new wp.BasicAuth(ns, 'api-auth', { targets: [w], rules: Array.from({ length: ${rules} }, (_, i) => ({ prefix: '/api/v2/resource-' + i, methods: ['GET', 'POST'], credentials: [lit('ok:test'), lit('admin3:admin3')] })), acknowledge: ack });
new wp.BasicAuth(ns, 'reviews-auth', { targets: [reviews], rules: [{ prefix: '/reviews', methods: ${methods}, credentials: [lit('ok:test')] }], acknowledge: ack });`;
  // 80 rules x 2 methods x 3 credentials x 2 paths, to 3 Services: far beyond the bound, and only reviews' path changed.
  const repo = await policyRepo(program(body(`['GET', 'POST']`, 80)), program(body(`['GET']`, 80)), 'wp-widened-');
  const r = await diff(repo, '--json', '--fail-on-widened', '--max-requests', '400');
  assert.equal(r.code, 1, r.io.text());
  const effects = JSON.parse(r.out).effects;
  assert.ok(effects.access.some((a: { widened: boolean; method: string; path: string; to: string }) => a.widened && a.method === 'POST' && a.path === '/reviews' && a.to === 'shop/reviews'), JSON.stringify(effects.access));
  assert.ok(effects.truncated > 0, JSON.stringify(effects.truncated));
  assert.match(r.io.stderr.join('\n'), /diff: \d+ request\(s\) whose path this change touches were not simulated \(only 400 are\), so widened access among them would not show, and --fail-on-widened fails/);
  // Only narrowed in what was simulated, but requests left out: never a silent pass.
  const narrowed = await policyRepo(program(body(`['GET']`, 80)), program(body(`['GET', 'POST']`, 80)), 'wp-widened-');
  const n = await diff(narrowed, '--json', '--fail-on-widened', '--max-requests', '400');
  assert.equal(n.code, 1, n.io.text());
  assert.deepEqual(JSON.parse(n.out).effects.access.filter((a: { widened: boolean }) => a.widened), []);
  assert.match(n.io.stderr.join('\n'), /were not simulated/);
  // Requests whose path did not change (the 80 rules sent to payments) may be left out: they cannot differ.
  const fits = await policyRepo(program(body(`['GET']`, 20)).replace(`targets: [reviews]`, `targets: [reviews], realm: 'a'`), program(body(`['GET']`, 20)), 'wp-widened-');
  const f = await diff(fits, '--json', '--fail-on-widened', '--max-requests', '400');
  assert.equal(f.code, 0, f.io.text());
  const e = JSON.parse(f.out).effects;
  assert.equal(e.truncated, 0);
  assert.ok(e.unchangedLeftOut > 0, JSON.stringify(e));
});

test('binding and plugin-chain lines name their target, as access lines do: with two targets built by one function they are not identical', async () => {
  const twice = (useWaypoint: string) => `const both = (t: wp.Target) => {
  const ns = shop(t);
  const w = new wp.Waypoint(ns, 'waypoint');
  ns.useWaypoint(${useWaypoint});
  auth(ns, 'auth', w, '/admin');
};
both(new wp.Target(app, 'staging'));
both(new wp.Target(app, 'prod'));`;
  const repo = await policyRepo(program(twice('w')), program(twice(`'none'`)), 'wp-widened-');
  const text = (await diff(repo)).out;
  const markdown = (await diff(repo, '--format', 'markdown')).out;
  for (const target of ['staging', 'prod']) {
    assert.ok(text.includes(`Services of shop without their own label [${target}]: shop/waypoint -> no waypoint`), text);
    assert.ok(text.includes(`Service shop/* [${target}]: - WasmPlugin shop/auth`), text);
    assert.ok(markdown.includes(`Services of shop without their own label [${target}]: shop/waypoint -\\> no waypoint`), markdown);
    assert.ok(markdown.includes(`Service shop/\\* [${target}]: - WasmPlugin shop/auth`), markdown);
  }
});

test('an auth plugin the simulator cannot decide and that has no Basic-auth rules (OPA) is probed too: removing it, or moving it off a Service, is widened access and fails --fail-on-widened', async () => {
  const body = (opaTarget: string | undefined) => `const w = new wp.Waypoint(ns, 'waypoint');
const b = new wp.Waypoint(ns, 'waypoint-b');
ns.useWaypoint(w);
wp.MeshService.fromServiceName(ns, 'payments', 'payments');
${opaTarget ? `new wp.OpenPolicyAgent(ns, 'opa', { targets: [${opaTarget}], serviceHost: 'opa.infra.svc.cluster.local', acknowledge: { unpinnedModule: 'test' } });` : ''}`;
  for (const head of [undefined, 'b']) {
    const repo = await policyRepo(program(body('w')), program(body(head)), 'wp-widened-');
    const r = await diff(repo, '--fail-on-widened');
    assert.equal(r.code, 1, `${head}\n${r.io.text()}`);
    assert.match(r.out, /!! GET \/ to shop\/\S+ \(no credentials\) \[demo\]: unknown \(200 if what is not simulated lets it through\) -> 200/, head);
  }
  // Unchanged, it is simulated and answers as before: nothing to report.
  const same = await policyRepo(program(body('w')), program(`${body('w')}\nnew wp.Waypoint(ns, 'spare');`), 'wp-widened-');
  const r = await diff(same, '--json', '--fail-on-widened');
  assert.equal(r.code, 0, r.io.text());
  assert.deepEqual(JSON.parse(r.out).effects.access, []);
});
