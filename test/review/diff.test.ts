import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';
import { policyRepo } from './policy-repo';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
const SECRETS = ['ok:test', 'YWRtaW4zOmFkbWluMw==', 'rev1-only:secret', 'rev2-only:secret'];

/** A bookinfo-like policy; `rev` 2 changes what the review must surface. */
function policy(rev: 1 | 2): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'default');
const lit = (v: string) => wp.Credential.insecureLiteral(v);
const ack = { literalCredentials: 'test', unpinnedModule: 'test' };
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
new wp.BasicAuth(ns, 'auth-at-waypoint', {
  targets: [waypoint],
  rules: [{ prefix: '/productpage', methods: ${rev === 1 ? "['GET', 'POST']" : "['GET', 'POST', 'PUT']"}, credentials: [lit('ok:test'), lit('YWRtaW4zOmFkbWluMw==')] }],
  acknowledge: ack,
});
const reviewsWaypoint = new wp.Waypoint(ns, 'reviews-svc-waypoint');
// Rev 2 moves reviews to the namespace's waypoint: its label is released (dropping the manifest would leave it in the cluster).
${rev === 1 ? "wp.MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: reviewsWaypoint });" : "wp.ReleasedLabels.ofService(ns, 'reviews');"}
wp.MeshService.fromServiceName(ns, 'ratings', 'ratings', ${rev === 1 ? '{ useWaypoint: reviewsWaypoint }' : "{ useWaypoint: 'none' }"});
new wp.BasicAuth(ns, 'auth-for-reviews', {
  targets: [reviewsWaypoint],
  rules: [{ prefix: '/reviews', methods: ['GET'], credentials: [lit('ok:test'), lit(${rev === 1 ? "'rev1-only:secret'" : "'rev2-only:secret'"})] }],
  acknowledge: ack,
});
export default app;
`;
}

let repo: string;

function git(...args: string[]): void {
  execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
}

before(async () => {
  repo = tempDir('wp-review-');
  fs.writeFileSync(path.join(repo, 'package.json'), '{"name":"policy-repo","private":true}\n');
  fs.mkdirSync(path.join(repo, 'policies'));
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), policy(1));
  assert.equal(await main(['synth'], captureIo(repo)), 0);
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'rev1');
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), policy(2));
});

async function diff(...args: string[]) {
  const io = captureIo(repo);
  const code = await main(['diff', '--base', 'main', ...args], io);
  return { code, io, out: io.stdout.join('\n') };
}

test('widened access is found by simulation and listed first, marked', async () => {
  const { code, out, io } = await diff('--format', 'json');
  assert.equal(code, 0, io.text());
  const r = JSON.parse(out);
  const first = r.effects.access[0];
  assert.equal(first.widened, true);
  // reviews left its waypoint: /reviews/1 without credentials was 401, now passes.
  const widenedReviews = r.effects.access.find((a: any) => a.widened && a.to === 'default/reviews' && a.credential === 'none');
  assert.ok(widenedReviews, JSON.stringify(r.effects.access, null, 2));
  assert.equal(widenedReviews.before, 401);
  assert.equal(widenedReviews.after, 200);
  const text = (await diff()).out;
  if (process.env.SHOW_REVIEW) console.log(text, (await diff('--format', 'markdown')).out);
  assert.ok(text.indexOf('WIDENED ACCESS') < text.indexOf('Waypoint bindings'));
  assert.match(text, /!! GET \/reviews via|!! GET \/reviews to default\/reviews \(no credentials\) \[demo\]: 401 -> 200/);
});

test('narrowed access: /productpage now also requires auth for PUT', async () => {
  const r = JSON.parse((await diff('--json')).out);
  const put = r.effects.access.find((a: any) => a.method === 'PUT' && a.path === '/productpage' && a.credential === 'none');
  assert.ok(put);
  assert.deepEqual([put.before, put.after, put.narrowed, put.widened], [200, 401, true, false]);
});

test('binding changes per Service, with the no-waypoint consequence', async () => {
  const r = JSON.parse((await diff('--json')).out);
  const ratings = r.effects.bindings.find((b: any) => b.service === 'default/ratings');
  assert.equal(ratings.before.waypoint, 'default/reviews-svc-waypoint');
  assert.equal(ratings.after.waypoint, undefined);
  assert.equal(ratings.lostWaypoint, true);
  const reviews = r.effects.bindings.find((b: any) => b.service === 'default/reviews');
  assert.deepEqual([reviews.before.waypoint, reviews.after.waypoint], ['default/reviews-svc-waypoint', 'default/waypoint']);
  // Each reason is said once.
  for (const b of r.effects.bindings) for (const side of [b.before, b.after]) assert.equal(side.reason.split(/\bWaypointAccepted\b/).length <= 2, true, side.reason);
  assert.match(reviews.after.reason, /=> bound \(WaypointAccepted\)/);
  const chain = r.effects.chains.find((c: any) => c.subject === 'Service default/reviews');
  assert.deepEqual(chain.before, ['WasmPlugin default/auth-for-reviews']);
  assert.deepEqual(chain.after, ['WasmPlugin default/auth-at-waypoint']);
});

test('object changes list the changed field paths; a changed credential shows as fingerprints', async () => {
  const r = JSON.parse((await diff('--json')).out);
  const plugin = r.objects.find((o: any) => o.object.name === 'auth-for-reviews');
  const cred = plugin.fields.find((f: any) => f.path === 'spec.pluginConfig.basic_auth_rules[0].credentials[1]');
  assert.match(cred.before, /^sha256:[0-9a-f]{8}$/);
  assert.match(cred.after, /^sha256:[0-9a-f]{8}$/);
  assert.notEqual(cred.before, cred.after);
  const methods = r.objects.find((o: any) => o.object.name === 'auth-at-waypoint').fields.map((f: any) => f.path);
  assert.deepEqual(methods, ['spec.pluginConfig.basic_auth_rules[0].request_methods[2]']);
});

test('no credential string appears in any output format', async () => {
  for (const args of [[], ['--format', 'markdown'], ['--json']]) {
    const { io } = await diff(...args);
    for (const secret of SECRETS) assert.equal(io.text().includes(secret), false, `${secret} leaked with ${args.join(' ') || 'text'}`);
  }
});

test('markdown is a PR comment: widened access in a table before everything else', async () => {
  const { out } = await diff('--format', 'markdown');
  assert.match(out, /^<!-- waypoint-policy:review -->\n### waypoint-policy: policy changes/);
  assert.ok(out.indexOf(':warning: Widened access') < out.indexOf('#### Waypoint bindings'));
  assert.match(out, /\| \*\*GET \/reviews to default\/reviews \(no credentials\) \[demo\]\*\* \| 401 \| \*\*200\*\* \|/);
});

test('--fail-on-widened exits 1; usage errors name the flag', async () => {
  assert.equal((await diff('--fail-on-widened')).code, 1);
  const io = captureIo(repo);
  assert.equal(await main(['diff'], io), 2);
  assert.match(io.text(), /--base REF is required/);
  const io2 = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'no-such-ref'], io2), 2);
  assert.match(io2.text(), /cannot read dist\/ at no-such-ref: there is no commit "no-such-ref" in this repository/);
  assert.doesNotMatch(io2.text(), /Command failed/);
  const io3 = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'main', '--max-requests', '0'], io3), 2);
  assert.match(io3.text(), /--max-requests "0" is not a whole number of at least 1/);
});


test('run from a subdirectory, --outdir ../dist reads the same committed tree as from the top', async () => {
  const sub = path.join(repo, 'policies');
  const fromTop = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'main', '--json'], fromTop), 0, fromTop.text());
  const fromSub = captureIo(sub);
  assert.equal(await main(['diff', '--base', 'main', '--json', '--app', 'main.ts', '--outdir', '../dist'], fromSub), 0, fromSub.text());
  // The base side matched file for file: the same objects changed, none added or removed wholesale by a bad slice.
  const objects = (io: ReturnType<typeof captureIo>) => JSON.parse(io.stdout.join('\n')).objects.map((o: any) => `${o.change} ${o.object.kind}/${o.object.name}`);
  assert.deepEqual(objects(fromSub), objects(fromTop));
  const outside = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'main', '--outdir', '../elsewhere'], outside), 2);
  assert.match(outside.text(), /outside the repository/);
});

test('run from outside any checkout (a CI workspace root), --app and --outdir into the checkout read its committed tree, as synth and check take those paths from anywhere', async () => {
  const fromTop = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'main', '--json'], fromTop), 0, fromTop.text());
  const fromOutside = captureIo(tempDir('wp-review-outside-'));
  const code = await main(['diff', '--base', 'main', '--json', '--app', path.join(repo, 'policies', 'main.ts'), '--outdir', path.join(repo, 'dist')], fromOutside);
  assert.equal(code, 0, fromOutside.text());
  assert.doesNotMatch(fromOutside.text(), /not in a git repository|has no files under/);
  assert.deepEqual(JSON.parse(fromOutside.stdout.join('\n')).objects, JSON.parse(fromTop.stdout.join('\n')).objects);
});

test('--outdir "$PWD/dist" in a checkout reached through a link (the shell keeps the link, git and the working directory do not) reads the committed tree', async () => {
  const link = path.join(tempDir('wp-review-link-'), 'checkout');
  fs.symlinkSync(repo, link);
  const plain = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'main', '--json'], plain), 0, plain.text());
  const viaLink = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'main', '--json', '--outdir', path.join(link, 'dist')], viaLink), 0, viaLink.text());
  assert.doesNotMatch(viaLink.text(), /outside the repository|has no files under/);
  assert.deepEqual(JSON.parse(viaLink.stdout.join('\n')).objects, JSON.parse(plain.stdout.join('\n')).objects);
});

test('$CDK8S_OUTDIR names the committed folder for diff as it does for synth and check (a job that sets it for all of them)', async () => {
  const other = await policyRepo(policy(1), policy(2), 'wp-review-cdk8s-outdir-');
  fs.renameSync(path.join(other, 'dist'), path.join(other, 'manifests'));
  execFileSync('git', ['add', '-A', 'dist', 'manifests'], { cwd: other, stdio: 'pipe' });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'dist/ is manifests/'], { cwd: other, stdio: 'pipe' });
  const env = { ...process.env, CDK8S_OUTDIR: 'manifests' };
  const io = captureIo(other, env);
  assert.equal(await main(['diff', '--base', 'main', '--json'], io), 0, io.text());
  assert.doesNotMatch(io.text(), /has no files under/);
  const changes = JSON.parse(io.stdout.join('\n')).objects.map((o: { change: string }) => o.change);
  assert.ok(changes.length > 0 && !changes.every((c: string) => c === 'added'), changes.join(', '));
});

test('a committed base file that is not valid YAML stops the review with its name (exit 1), rather than reporting its objects as added', async () => {
  const other = tempDir('wp-review-bad-base-');
  fs.writeFileSync(path.join(other, 'package.json'), '{"name":"policy-repo","private":true}\n');
  fs.mkdirSync(path.join(other, 'policies'));
  fs.writeFileSync(path.join(other, 'policies', 'main.ts'), policy(1));
  assert.equal(await main(['synth'], captureIo(other)), 0);
  const [victim] = (fs.readdirSync(path.join(other, 'dist'), { recursive: true }) as string[])
    .map((f) => `dist/${f.split(path.sep).join('/')}`)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml') && !f.includes('/delivery/'))
    .sort();
  const run = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: other, stdio: 'pipe' });
  run('init', '-q', '-b', 'main');
  fs.appendFileSync(path.join(other, victim), 'extra: *nowhere\n');
  run('add', '-A');
  run('commit', '-qm', 'hand-edited');
  const io = captureIo(other);
  assert.equal(await main(['diff', '--base', 'main'], io), 1, io.text());
  assert.match(io.text(), new RegExp(`at main, ${victim.replace(/[.]/g, '\\.')} is not valid YAML \\(Unresolved alias`));
  assert.doesNotMatch(io.text(), /internal error/);
});

test('--json when the working tree does not compile: the findings as JSON on stdout (compiled: false), exit 1; the text format keeps stdout empty', async () => {
  const broken = await policyRepo(policy(1), `${policy(1)}\nthrow new Error('half-edited policy');\n`, 'wp-review-broken-');
  const io = captureIo(broken);
  assert.equal(await main(['diff', '--base', 'main', '--json'], io), 1, io.text());
  const report = JSON.parse(io.stdout.join('\n'));
  assert.equal(report.compiled, false);
  assert.equal(report.base, 'main');
  assert.deepEqual(report.findings.map((f: { rule: string }) => f.rule), ['policy/exception']);
  assert.match(report.findings[0].message, /half-edited policy/);
  assert.match(io.stderr.join('\n'), /diff: policies\/main\.ts does not compile; nothing was compared\./);
  const text = captureIo(broken);
  assert.equal(await main(['diff', '--base', 'main'], text), 1);
  assert.deepEqual(text.stdout, []);
  assert.match(text.stderr.join('\n'), /error\[policy\/exception\][^]*does not compile; nothing was compared/);
});

test('--format markdown when the working tree does not compile: stdout is a comment naming each error, its place and its fix (never a credential), exit 1', async () => {
  // The PR comment a CI step posts from stdout: empty, it said nothing of why there was no review.
  const secret = 'carol:Sup3r-Secret-99';
  const broken = await policyRepo(
    policy(1),
    `${policy(1)}\nnew wp.BasicAuth(ns, 'leaky', { targets: [waypoint], rules: [{ prefix: '/leaky', methods: ['GET'], credentials: [wp.Credential.fromEnv('WP_REVIEW_DECLARED')] }], acknowledge: ack });\nthrow new Error('half-edited policy near ' + process.env.WP_REVIEW_DECLARED);\n`,
    'wp-review-broken-md-',
  );
  process.env.WP_REVIEW_DECLARED = secret;
  try {
    const io = captureIo(broken);
    assert.equal(await main(['diff', '--base', 'main', '--format', 'markdown'], io), 1, io.text());
    const comment = io.stdout.join('\n');
    assert.match(comment, /^<!-- waypoint-policy:review -->\n### waypoint-policy: policy changes `main` → `working tree`\n\n:x: \*\*The policies do not compile\*\* \(1 error\(s\)\), so nothing was compared\./);
    assert.match(comment, /^- `policy\/exception`( at `[^`]+`)? \(`policies\/main\.ts:\d+`\): [^\n]*half-edited policy[^\n]*<br>Fix: /m);
    assert.match(io.stderr.join('\n'), /does not compile; nothing was compared/);
    assert.doesNotMatch(io.text(), /Sup3r-Secret/);
  } finally {
    delete process.env.WP_REVIEW_DECLARED;
  }
});

test('outside a git repository, diff says so (exit 2) instead of blaming the revision', async () => {
  const io = captureIo(tempDir('wp-no-git-'));
  assert.equal(await main(['diff', '--base', 'main'], io), 2);
  assert.match(io.text(), /not in a git repository/);
  assert.doesNotMatch(io.text(), /there is no commit/);
});

test('a credential read from the environment that the policy also put outside a credentials list (a path prefix) is scrubbed from every format; fingerprints stay', async () => {
  const { policyRepo } = await import('./policy-repo');
  const program = (extra: string) => `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
wp.MeshService.fromServiceName(ns, 'api', 'api', { useWaypoint: waypoint });
new wp.BasicAuth(ns, 'auth', { targets: [waypoint], acknowledge: { unpinnedModule: 'test' }, rules: [
  { prefix: '/admin', methods: ['GET'], credentials: [wp.Credential.fromEnv('WP_DIFF_SECRET')] },
  ${extra}
] });
export default app;
`;
  process.env.WP_DIFF_SECRET = 'diffUser:Diff-Secret-5170';
  try {
    const repo = await policyRepo(program(''), program(`{ prefix: '/keys/' + process.env.WP_DIFF_SECRET, methods: ['GET'], credentials: [wp.Credential.fromEnv('WP_DIFF_SECRET')] },`), 'wp-review-scrub-');
    for (const format of ['text', 'markdown', 'json']) {
      const io = captureIo(repo);
      assert.equal(await main(['diff', '--base', 'main', '--format', format], io), 0, io.text());
      assert.match(io.text(), /\/keys\/<redacted credential>/, format);
      assert.doesNotMatch(io.text(), /Diff-Secret-5170|ZGlmZlVzZXI6/, format);
      if (format === 'json') JSON.parse(io.stdout.join('\n'));
    }
  } finally {
    delete process.env.WP_DIFF_SECRET;
  }
});

test('a committed dist/ that is not what the policies compile to (edited by hand, no synth after a change) is said in every format: the review shows the policies, not what GitOps deploys', async () => {
  const other = await policyRepo(policy(1), policy(1), 'wp-review-stale-');
  const inSync = captureIo(other);
  assert.equal(await main(['diff', '--base', 'main', '--format', 'markdown'], inSync), 0, inSync.text());
  assert.doesNotMatch(inSync.text(), /not what the policies compile to|not what policies\/main\.ts compiles to/);
  // A hand edit that widens what is deployed: the policies, and so the review, do not change.
  const file = path.join(other, 'dist', 'demo', '2-policies', 'default', 'wasmplugin-auth-at-waypoint.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n {10}- POST\n/, '\n'));
  const md = captureIo(other);
  assert.equal(await main(['diff', '--base', 'main', '--format', 'markdown'], md), 0, md.text());
  assert.match(md.stdout.join('\n'), /> \*\*Note:\*\* the committed dist\/ is not what the policies compile to \(synth would add 0, change 1 and remove 0 file\(s\)\): this review shows what the policies compile to, not what dist\/ deploys once merged/);
  assert.match(md.stderr.join('\n'), /diff: the working tree's dist\/ is not what policies\/main\.ts compiles to/);
  const text = captureIo(other);
  assert.equal(await main(['diff', '--base', 'main'], text), 0);
  assert.match(text.stdout.join('\n'), /^Note: the committed dist\/ is not what the policies compile to/m);
  const json = captureIo(other);
  assert.equal(await main(['diff', '--base', 'main', '--json'], json), 0);
  assert.deepEqual(JSON.parse(json.stdout.join('\n')).staleOutput, { outdir: 'dist/', added: 0, changed: 1, removed: 0 });
});

test('a base ref missing from a shallow single-branch clone: the error gives the fetch that makes origin/<branch> exist', async () => {
  execFileSync('git', ['remote', 'add', 'origin', 'https://example.com/policies.git'], { cwd: repo, stdio: 'pipe' });
  try {
    const io = captureIo(repo);
    assert.equal(await main(['diff', '--base', 'origin/main'], io), 2);
    assert.match(io.text(), /there is no commit "origin\/main" in this repository \(in CI, fetch it first: git fetch --no-tags --depth=1 origin main:refs\/remotes\/origin\/main, or check out with fetch-depth: 0;/);
    // A full commit id (the PR's base.sha) is fetched by id.
    const sha = captureIo(repo);
    assert.equal(await main(['diff', '--base', 'a'.repeat(40)], sha), 2);
    assert.match(sha.text(), new RegExp(`\\(in CI, fetch it first: git fetch --no-tags --depth=1 origin ${'a'.repeat(40)}, or check out with fetch-depth: 0;`));
    // Not a <remote>/<branch>: a local branch with a slash, a full ref, a revision expression get no made-up fetch.
    for (const ref of ['release/1.2', 'refs/heads/nope', 'origin/main~1']) {
      const other = captureIo(repo);
      assert.equal(await main(['diff', '--base', ref], other), 2);
      assert.match(other.text(), /\(in CI, fetch it first; a shallow checkout has only the head\)/, ref);
    }
  } finally {
    execFileSync('git', ['remote', 'remove', 'origin'], { cwd: repo, stdio: 'pipe' });
  }
});

test('a file git ignores in the working tree\'s dist/ (.DS_Store) is not committed, so it does not make the committed dist/ stale', async () => {
  const other = await policyRepo(policy(1), policy(1), 'wp-review-ignored-');
  fs.writeFileSync(path.join(other, '.gitignore'), '.DS_Store\n');
  fs.writeFileSync(path.join(other, 'dist', '.DS_Store'), 'finder');
  const io = captureIo(other);
  assert.equal(await main(['diff', '--base', 'main', '--format', 'markdown'], io), 0, io.text());
  assert.doesNotMatch(io.text(), /not what the policies compile to|not what policies\/main\.ts compiles to/);
  // A file git does not ignore is still one a commit may take along: said.
  fs.writeFileSync(path.join(other, 'dist', 'notes.yaml'), 'a: 1\n');
  const untracked = captureIo(other);
  assert.equal(await main(['diff', '--base', 'main'], untracked), 0, untracked.text());
  assert.match(untracked.stderr.join('\n'), /synth would add 0, change 0 and remove 1 file\(s\)/);
});

test('run from a folder reached through a link, with --outdir outside it, the stale note still reads the output folder', async () => {
  const other = await policyRepo(policy(1), policy(1), 'wp-review-linked-');
  const file = path.join(other, 'dist', 'demo', '2-policies', 'default', 'wasmplugin-auth-at-waypoint.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n {10}- POST\n/, '\n'));
  const links = tempDir('wp-review-links-');
  fs.symlinkSync(path.join(other, 'policies'), path.join(links, 'policies'));
  const io = captureIo(path.join(links, 'policies'));
  assert.equal(await main(['diff', '--base', 'main', '--app', 'main.ts', '--outdir', path.join(other, 'dist')], io), 0, io.text());
  assert.match(io.stderr.join('\n'), /is not what main\.ts compiles to \(synth would add 0, change 1 and remove 0 file\(s\)\)/);
});
