import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../analysis/finding';
import type { DeliveryConfig } from '../../constructs/delivery';

/**
 * The delivery manifests point Argo CD and Flux at `delivery.path` in git.
 * When synth writes somewhere else, they deploy whatever that folder holds
 * (an old output, or nothing), not this one: say so. The `--outdir` the fix
 * suggests is relative to `cwd`, where the command that reads it runs (not
 * always the repository root: a policy project in a subfolder).
 */
export function deliveryPathFindings(delivery: DeliveryConfig | undefined, outdir: string, fallbackRoot: string, source?: string, cwd = process.cwd()): Finding[] {
  if (!delivery) return [];
  const abs = path.resolve(cwd, outdir);
  const root = repositoryRootOf(abs) ?? fallbackRoot;
  const written = path.relative(root, abs).split(path.sep).join('/') || '.';
  // Outside the repository (`cdk8s synth --stdout` writes to a temp folder): nothing there is deployed, so nothing to compare.
  if (written === '..' || written.startsWith('../') || path.isAbsolute(written)) return [];
  const declared = delivery.path.replace(/^\.\//, '').replace(/\/+$/, '') || '.';
  if (written === declared) return [];
  const flag = path.relative(cwd, path.join(root, declared)).split(path.sep).join('/') || '.';
  return [
    {
      rule: 'delivery/path-mismatch',
      severity: 'warning',
      message: `delivery path '${declared}' is not where synth writes ('${written}', relative to the repository root): Argo CD and Flux would deploy what '${declared}' holds in git, not this output`,
      fix: `Set delivery: { path: '${written}' } in the PolicyApp, or synth into ${declared} (--outdir ${flag}).`,
      source,
    },
  ];
}

/** The nearest folder at or above `dir`'s parent that holds `.git` (a checkout, or a worktree's `.git` file). */
function repositoryRootOf(dir: string): string | undefined {
  for (let cur = path.dirname(dir); ; cur = path.dirname(cur)) {
    if (fs.existsSync(path.join(cur, '.git'))) return cur;
    if (path.dirname(cur) === cur) return undefined;
  }
}
