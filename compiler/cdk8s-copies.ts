import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { LIBRARY_COPY, npmPlacement } from '../constructs/internal/copies';

/**
 * A project with its own cdk8s outside our range gets a second copy: npm
 * nests ours, and cdk8s-plus-33 (whose cdk8s is a peer) takes the project's.
 * An ApiObject of the other copy is rendered with our app's resolvers, which
 * do not recognise its Lazy values (`instanceof`): cdk8s then fails with
 * "can't render non-simple object of type 'Lazy'", which names neither copy.
 */

interface Cdk8sCopy {
  readonly dir: string;
  readonly version: string | undefined;
}

/** The cdk8s that defines `apiObjectClass`: the loaded module exporting it, then its package folder. */
function copyDefining(apiObjectClass: unknown): Cdk8sCopy | undefined {
  for (const m of Object.values(require.cache)) {
    if ((m?.exports as { ApiObject?: unknown } | undefined)?.ApiObject !== apiObjectClass) continue;
    for (let dir = path.dirname(m!.filename); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      const pkg = readPackage(dir);
      if (pkg) return pkg.name === 'cdk8s' ? { dir, version: pkg.version } : undefined;
    }
  }
  return undefined;
}

function readPackage(dir: string): { name?: string; version?: string; peerDependencies?: Record<string, string> } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The ApiObject class of another copy of cdk8s that `o` is built on, or
 * undefined when `o` is ours (or not an ApiObject). cdk8s's `instanceof
 * ApiObject` is true across copies (a global symbol), so the prototype
 * chain is read instead.
 */
function foreignApiObjectClass(o: object): Function | undefined {
  let foreign: Function | undefined;
  for (let proto = Object.getPrototypeOf(o); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (proto === ApiObject.prototype) return undefined;
    const ctor = (proto as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function' && ctor.name === 'ApiObject') foreign = ctor;
  }
  return foreign;
}

/** A cdk8s copy as `npm ls` places it, with its version. */
function describe(copy: Cdk8sCopy | undefined): string {
  if (!copy) return 'another copy';
  return `${npmPlacement(copy.dir) ?? 'cdk8s'}${copy.version ? ` ${copy.version}` : ''}`;
}

/** The ApiObject class of another copy of cdk8s this program has loaded, if any. */
function otherLoadedApiObjectClass(): Function | undefined {
  for (const m of Object.values(require.cache)) {
    const c = (m?.exports as { ApiObject?: unknown } | undefined)?.ApiObject;
    if (typeof c === 'function' && c !== ApiObject && c.name === 'ApiObject') return c;
  }
  return undefined;
}

/**
 * The message and fix for `o`, an ApiObject that failed to render with
 * `error`, when another copy of cdk8s is the cause: `o` was built with it,
 * or holds a value of it that ours cannot render (a Lazy); undefined
 * otherwise (the failure is then the construct's own).
 */
export function otherCdk8sCopy(o: object, error: string): { message: string; fix: string } | undefined {
  let theirs = foreignApiObjectClass(o);
  const built = theirs !== undefined;
  if (!theirs && /can't render non-simple object/.test(error)) theirs = otherLoadedApiObjectClass();
  if (!theirs) return undefined;
  const copies = `another copy of cdk8s (${describe(copyDefining(theirs))}) than the one waypoint-policy renders manifests with (${describe(copyDefining(ApiObject))})`;
  const range = readPackage(LIBRARY_COPY)?.peerDependencies?.cdk8s;
  return {
    message: built
      ? `this manifest was built with ${copies}: a value one copy defers (a Lazy, as cdk8s-plus uses for a Service's ports and selector) is not recognised by the other, so it cannot be rendered`
      : `this manifest holds a value (a Lazy) made with ${copies}, which does not recognise it, so it cannot be rendered`,
    fix: `Install one copy of cdk8s: give your project's cdk8s a version in waypoint-policy's range${range ? ` (npm install cdk8s@${range})` : ''}, so that npm hoists one copy for waypoint-policy, cdk8s-plus-33 and your code (npm ls cdk8s lists the copies); import Duration and JsonPatch from 'waypoint-policy'.`,
  };
}
