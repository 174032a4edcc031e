import * as fs from 'node:fs';
import * as path from 'node:path';
import { PolicyApp } from '../constructs/app';
import { isPolicyError, PolicyError } from '../constructs/errors';
import { projectRootOf, realPath } from '../compiler/project-root';
import { UsageError } from './io';

export { projectRootOf };

/** The policy program compiled when no `--app` is given. */
export const DEFAULT_APP = 'policies/main.ts';

/**
 * Load a policy program: a module whose default export is a PolicyApp, or a
 * function returning one. A mistake in the policy surfaces as a PolicyError;
 * any other exception is rewrapped with the policy location, never a raw stack.
 */
export function loadApp(entry: string, cwd: string): PolicyApp {
  const file = path.resolve(cwd, entry);
  if (!fs.existsSync(file)) {
    throw new UsageError(`policy program ${entry} not found (looked for ${file}). Pass --app <file>.`);
  }
  forgetPolicyModules(projectRootOf(file));
  let mod: { default?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file);
  } catch (e) {
    if (isPolicyError(e)) throw e;
    throw policyCrash(e, file);
  }
  let app: unknown = mod.default ?? mod;
  if (typeof app === 'function' && !PolicyApp.isPolicyApp(app)) {
    try {
      app = (app as () => unknown)();
    } catch (e) {
      if (isPolicyError(e)) throw e;
      throw policyCrash(e, file);
    }
  }
  if (!PolicyApp.isPolicyApp(app)) {
    throw new UsageError(`${entry} must default-export a PolicyApp (or a function returning one); it exports ${typeof app}.`);
  }
  return app;
}

const LIBRARY_ROOT = path.resolve(__dirname, '..');
const LIBRARY_DIRS = ['constructs', 'compiler', 'analysis', 'simulator', 'cli', 'review'].map((d) => path.join(LIBRARY_ROOT, d) + path.sep);

/**
 * Policy modules loaded before (an earlier synth in the same process, a
 * watcher, a test) would be served from require's cache, stale. Forget them,
 * but keep the library's own modules: their classes must stay the same ones.
 */
function forgetPolicyModules(root: string): void {
  const prefix = root + path.sep;
  for (const id of Object.keys(require.cache)) {
    if (!id.startsWith(prefix) || id.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (LIBRARY_DIRS.some((d) => id.startsWith(d))) continue;
    delete require.cache[id];
  }
}

const realPathOf = (file: string) => realPath(file.startsWith('file://') ? new URL(file).pathname : file);

/** An exception thrown by policy code, reported at the policy line that raised it. */
function policyCrash(e: unknown, file: string): PolicyError {
  const err = e instanceof Error ? e : new Error(String(e));
  const frame = (err.stack ?? '')
    .split('\n')
    .map((l) => /\(?([^()\s]+):(\d+):\d+\)?$/.exec(l.trim()))
    // The first frame in policy code: not Node's, a dependency's, or this library's
    // (a duplicate id is thrown by constructs/ on behalf of the policy line that chose it).
    .find((m) => m && !m[1].includes('node_modules') && !m[1].startsWith('node:') && !LIBRARY_DIRS.some((d) => realPathOf(m[1]).startsWith(d)));
  const root = projectRootOf(file);
  const source = frame ? `${path.relative(root, frame[1]).split(path.sep).join('/')}:${frame[2]}` : path.relative(root, file);
  return new PolicyError([
    {
      rule: 'policy/exception',
      severity: 'error',
      message: `the policy program threw ${err.name}: ${err.message}`,
      fix: /There is already a Construct with name/.test(err.message)
        ? 'Give each construct a unique id within its scope (the id argument of its constructor).'
        : 'Fix the policy code at the location shown.',
      source,
    },
  ]);
}
