import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';
import { policyRepo } from './policy-repo';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

/** One waypoint with a Basic-auth rule on /admin for `methods`. */
function policy(methods: string): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
new wp.BasicAuth(ns, 'auth', {
  targets: [waypoint],
  rules: [{ prefix: '/admin', methods: ${methods}, credentials: [wp.Credential.insecureLiteral('ok:test')] }],
  acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
});
export default app;
`;
}

/** Runs `fn` with `vars` in process.env (git's child processes read it), then restores it. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('run by a git hook in a linked worktree (git exports GIT_DIR and GIT_INDEX_FILE), diff reads the base of the output folder, not the whole checkout as one', async () => {
  const repo = await policyRepo(policy("['GET']"), policy("['GET']"), 'wp-hook-');
  const wt = tempDir('wp-hook-wt-');
  execFileSync('git', ['worktree', 'add', '-q', '-b', 'pr', wt, 'main'], { cwd: repo, stdio: 'pipe' });
  execFileSync('cp', [path.join(repo, 'policies', 'main.ts'), path.join(wt, 'policies', 'main.ts')]);
  const gitDir = execFileSync('git', ['rev-parse', '--absolute-git-dir'], { cwd: wt, encoding: 'utf8' }).trim();
  // What git sets for a pre-commit hook there.
  const io = captureIo(wt);
  const code = await withEnv({ GIT_DIR: gitDir, GIT_INDEX_FILE: path.join(gitDir, 'index') }, () => main(['diff', '--base', 'main', '--json', '--fail-on-widened'], io));
  assert.equal(code, 0, io.text());
  const r = JSON.parse(io.stdout.join('\n'));
  assert.deepEqual(r.objects, [], 'the same policy at main and in the worktree: nothing changed');
  assert.deepEqual(r.orphanedTargets, []);
});

test("a checkout git refuses as unsafe (another user's, as in a CI container) is said so, with the safe.directory fix, not as 'not in a git repository'", async () => {
  const repo = await policyRepo(policy("['GET']"), policy("['GET', 'POST']"), 'wp-unsafe-');
  const io = captureIo(repo);
  // git's own switch for this check: the repository reads as another user's.
  const code = await withEnv({ GIT_TEST_ASSUME_DIFFERENT_OWNER: '1' }, () => main(['diff', '--base', 'main'], io));
  assert.equal(code, 2, io.text());
  assert.doesNotMatch(io.text(), /not in a git repository/);
  assert.match(io.text(), /git refuses the repository at .*: it belongs to another user/);
  assert.match(io.text(), /git config --global --add safe\.directory '/);
});

/** `n` namespaces, each with a waypoint, a labelled Service and a Basic-auth rule, under `target`; namespace 0's rule on `firstPrefix`. */
function manyNamespaces(target: string, n: number, firstPrefix: string): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const t = new wp.Target(app, '${target}');
for (let i = 0; i < ${n}; i++) {
  const ns = new wp.MeshNamespace(t, 'team-' + i);
  const waypoint = new wp.Waypoint(ns, 'waypoint');
  ns.useWaypoint(waypoint);
  wp.MeshService.fromServiceName(ns, 'svc', 'svc-' + i, { useWaypoint: waypoint });
  new wp.BasicAuth(ns, 'auth', {
    targets: [waypoint],
    rules: [{ prefix: i === 0 ? '${firstPrefix}' : '/admin-' + i, methods: ['GET'], credentials: [wp.Credential.insecureLiteral('user' + i + ':test')] }],
    acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
  });
}
export default app;
`;
}

test("a target renamed with hundreds of objects: the markdown stays under GitHub's 65,536-character comment limit, widened access first and whole, and says what it left out; text keeps every line", async () => {
  const repo = await policyRepo(manyNamespaces('demo', 150, '/admin-0'), manyNamespaces('prod', 150, '/moved'), 'wp-huge-');
  const run = async (...args: string[]) => {
    const io = captureIo(repo);
    assert.equal(await main(['diff', '--base', 'main', '--max-requests', '50', ...args], io), 0, io.stderr.join('\n'));
    return io.stdout.join('\n');
  };
  const markdown = await run('--format', 'markdown');
  assert.ok(markdown.length < 65_536, `${markdown.length} characters`);
  // The one widened request (namespace 0's rule moved off /admin-0) is kept; the object list is what gets cut.
  assert.match(markdown, /\| \*\*GET \/admin-0 to team-0\/svc-0 \(no credentials\) \[prod\]\*\* \| 401 \| \*\*200\*\* \|/);
  assert.match(markdown, /- … \d+ more changed object\(s\) left out\n\n<\/details>/);
  assert.match(markdown, /\*\*Cut:\*\* \d+ item\(s\) are left out/);
  const text = await run();
  assert.equal(text.match(/^ {2}(added|removed|changed) /gm)?.length, 1200, 'text lists every object');
});

test('a branch behind its base (main tightened a rule after it forked): what main changed reads as undone by the branch, and diff says so, with the merge-base to review its own changes', async () => {
  const repo = await policyRepo(policy("['GET']"), policy("['GET', 'POST']"), 'wp-behind-');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, stdio: 'pipe' });
  assert.equal(await main(['synth'], captureIo(repo)), 0);
  git('commit', '-qam', 'main: POST needs credentials too');
  git('checkout', '-q', '-b', 'feature', 'HEAD~1');
  const io = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'main', '--json'], io), 0, io.text());
  const r = JSON.parse(io.stdout.join('\n'));
  assert.ok(r.effects.access.some((a: any) => a.widened && a.method === 'POST'), 'the branch changes nothing, yet POST reads as widened');
  assert.deepEqual(r.baseAhead, { commits: 1 });
  assert.match(io.stderr.join('\n'), /main has 1 commit\(s\) changing dist\/ that HEAD does not.*--base \$\(git merge-base main HEAD\)/);
  const md = captureIo(repo);
  await main(['diff', '--base', 'main', '--format', 'markdown'], md);
  assert.match(md.stdout.join('\n'), /> \*\*Note:\*\* main has 1 commit\(s\) changing the output that HEAD does not \(this branch is behind it\)/);
  // A base that HEAD contains says nothing.
  const quiet = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'HEAD'], quiet), 0);
  assert.doesNotMatch(quiet.text(), /commit\(s\)/);
});
