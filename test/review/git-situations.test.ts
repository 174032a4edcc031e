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
