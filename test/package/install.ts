/**
 * Install the repo as the `waypoint-policy` package of an external project in
 * a temp directory, the two ways a consumer gets it:
 *
 * - `link`: node_modules/waypoint-policy is a symlink to the repo, as
 *   `npm install <path>` or `npm link` make it;
 * - `packed`: node_modules/waypoint-policy holds a copy of exactly the files
 *   `npm pack` would publish (package.json "files"), with the library's
 *   runtime dependencies and peer dependencies (cdk8s, constructs: one copy
 *   for the library, cdk8s-plus-33 and the project) linked beside it, as
 *   after installing a tarball.
 *
 * Nothing is written in the repo.
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, tempDir } from '../support/helpers';

export const FIXTURE = path.join(REPO_ROOT, 'test', 'package', 'fixture');
const TSX_CLI = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

export type InstallMode = 'link' | 'packed';

/** The files `npm pack` would put in the package, relative to the repo. */
export function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
}

/** Copy `src` (a folder of the repo) into a new temp project and install the library in it. */
export function installProject(mode: InstallMode, src = FIXTURE): string {
  const project = path.join(tempDir('wp-pkg-'), 'project');
  fs.cpSync(src, project, { recursive: true, filter: (f) => !f.includes(`${path.sep}node_modules`) });
  // The fixture's sources opt out of the repo's type check (which cannot
  // resolve the package name); in their own project they are checked.
  for (const file of fs.readdirSync(path.join(project, 'src'))) {
    const full = path.join(project, 'src', file);
    fs.writeFileSync(full, fs.readFileSync(full, 'utf8').replace(/^\/\/ @ts-nocheck\b.*\n/, ''));
  }
  const modules = path.join(project, 'node_modules');
  fs.mkdirSync(path.join(modules, '@types'), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', '@types', 'node'), path.join(modules, '@types', 'node'), 'dir');
  const target = path.join(modules, 'waypoint-policy');
  if (mode === 'link') {
    fs.symlinkSync(REPO_ROOT, target, 'dir');
    return project;
  }
  for (const file of packedFiles()) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, file), path.join(target, file));
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
  for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]) {
    const link = path.join(modules, dep);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', dep), link, 'dir');
  }
  return project;
}

/** Run a TypeScript file of the project with tsx, as its users would. */
export function runTs(project: string, file: string, args: string[] = [], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [TSX_CLI, path.join(project, file), ...args], {
    cwd: options.cwd ?? project,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** Type-check the project with its own tsconfig. */
export function typecheck(project: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [TSC, '-p', path.join(project, 'tsconfig.json')], { cwd: project, encoding: 'utf8', timeout: 300_000 });
}

/**
 * A packed install whose only source imports the three entry points,
 * type-checked with `tsconfig` (its `include` and options as given): how a
 * consumer's compiler options are tried against the library's sources.
 */
export function typecheckEntryPoints(tsconfig: object): SpawnSyncReturns<string> {
  const project = installProject('packed');
  fs.rmSync(path.join(project, 'src'), { recursive: true });
  fs.mkdirSync(path.join(project, 'src'));
  fs.writeFileSync(
    path.join(project, 'src', 'entries.ts'),
    `import { PolicyApp } from 'waypoint-policy';
import { simulate } from 'waypoint-policy/simulator';
import { expectRequest } from 'waypoint-policy/testing';
export const used: unknown[] = [PolicyApp, simulate, expectRequest];
`,
  );
  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
  return typecheck(project);
}
