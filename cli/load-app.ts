import * as fs from 'node:fs';
import * as path from 'node:path';
import { appsCreatedByProgram, loadingProgram, PolicyApp } from '../constructs/app';
import { asError, isPolicyError, PolicyError, readSafely, thrown } from '../constructs/errors';
import { projectRootOf } from '../compiler/project-root';
import { forgetFormattedFrames, isLibraryFrame, locationOf, relativeSource } from '../constructs/internal/provenance';
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
  if (fs.statSync(file).isDirectory()) {
    throw new UsageError(`--app ${entry} is a folder: pass the policy file that default-exports the PolicyApp (e.g. ${path.join(entry, 'main.ts')}).`);
  }
  forgetPolicyModules(projectRootOf(file));
  // The command compiles the app itself: an `app.synth()` in the program must not write too.
  return loadingProgram(() => loadDefaultExport(entry, file));
}

function loadDefaultExport(entry: string, file: string): PolicyApp {
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
  if (isThenable(app)) {
    throw new UsageError(
      `${entry} exports an async function (or a Promise): synth is synchronous, so the app must be built without await. Read inputs with fs.readFileSync and default-export the PolicyApp (or a plain function returning it).`,
    );
  }
  if (!PolicyApp.isPolicyApp(app)) {
    throw new UsageError(`${entry} must default-export a PolicyApp (or a function returning one); ${whatItExports(mod)}.`);
  }
  return app;
}

/** What a program exports instead of a default PolicyApp, and the line to add. */
function whatItExports(mod: { default?: unknown }): string {
  if (mod.default !== undefined) return `its default export is ${mod.default === null ? 'null' : typeof mod.default}`;
  const names = typeof mod === 'object' && mod !== null ? Object.keys(mod).filter((k) => k !== '__esModule') : [];
  const named = names.find((k) => PolicyApp.isPolicyApp((mod as Record<string, unknown>)[k]));
  if (named !== undefined) return `it exports the PolicyApp as \`${named}\`, not as its default export: add \`export default ${named}\``;
  if (names.length === 0) return 'it has no default export (it exports nothing): end it with `export default app`';
  return `it has no default export (it exports ${names.map((k) => `\`${k}\``).join(', ')}): end it with \`export default app\``;
}

/**
 * Policy modules loaded before (an earlier synth in the same process, a
 * watcher, a test) would be served from require's cache, stale. Forget them,
 * but keep the library's own modules: their classes must stay the same ones.
 */
function forgetPolicyModules(root: string): void {
  const prefix = root + path.sep;
  const isPolicyModule = (id: string) => id.startsWith(prefix) && !isLibraryFrame(id);
  for (const id of Object.keys(require.cache)) {
    if (isPolicyModule(id)) delete require.cache[id];
  }
  // Also those that threw while loading: Node dropped them from its cache
  // itself, but their lines are still known by position.
  forgetFormattedFrames(isPolicyModule);
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * esbuild's (tsx's) report of a syntax error: `file:line:column: ERROR: what`.
 * It has no stack frame in the policy, so the location is read from it.
 */
const SYNTAX_ERROR = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m;

/**
 * The file a syntax error is in, from the name esbuild gave it: tsx compiles
 * `.mts` and `.cts` files under a `.ts` name and `.mjs` files (and files with
 * no extension, with `.js` added) under a `.js` one. Where both `a.ts` and
 * `a.mts` exist the name cannot tell them apart, and `a.ts` is kept.
 */
function compiledFile(named: string): string {
  if (fs.existsSync(named)) return named;
  const stem = named.slice(0, -3);
  const candidates = named.endsWith('.ts') ? [`${stem}.mts`, `${stem}.cts`] : named.endsWith('.js') ? [`${stem}.mjs`, stem] : [];
  return candidates.find((f) => fs.existsSync(f)) ?? named;
}

// The constructs library's own refusal of a second child with one id (its message, `constructs` 10.x).
const DUPLICATE_ID = /^There is already a Construct with name '(.*)' in (\S+)(?: \[(.*)\])?/;

/**
 * The path of the construct the constructs library names by its class and
 * id only (`in TeamSpace [cart]`) that holds a child `child`, when the
 * program's apps have exactly one: '' for an app itself.
 */
function parentPath(id: string, className: string, child: string): string | undefined {
  const found = new Set<string>();
  for (const app of appsCreatedByProgram()) {
    for (const c of app.node.findAll()) {
      if (c.node.id === id && c.constructor.name === className && c.node.tryFindChild(child)) found.add(c.node.path);
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** Whether the policy line at `at` (`file:line`) calls super(), read from the file (only on this error path). */
function isSuperCall(at: string): boolean {
  const cut = at.lastIndexOf(':');
  try {
    const line = fs.readFileSync(at.slice(0, cut), 'utf8').split('\n')[Number(at.slice(cut + 1)) - 1];
    return line !== undefined && /\bsuper\s*\(/.test(line);
  } catch {
    return false;
  }
}

/** An exception thrown by policy code, reported at the policy line that raised it. */
function policyCrash(e: unknown, file: string): PolicyError {
  const err = asError(e);
  const message = readSafely(() => String(err.message), '');
  const syntax = readSafely(() => err.name === 'TransformError', false) ? SYNTAX_ERROR.exec(message) : null;
  if (syntax) {
    const root = projectRootOf(file);
    return new PolicyError([
      {
        rule: 'policy/exception',
        severity: 'error',
        message: `the policy program does not compile: ${syntax[4]} (column ${syntax[3]})`,
        fix: 'Fix the syntax at the location shown.',
        source: relativeSource(`${compiledFile(syntax[1])}:${syntax[2]}`, root),
      },
    ]);
  }
  // The first frame in policy code: a duplicate id, say, is thrown by constructs/
  // on behalf of the policy line that chose it.
  // A value that is no Error has no stack of its own: the one made for it here would name our frames.
  const frames = (e === err ? readSafely(() => String(err.stack ?? ''), '') : '')
    .split('\n')
    .map((line) => ({ line, loc: locationOf(line) }))
    .filter((f): f is { line: string; loc: NonNullable<ReturnType<typeof locationOf>> } => f.loc !== undefined && !isLibraryFrame(f.loc.file));
  const root = projectRootOf(file);
  const duplicate = DUPLICATE_ID.exec(message);
  if (duplicate) {
    const [, id, className, parentId = ''] = duplicate;
    const parent = parentPath(parentId, className, id);
    // A team's own Construct subclass passing its id on to super(): the line that chose it is the `new` of the class.
    const caller = frames.length > 1 && /^\s*at new /.test(frames[0].line) && isSuperCall(frames[0].loc.at) ? frames[1] : frames[0];
    const shown = parent === undefined ? `${className} '${parentId}'` : parent === '' ? 'the app' : `'${parent}'`;
    return new PolicyError([
      {
        rule: 'construct/duplicate-id',
        severity: 'error',
        message: `${shown} already has a construct with id '${id}': the new one needs an id of its own`,
        fix: 'Give each construct an id that is unique within its scope (the id argument of its constructor, or of the pattern that creates it).',
        ...(parent !== undefined ? { path: parent === '' ? id : `${parent}/${id}` } : {}),
        source: caller ? relativeSource(caller.loc.at, root) : relativeSource(file, root),
      },
    ]);
  }
  const source = frames[0] ? relativeSource(frames[0].loc.at, root) : relativeSource(file, root);
  const t = thrown(err);
  return new PolicyError([
    {
      rule: 'policy/exception',
      severity: 'error',
      message: `the policy program threw ${t.name}: ${t.firstLine}`,
      fix: 'Fix the policy code at the location shown.',
      source,
    },
  ]);
}
