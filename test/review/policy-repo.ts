import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { captureIo, tempDir } from '../support/helpers';

/**
 * A policy repository whose `main` branch commits `base` (policies/main.ts)
 * and the dist synth made of it, with `head` in the working tree: what
 * `diff --base main` compares in a pull request.
 */
export async function policyRepo(base: string, head: string, prefix = 'wp-review-'): Promise<string> {
  const repo = tempDir(prefix);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, stdio: 'pipe' });
  fs.writeFileSync(path.join(repo, 'package.json'), '{"name":"policy-repo","private":true}\n');
  fs.mkdirSync(path.join(repo, 'policies'));
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), base);
  const synth = captureIo(repo);
  assert.equal(await main(['synth'], synth), 0, synth.text());
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'base');
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), head);
  return repo;
}

/** `diff --base main` in `repo`, as a pull request's check runs it: exit code, captured output, stdout and stderr as text. */
export async function diffAgainstMain(repo: string, ...args: string[]) {
  const io = captureIo(repo);
  const code = await main(['diff', '--base', 'main', ...args], io);
  return { code, io, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}
