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
import { REPO_ROOT } from '../support/helpers';

interface Step {
  readonly name?: string;
  readonly if?: string;
  readonly run?: string;
  readonly uses?: string;
}

function stepsOf(file: string): Step[] {
  const doc = parse(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'ci', file), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  return Object.values(doc.jobs).flatMap((j) => j.steps);
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
  const comment = steps.find((s) => /gh pr comment/.test(s.run ?? ''));
  // Also after diff failed on policies that do not compile: its markdown then lists the errors.
  assert.equal(comment?.if, `\${{ !cancelled() && ${same} }}`);
  assert.match(comment.run ?? '', /^test -s "\$RUNNER_TEMP\/review\.md" \|\| exit 0\n/, 'an empty review (a usage or git error) is not posted');
  const summary = steps.find((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ''));
  assert.equal(summary?.if, `\${{ !cancelled() && ${same.replace('==', '!=')} }}`);
  const gate = steps.find((s) => /--fail-on-widened/.test(s.run ?? ''));
  assert.ok(gate);
  assert.equal(gate.if, undefined);
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
