import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './io';
import { thrown } from '../constructs/errors';

/**
 * Import the modules given with `--plugins` (a team's `definePlugin`
 * definitions), so that commands reading plain manifests know their configs
 * and simulation notes. Each is a file, or a package installed where the
 * command runs (`@acme/platform`), as a plugin package is shipped.
 */
export function loadPlugins(command: string, specs: readonly string[], cwd: string): void {
  for (const spec of specs) {
    const file = path.resolve(cwd, spec);
    let target = fs.existsSync(file) ? file : undefined;
    // './x' and '/x' name files only; anything else may also be a package.
    const asPackage = !spec.startsWith('.') && !path.isAbsolute(spec);
    if (target === undefined && asPackage) {
      try {
        target = require.resolve(spec, { paths: [cwd] });
      } catch {
        // Reported below, with where it was looked for.
      }
    }
    if (target === undefined) throw new UsageError(`${command}: --plugins ${spec} not found (looked for the file ${file}${asPackage ? `, and for a package of that name installed under ${cwd}` : ''}).`);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(target);
    } catch (e) {
      // Read as policy code's exceptions are: a value that cannot be printed, and credential parts, are handled there.
      const t = thrown(e);
      throw new UsageError(`${command}: --plugins ${spec} could not be imported: ${t.name}: ${t.firstLine}`);
    }
  }
}
