import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../analysis/finding';

/** The extensions kubectl `apply -R -f DIR` reads; it passes over every other file. */
const MANIFEST_FILE = /\.(?:ya?ml|json)$/;

/**
 * kustomize's own file names with a manifest extension (its third,
 * `Kustomization`, has none and is passed over with other files): a
 * kustomization is no Kubernetes object (`kustomize build` reads it), and
 * the commonest has neither apiVersion nor kind.
 */
const KUSTOMIZATION_FILE = /^kustomization\.ya?ml$/;

export interface ManifestFiles {
  /** The folder the files are relative to. */
  readonly root: string;
  /** Manifest files, relative to `root` with `/` separators, in code-unit order. */
  readonly files: string[];
  /** Files and folders that could not be read. */
  readonly findings: Finding[];
}

/** Names compared by code unit: the order both listings (from disk, from memory) keep. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: fs.Dirent, b: fs.Dirent) => byCodeUnit(a.name, b.name);

/** A file read as manifests: YAML or JSON, but not kustomize's own kustomization file. */
const isManifestFileName = (name: string) => MANIFEST_FILE.test(name) && !KUSTOMIZATION_FILE.test(name);

/** A file-system error as a user reads it: its code and what it means, without the machine path Node puts in its message. */
function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'a symbolic link to nothing (ENOENT)';
    case 'ELOOP':
      return 'a symbolic link loop (ELOOP): the link leads back to itself';
    case 'EACCES':
    case 'EPERM':
      return `not readable by this user (${code})`;
    default:
      return `not readable (${code ?? String((e as Error)?.message ?? e)})`;
  }
}

/** A file or folder in the manifests that cannot be read, named relative to the folder (Node's message holds the machine path). */
export function unreadable(rel: string, e: unknown): Finding {
  return {
    rule: 'manifests/unreadable',
    severity: 'error',
    message: `${rel} is ${describe(e)}`,
    file: rel,
    fix: 'Make it readable, point the link at an existing file, or remove it from the folder.',
  };
}

/**
 * The folder a manifests folder's links must stay in: the git checkout that
 * holds it (the nearest folder above with a `.git`), which is all Argo CD's
 * repo-server clones; the manifests folder itself outside any checkout.
 */
function boundsOf(realDir: string): { root: string; name: string } {
  const checkout = checkoutOf(realDir);
  return checkout !== undefined ? { root: checkout, name: 'the repository' } : { root: realDir, name: 'the manifests folder' };
}

/** The git checkout holding the real folder `realDir` (the nearest folder above with a `.git`), if any. */
function checkoutOf(realDir: string): string | undefined {
  for (let d = realDir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

const leaves = (root: string, p: string) => {
  const rel = path.relative(root, p);
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
};

/**
 * Why the link `name` in the real folder `realParent` leads out of bounds,
 * or undefined. Argo CD's repo-server (CheckOutOfBoundsSymlinks) refuses any
 * absolute link, and any relative one one of whose steps, taken one `/`-part
 * at a time from the link's folder, leaves the checkout; then it generates
 * no manifests from the repository at all. A link that passes but leads
 * through another link outside is refused too: the file read would not be
 * the repository's.
 */
function outOfBounds(realParent: string, name: string, bounds: { root: string; name: string }): string | undefined {
  let text: string;
  try {
    text = fs.readlinkSync(path.join(realParent, name));
  } catch {
    return undefined;
  }
  if (path.isAbsolute(text)) return `a symbolic link to the absolute path ${text}: Argo CD refuses every absolute link, even one into ${bounds.name}`;
  let at = realParent;
  for (const part of text.split('/')) {
    at = path.join(at, part);
    if (leaves(bounds.root, at)) return `a symbolic link to ${text}, outside ${bounds.name}: Argo CD refuses a link that leaves it`;
  }
  let real: string;
  try {
    real = fs.realpathSync(path.join(realParent, name));
  } catch {
    return undefined;
  }
  if (leaves(bounds.root, real)) return `a symbolic link to ${text}, which leads through another link to ${path.relative(bounds.root, real)}, outside ${bounds.name}: Argo CD refuses a link that leaves it`;
  return undefined;
}

/**
 * The symbolic link on the way to `given` (the path itself, or a folder
 * above it) that leads out of the git checkout holding it, and why, or
 * undefined. The --manifests path is what a GitOps tool would sync from
 * the repository, and Argo CD refuses a link out of it as it refuses one
 * inside the folder; a link taken outside any checkout is no one's to refuse.
 */
function givenPathOutOfBounds(given: string): { link: string; why: string } | undefined {
  const logical = path.resolve(given);
  const parts = logical.split(path.sep).filter((p) => p !== '');
  let real = path.parse(logical).root;
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(real, parts[i]);
    try {
      if (!fs.lstatSync(next).isSymbolicLink()) {
        real = next;
        continue;
      }
      const checkout = checkoutOf(real);
      const why = checkout === undefined ? undefined : outOfBounds(real, parts[i], { root: checkout, name: 'the repository' });
      if (why !== undefined) return { link: i === parts.length - 1 ? given : `${path.join(path.parse(logical).root, ...parts.slice(0, i + 1))} (on the way to ${given})`, why };
      real = fs.realpathSync(next);
    } catch {
      // What cannot be reached is reported by the reader that tries.
      return undefined;
    }
  }
  return undefined;
}

/**
 * The manifest files under `dir` (or `dir` itself when it is one file), as
 * kubectl `apply -R` would pick them, minus what no GitOps tool deploys:
 * folders and files whose name starts with a dot (`.git`, `.github`) and
 * kustomize's kustomization files. Symbolic links are followed, each real
 * folder and file read once, so a link loop ends and a linked file is not a
 * duplicate of itself; a link out of the repository (see outOfBounds) is
 * not followed, nor is `dir` itself when it, or a folder on the way to it,
 * is such a link. What cannot be read becomes a finding, never an exception:
 * a pipe or device is not read at all (reading a pipe waits forever).
 */
export function manifestFiles(dir: string): ManifestFiles {
  const findings: Finding[] = [];
  const files: string[] = [];
  const seen = new Set<string>();
  const escape = givenPathOutOfBounds(dir);
  if (escape !== undefined) {
    findings.push({
      rule: 'manifests/unreadable',
      severity: 'error',
      message: `${escape.link} is ${escape.why}, and syncs nothing from the repository; it was not read`,
      fix: 'Point --manifests at the folder a GitOps tool syncs, inside the repository; copy what the link points to into the repository, or point the link at a folder inside it with a relative path (ln -sfn ../rendered LINK).',
    });
    return { root: dir, files, findings };
  }
  const top = fs.statSync(dir);
  if (top.isFile()) {
    return { root: path.dirname(dir), files: [path.basename(dir)], findings };
  }

  // `real` is the folder's real path: a link elsewhere may lead to it, or to a file in it, too.
  const walk = (rel: string, real: string): void => {
    const full = rel ? path.join(dir, rel) : dir;
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(full, { withFileTypes: true }).sort(byName);
    } catch (e) {
      findings.push(unreadable(rel || '.', e));
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      let kind: 'dir' | 'file' | 'other' = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
      let target = path.join(real, entry.name);
      if (entry.isSymbolicLink()) {
        const escape = outOfBounds(real, entry.name, bounds);
        if (escape !== undefined) {
          findings.push({
            rule: 'manifests/unreadable',
            severity: 'error',
            message: `${child} is ${escape}, and syncs nothing from the repository; it was not read`,
            file: child,
            fix: 'Copy what it points to into the repository, or point the link at a file or folder inside it with a relative path (ln -sfn ../shared/x.yaml LINK).',
          });
          continue;
        }
        try {
          const stat = fs.statSync(path.join(full, entry.name));
          kind = stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'other';
          target = fs.realpathSync(path.join(full, entry.name));
        } catch (e) {
          // A dangling or looping link to a folder cannot be told from one to a file: report it only where a file would be read.
          if (MANIFEST_FILE.test(entry.name)) findings.push(unreadable(child, e));
          continue;
        }
      }
      if (seen.has(target)) continue;
      if (kind === 'dir') {
        walk(child, target);
        continue;
      }
      if (!isManifestFileName(entry.name)) continue;
      if (kind === 'other') {
        findings.push({ rule: 'manifests/unreadable', severity: 'error', message: `${child} is not a regular file (a pipe, socket or device): it was not read`, file: child, fix: 'Replace it with a regular file, or remove it from the folder.' });
        continue;
      }
      seen.add(target);
      files.push(child);
    }
  };
  const realDir = fs.realpathSync(dir);
  const bounds = boundsOf(realDir);
  walk('', realDir);
  return { root: dir, files, findings };
}

/** Path segments compared one by one, by code unit: the order of a walk that lists each folder sorted by name. */
function walkOrder(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return byCodeUnit(a[i], b[i]);
  return a.length - b.length;
}

/**
 * The manifest files among the paths of a tree held in memory (`/`
 * separators, no links), as `manifestFiles` lists them from that tree
 * written to a folder: the same files, in the same order.
 */
export function manifestFilesOf(paths: Iterable<string>): string[] {
  const picked: string[][] = [];
  for (const p of paths) {
    const parts = p.split('/');
    const name = parts[parts.length - 1];
    // Hidden files and folders are skipped, as the walk skips them.
    if (parts.some((part) => part.startsWith('.')) || !isManifestFileName(name)) continue;
    picked.push(parts);
  }
  return picked.sort(walkOrder).map((parts) => parts.join('/'));
}
