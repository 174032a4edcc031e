import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { sourceOf } from '../constructs/internal/provenance';

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
 * The root for an app compiled without one (`app.synth()` under `cdk8s synth`,
 * a test): the project of the file that created the app, so the output does not
 * depend on the working directory. The working directory only when that file
 * is unknown.
 */
export function defaultRootOf(app: IConstruct): string {
  const source = sourceOf(app);
  const file = source?.replace(/:\d+$/, '');
  return file && path.isAbsolute(file) ? projectRootOf(file) : realPath(process.cwd());
}
