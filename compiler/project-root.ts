import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { isLibraryFrame, sourceOf } from '../constructs/internal/provenance';

/** The real path of `p` (symlinks resolved), or `p` itself while it does not exist. */
export function realPath(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

/**
 * The project a policy program belongs to: the nearest folder above it with a
 * package.json. Policy file names in output are relative to it, so output is
 * the same from any working directory. Symlinks are resolved, as Node resolves
 * them for the modules whose stack frames name the policy lines: a checkout
 * reached through a symlink gives the same output as the real one.
 */
export function projectRootOf(file: string): string {
  const real = realPath(path.resolve(file));
  for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(real);
  }
}

/**
 * The program Node was started with: `require.main`, or `process.argv[1]`
 * when there is none (an ES module entry), its symlinks resolved (a command
 * linked into a bin folder). Unless it is a tool's or this library's own file
 * (a test runner, our CLI): those say nothing about the policy project.
 */
function entryModule(): string | undefined {
  const file = require.main ? require.main.filename : process.argv[1];
  if (!file || !path.isAbsolute(file) || !fs.existsSync(file)) return undefined;
  const real = realPath(file);
  return isLibraryFrame(real) ? undefined : real;
}

/**
 * The root for an app compiled without one (`app.synth()` under `cdk8s synth`,
 * a test): the project of the file that created the app, so the output does
 * not depend on the working directory nor on which program ran the synth
 * (the CLI with `--app`, the policy file itself, a script that imports it).
 * Only when that file is outside the project of the program that was run (a
 * linked workspace package, whose real path Node reports) is that project
 * the root. The working directory only when both are unknown.
 */
export function defaultRootOf(app: IConstruct): string {
  const file = sourceOf(app)?.replace(/:\d+$/, '');
  const source = file && path.isAbsolute(file) ? realPath(file) : undefined;
  const entry = entryModule();
  const entryRoot = entry ? projectRootOf(entry) : undefined;
  if (source && (!entryRoot || source.startsWith(entryRoot + path.sep))) return projectRootOf(source);
  return entryRoot ?? realPath(process.cwd());
}
