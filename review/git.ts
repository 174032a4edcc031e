import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { FileTree } from '../compiler/layout';
import { realPath } from '../compiler/project-root';

export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

/**
 * What git sets for a hook (`GIT_DIR`, `GIT_INDEX_FILE`...) names the
 * repository it runs in, not the one that holds the output folder: with
 * `GIT_DIR` set, git takes the working directory for the top of the work
 * tree, so a diff run by a hook in a linked worktree read the whole checkout
 * as the base's output folder. These are `git rev-parse --local-env-vars`,
 * which git itself drops when it runs in another repository (a submodule),
 * keeping the `-c` settings as it does.
 */
const REPOSITORY_ENV = [
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_CONFIG', 'GIT_OBJECT_DIRECTORY', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_IMPLICIT_WORK_TREE',
  'GIT_GRAFT_FILE', 'GIT_INDEX_FILE', 'GIT_NO_REPLACE_OBJECTS', 'GIT_REPLACE_REF_BASE', 'GIT_PREFIX', 'GIT_INTERNAL_SUPER_PREFIX',
  'GIT_SHALLOW_FILE', 'GIT_COMMON_DIR',
];

function gitEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of REPOSITORY_ENV) delete env[name];
  return env;
}

function git(cwd: string, args: string[], input?: string): string {
  try {
    return execFileSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
    throw new GitError(`git ${args[0]} failed: ${stderr || (e as Error).message}`);
  }
}

/** The top of the git work tree holding `dir`, its links resolved, or undefined outside any. */
export function workTreeTop(dir: string): string | undefined {
  try {
    return realPath(git(dir, ['rev-parse', '--show-toplevel']).trim());
  } catch {
    return undefined;
  }
}

/** The names of the repository's remotes (none when they cannot be read). */
function remotesOf(repoDir: string): string[] {
  try {
    return git(repoDir, ['remote']).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The files under `dir` that git ignores (a `.DS_Store`, an editor's swap
 * file), relative to `dir` and '/'-separated: never committed, so never
 * deployed. Empty outside a repository.
 */
export function ignoredFiles(dir: string): Set<string> {
  try {
    return new Set(git(dir, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--', '.']).split('\0').filter(Boolean));
  } catch {
    return new Set();
  }
}

/**
 * Why git cannot read the repository, from its refusal: not every refusal
 * means there is none. In a CI container job the checkout belongs to the
 * runner's user and git runs as another, so it refuses the repository as
 * unsafe; "not in a git repository" sent users looking for a missing clone.
 */
function unreadableRepository(reason: string): string {
  const unsafe = /dubious ownership in repository at '(.*)'/.exec(reason);
  if (unsafe) {
    return (
      `git refuses the repository at ${unsafe[1]}: it belongs to another user than the one running diff (a CI job in a container, whose workspace another user checked out). ` +
      `Mark it safe first: git config --global --add safe.directory '${unsafe[1]}'`
    );
  }
  if (/ENOENT/.test(reason)) return 'git is not installed here (or not on PATH): diff reads the base revision with it';
  if (/not a git repository/i.test(reason)) return 'this folder is not in a git repository: diff compares the policies with what a commit holds (run it in the checkout)';
  return `git cannot read the repository (${reason}): diff compares the policies with what a commit holds (run it in the checkout)`;
}

/**
 * The files of `dir` (relative to the repository root) as committed at `ref`:
 * the base side of a PR diff is what the base revision committed, so the
 * diff never depends on running the base revision's code.
 */
export function treeAtRevision(repoDir: string, ref: string, dir: string): FileTree {
  try {
    git(repoDir, ['rev-parse', '--git-dir']);
  } catch (e) {
    throw new GitError(unreadableRepository((e as Error).message));
  }
  let commit: string;
  try {
    commit = git(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim();
  } catch {
    // `--quiet` leaves git with nothing to say: say it here, with the fetch that brings it. A plain
    // `git fetch origin main` in a single-branch (shallow) clone updates FETCH_HEAD only, not origin/main.
    // Only for <remote>/<branch> (not a local branch with a slash, refs/heads/x, or origin/main~1).
    const remote = /^([\w.-]+)\/([\w.-]+(?:\/[\w.-]+)*)$/.exec(ref);
    // A full commit id (github.event.pull_request.base.sha) is fetched by id, which GitHub and GitLab allow.
    const remotes = remote || /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(ref) ? remotesOf(repoDir) : [];
    const fetch = remote && !remote[2].includes('..') && remotes.includes(remote[1])
      ? `: git fetch --no-tags --depth=1 ${remote[1]} ${remote[2]}:refs/remotes/${remote[1]}/${remote[2]}, or check out with fetch-depth: 0`
      : !remote && remotes.includes('origin')
        ? `: git fetch --no-tags --depth=1 origin ${ref}, or check out with fetch-depth: 0`
        : '';
    throw new GitError(`there is no commit ${JSON.stringify(ref)} in this repository (in CI, fetch it first${fetch}; a shallow checkout has only the head)`);
  }
  const prefix = git(repoDir, ['rev-parse', '--show-prefix']).trim();
  // git resolves `..` in a pathspec but reports paths from the top: slice by the resolved form.
  const resolved = path.posix.normalize(`${prefix}${dir.split(path.sep).join('/')}`).replace(/\/+$/, '');
  if (resolved === '..' || resolved.startsWith('../') || path.posix.isAbsolute(resolved)) {
    throw new GitError(`${dir} is outside the repository at ${repoDir}`);
  }
  const base = resolved === '.' ? '' : `${resolved}/`;
  const listing = git(repoDir, ['ls-tree', '-r', '-z', '--full-tree', commit, ...(base ? ['--', base] : [])]);
  const blobs: { file: string; sha: string }[] = [];
  for (const entry of listing.split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [, type, sha] = entry.slice(0, tab).split(' ');
    if (type === 'blob') blobs.push({ file: entry.slice(tab + 1).slice(base.length), sha });
  }
  const tree: FileTree = new Map();
  if (blobs.length === 0) return tree;
  // One `cat-file --batch` for every blob: a process per file is too slow for big meshes.
  const out = Buffer.from(git(repoDir, ['cat-file', '--batch'], blobs.map((b) => b.sha).join('\n') + '\n'), 'utf8');
  let at = 0;
  for (const b of blobs) {
    const eol = out.indexOf(10, at);
    const size = Number(out.subarray(at, eol).toString('utf8').split(' ')[2]);
    tree.set(b.file, out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1;
  }
  return new Map([...tree.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * How many commits `ref` has that HEAD does not, among those that change
 * `dir` (relative to `repoDir`): a branch behind its base. The base side is
 * `ref`'s output folder, so what those commits changed reads as undone by
 * the change under review, though merging keeps it. Undefined when git
 * cannot tell: in a shallow clone the history that joins them is missing,
 * and every base would look ahead.
 */
export function commitsAheadOfHead(repoDir: string, ref: string, dir: string): number | undefined {
  try {
    if (git(repoDir, ['rev-parse', '--is-shallow-repository']).trim() !== 'false') return undefined;
    return Number(git(repoDir, ['rev-list', '--count', `HEAD..${ref}^{commit}`, '--', dir.split(path.sep).join('/')]).trim());
  } catch {
    return undefined;
  }
}
