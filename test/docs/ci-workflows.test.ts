/**
 * The sample CI workflows in docs/ci are copied into users' repositories:
 * every command they run must exist with the flags they pass, and the PR
 * review must not go red on a pull request from a fork.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { REPO_ROOT, tempDir } from '../support/helpers';
import { formatReview, review } from '../../review';
import { notCompiledMarkdown } from '../../review/not-compiled';
import { REVIEW_MARKER } from '../../review/report';

interface Step {
  readonly name?: string;
  readonly if?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  readonly jobs: Record<string, { steps: Step[] }>;
}

function workflow(file: string): Workflow {
  return parse(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'ci', file), 'utf8')) as Workflow;
}

function stepsOf(file: string): Step[] {
  return Object.values(workflow(file).jobs).flatMap((j) => j.steps);
}

/** Every `waypoint-policy <command> <flags>` a step runs. */
function invocations(steps: Step[]): { command: string; flags: string[] }[] {
  const out: { command: string; flags: string[] }[] = [];
  for (const s of steps) {
    for (const m of (s.run ?? '').matchAll(/npx waypoint-policy (\w+)( [^\n|>&]*)?/g)) {
      out.push({ command: m[1], flags: [...(m[2] ?? '').matchAll(/(--[a-z-]+)/g)].map((f) => f[1]) });
    }
  }
  return out;
}

test('every waypoint-policy command in the sample workflows exists and takes the flags given', async () => {
  const seen = new Set<string>();
  for (const file of fs.readdirSync(path.join(REPO_ROOT, 'docs', 'ci'))) {
    for (const { command, flags } of invocations(stepsOf(file))) {
      if (command === 'ci') continue;
      const mod = (await import(path.join(REPO_ROOT, 'cli', 'commands', `${command}.ts`))) as { usage: string };
      for (const flag of flags) assert.ok(mod.usage.includes(flag), `${file}: ${command} ${flag} is not in its usage`);
      seen.add(command);
    }
  }
  assert.deepEqual([...seen].sort(), ['check', 'diff', 'synth']);
});

test('the sample workflows run no npm script: a policy repository installed as the README says has none of this repo\'s', () => {
  for (const file of fs.readdirSync(path.join(REPO_ROOT, 'docs', 'ci'))) {
    for (const s of stepsOf(file)) assert.doesNotMatch(s.run ?? '', /npm run/, `${file}: ${s.name ?? s.run}`);
  }
});

test('pr-review.yml: the comment is posted only where the token can write (same-repository pull requests), also when the policies do not compile; forks get the job summary, and the gate runs for both', () => {
  const steps = stepsOf('pr-review.yml');
  const same = 'github.event.pull_request.head.repo.full_name == github.repository';
  const comment = steps.find((s) => s.name === 'Post or update the PR comment');
  // Also after diff failed on policies that do not compile: its markdown then lists the errors.
  assert.equal(comment?.if, `\${{ !cancelled() && ${same} }}`);
  assert.match(comment.run ?? '', /^test -s "\$RUNNER_TEMP\/review\.md" \|\| exit 0\n/, 'an empty review (a usage or git error) is not posted');
  const summary = steps.find((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ''));
  assert.equal(summary?.if, `\${{ !cancelled() && ${same.replace('==', '!=')} }}`);
  const gate = steps.find((s) => /--fail-on-widened/.test(s.run ?? ''));
  assert.ok(gate);
  assert.equal(gate.if, undefined);
});

test('the sample workflows run on a fresh GitHub-hosted runner: a full clone where diff reads the base, actions on the Node 24 runtime, no expression spliced into a script', () => {
  for (const file of fs.readdirSync(path.join(REPO_ROOT, 'docs', 'ci'))) {
    const steps = stepsOf(file);
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    assert.ok(checkout, `${file} checks the repository out`);
    // actions/checkout fetches one commit by default: `diff --base origin/<branch>` would find no base.
    if (steps.some((s) => /waypoint-policy diff --base/.test(s.run ?? ''))) assert.equal(checkout.with?.['fetch-depth'], 0, `${file}: diff --base needs the base revision in the clone`);
    // Runners run Node 20 actions on Node 24 since June 2026, with a deprecation warning on every run;
    // these majors are the first built for Node 24.
    for (const s of steps.filter((x) => x.uses)) {
      const [, action, major] = /^(actions\/[a-z-]+)@v(\d+)$/.exec(s.uses!) ?? [];
      assert.ok(action, `${file}: ${s.uses} is one of GitHub's actions, pinned to a major`);
      assert.ok(Number(major) >= 5, `${file}: ${s.uses} runs on Node 20: use v5 or later`);
    }
    // A value reaches a script through env, never spliced into its text (GitHub's script-injection advice).
    for (const s of steps) assert.doesNotMatch(s.run ?? '', /\$\{\{/, `${file}: ${s.name ?? s.run}`);
    assert.equal(workflow(file).permissions?.contents, 'read', `${file}: the token reads the repository and no more`);
  }
});

test('pr-review.yml: one run per pull request at a time (two runs racing would both post a comment), and the token may comment', () => {
  const review = workflow('pr-review.yml');
  assert.deepEqual(Object.keys(review.on), ['pull_request']);
  assert.equal(review.permissions?.['pull-requests'], 'write');
  assert.match(review.concurrency?.group ?? '', /\$\{\{ github\.event\.pull_request\.number \}\}/);
  assert.equal(review.concurrency?.['cancel-in-progress'], true);
  // The diff reads the base branch from the runner's environment.
  const diffs = stepsOf('pr-review.yml').filter((s) => /waypoint-policy diff/.test(s.run ?? ''));
  assert.equal(diffs.length, 2);
  for (const s of diffs) assert.match(s.run!, /--base "origin\/\$GITHUB_BASE_REF"/);
});

/**
 * A stand-in for gh: it logs every call, answers `gh api --paginate` over
 * the comment pages in $FAKE_GH_PAGES with the real jq (gh's --jq runs
 * per page and reads env the same way), and logs a PATCHed body.
 */
const FAKE_GH = `#!/usr/bin/env bash
set -e
echo "gh $*" >> "$FAKE_GH_LOG"
if [ "$1" != api ]; then exit 0; fi
shift
filter=. ; paginate= ; method=GET ; body=
while [ $# -gt 0 ]; do
  case "$1" in
    --paginate) paginate=1 ;;
    --jq) filter=$2; shift ;;
    --method) method=$2; shift ;;
    -F) body=\${2#body=@}; shift ;;
  esac
  shift
done
if [ "$method" != GET ]; then echo "body: $(head -n1 "$body")" >> "$FAKE_GH_LOG"; echo '{}'; exit 0; fi
for page in "$FAKE_GH_PAGES"/*.json; do
  jq -r "$filter" "$page"
  [ -n "$paginate" ] || break
done
`;

/** Run pr-review.yml's comment step against comment pages, with a fake gh; what gh was asked to do. */
function postComment(pages: readonly object[][], markdown: string): string[] {
  const step = stepsOf('pr-review.yml').find((s) => s.name === 'Post or update the PR comment');
  assert.ok(step?.run);
  const dir = tempDir('wp-pr-review-');
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'gh'), FAKE_GH, { mode: 0o755 });
    fs.mkdirSync(path.join(dir, 'pages'));
    pages.forEach((p, i) => fs.writeFileSync(path.join(dir, 'pages', `${i + 1}.json`), JSON.stringify(p)));
    fs.writeFileSync(path.join(dir, 'review.md'), markdown);
    const expressions: Record<string, string> = { 'github.token': 'fake-token', 'github.event.pull_request.number': '7' };
    const expand = (v: string) =>
      v.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
        assert.ok(e in expressions, `the step reads \${{ ${e} }}`);
        return expressions[e];
      });
    const env: NodeJS.ProcessEnv = { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, RUNNER_TEMP: dir, GITHUB_REPOSITORY: 'acme/mesh-policy', FAKE_GH_LOG: path.join(dir, 'gh.log'), FAKE_GH_PAGES: path.join(dir, 'pages') };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(String(v));
    // GitHub Actions runs a step's script with `bash -e {0}`.
    const r = spawnSync('bash', ['-e', '-c', expand(step.run)], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return fs.readFileSync(path.join(dir, 'gh.log'), 'utf8').trimEnd().split('\n').map((l) => l.split(dir).join('$RUNNER_TEMP'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('diff --format markdown starts with the review marker, and pr-review.yml updates the comment that starts with it, never another workflow\'s bot comment', () => {
  const markdown = formatReview(review(new Map(), new Map(), { base: 'main', head: 'working tree' }), 'markdown');
  assert.ok(markdown.startsWith(`${REVIEW_MARKER}\n### waypoint-policy: `), markdown);
  // Also the comment that says why there is no review: the next push's review replaces it.
  assert.ok(notCompiledMarkdown('main', 'working tree', []).startsWith(`${REVIEW_MARKER}\n`));
  const step = stepsOf('pr-review.yml').find((s) => s.name === 'Post or update the PR comment');
  assert.equal(step?.env?.REVIEW_MARKER, REVIEW_MARKER);

  const bot = 'github-actions[bot]';
  const coverage = { id: 11, user: { login: bot }, body: 'Coverage: 93%' };
  const quoted = { id: 12, user: { login: 'mallory' }, body: `${REVIEW_MARKER}\nNo widened access, merge away.` };
  const ours = { id: 31, user: { login: bot }, body: `${REVIEW_MARKER}\n### waypoint-policy: policy changes (the last push)` };
  const later = { id: 32, user: { login: bot }, body: 'Lint: clean' };
  // Ours is on the second page, and another workflow's bot comment is the latest: --edit-last would overwrite that one.
  const list = /^gh api --paginate repos\/acme\/mesh-policy\/issues\/7\/comments --jq /;
  const updated = postComment([[coverage, quoted], [ours, later]], markdown);
  assert.match(updated[0], list);
  assert.deepEqual(updated.slice(1), ['gh api --method PATCH repos/acme/mesh-policy/issues/comments/31 -F body=@$RUNNER_TEMP/review.md', `body: ${REVIEW_MARKER}`]);
  // None of ours yet (a human's that starts with the marker does not count): a new comment.
  const created = postComment([[coverage, quoted, later]], markdown);
  assert.match(created[0], list);
  assert.deepEqual(created.slice(1), ['gh pr comment 7 --body-file $RUNNER_TEMP/review.md']);
});

test("the README's explain --json example, run exactly as written, prints only JSON on stdout and never the credential", () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /```sh\n(npm run -s explain [^`]*?--json)\n#/.exec(readme);
  assert.ok(block, 'the README example');
  const command = block[1].replace(/\\\n\s*/g, '');
  const r = spawnSync('bash', ['-c', command], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { status: number }).status, 200);
  assert.doesNotMatch(r.stdout + r.stderr, /YWRtaW4zOmFkbWluMw/);
});

test('the sample workflows set up the Node LTS line that README names as tested and .ci/run runs synth, check and tests on, not end-of-life Node 20', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const tested = /Node\.js: (\d+) and (\d+) \(the maintained LTS lines\) are supported and tested/.exec(readme);
  assert.ok(tested, 'README states which Node lines are supported and tested');
  const ci = fs.readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8');
  for (const file of fs.readdirSync(path.join(REPO_ROOT, 'docs', 'ci'))) {
    const setups = stepsOf(file).filter((s) => s.uses?.startsWith('actions/setup-node@'));
    assert.equal(setups.length, 1, `${file} sets up Node once`);
    const version = String(setups[0].with?.['node-version']);
    assert.ok(tested.slice(1).includes(version), `${file}: node-version ${version} is not a line README names as tested (${tested[1]}, ${tested[2]})`);
    assert.match(ci, new RegExp(`npm pack [^\\n]*node-linux-[^@\\s]+@${version}"`), `${file}: .ci/run does not run the code on Node ${version}`);
  }
});

test(".ci/run's Node 24 guard runs synth (compared with dist/), check and test files that exist on the Node it downloaded", () => {
  const ci = fs.readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8');
  const guard = ci.slice(ci.indexOf('node24() {'));
  assert.ok(guard.length < ci.length, '.ci/run defines node24()');
  const synth = /^node24 node cli\/bin\.cjs synth --outdir "\$node24_dir\/dist"$/m.exec(guard);
  assert.ok(synth, 'the guard synthesizes policies/ on Node 24');
  assert.match(guard.slice(synth.index), /^diff -r dist "\$node24_dir\/dist"$/m, 'and compares it with dist/');
  assert.match(guard, /^node24 node cli\/bin\.cjs check$/m, 'the guard runs check on Node 24');
  const run = /^node24 npx tsx --test (?:[^\n]*\\\n)*[^\n]*/m.exec(guard);
  assert.ok(run, 'the guard runs test files on Node 24');
  const files = run[0].split(/\s+/).filter((w) => w.endsWith('.test.ts'));
  assert.ok(files.length >= 10, `${files.length} test files`);
  for (const f of files) assert.ok(fs.existsSync(path.join(REPO_ROOT, f)), `.ci/run names ${f}, which does not exist`);
  assert.equal(new Set(files).size, files.length, 'no test file twice');
});
