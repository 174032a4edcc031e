import * as path from 'node:path';
import { manifestsPathProblem } from '../compiler/read-manifests';
import { UsageError } from './io';

/**
 * The folder (or file) `--manifests` names, resolved against the working
 * directory. One that does not exist, or is neither a folder nor a file, is
 * a mistake in the command line (exit 2), the same for every command that
 * reads manifests: CI must not read it as findings in the manifests.
 * `given` is the flag's value, undefined when the command reads its default.
 */
export function manifestsPath(command: string, given: string | undefined, fallback: string, cwd: string): string {
  const shown = given ?? fallback;
  const dir = path.resolve(cwd, shown);
  const problem = manifestsPathProblem(dir);
  if (problem) {
    // Only the default folder is one synth writes: a folder passed by hand is fixed by passing another.
    const synthFirst = given === undefined ? `Run 'waypoint-policy synth' first, or pass` : 'Pass';
    throw new UsageError(`${command}: --manifests ${JSON.stringify(shown)} ${problem}. ${synthFirst} --manifests a folder of YAML or JSON manifests, or one such file.`);
  }
  return dir;
}
