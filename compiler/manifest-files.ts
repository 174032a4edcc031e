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

const byName = (a: fs.Dirent, b: fs.Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

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
 * The manifest files under `dir` (or `dir` itself when it is one file), as
 * kubectl `apply -R` would pick them, minus what no GitOps tool deploys:
 * folders and files whose name starts with a dot (`.git`, `.github`) and
 * kustomize's kustomization files. Symbolic links are followed, each real
 * folder and file read once, so a link loop ends and a linked file is not a
 * duplicate of itself. What cannot be read becomes a finding, never an
 * exception: a pipe or device is not read at all (reading a pipe waits forever).
 */
export function manifestFiles(dir: string): ManifestFiles {
  const findings: Finding[] = [];
  const files: string[] = [];
  const seen = new Set<string>();
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
      if (!MANIFEST_FILE.test(entry.name) || KUSTOMIZATION_FILE.test(entry.name)) continue;
      if (kind === 'other') {
        findings.push({ rule: 'manifests/unreadable', severity: 'error', message: `${child} is not a regular file (a pipe, socket or device): it was not read`, file: child, fix: 'Replace it with a regular file, or remove it from the folder.' });
        continue;
      }
      seen.add(target);
      files.push(child);
    }
  };
  walk('', fs.realpathSync(dir));
  return { root: dir, files, findings };
}
