import { readManifests, ReadManifestsOptions } from '../compiler/read-manifests';
import { analyze } from './analyze';
import { Finding, sortFindings } from './finding';

export interface ManifestCheck {
  /** Every finding, errors first. */
  readonly findings: Finding[];
  /** How many Kubernetes objects were read. */
  readonly objects: number;
}

/**
 * Run the manifest-level checks of `validate --manifests` on a directory of
 * YAML (ours, or written by hand). A WasmPlugin's `pluginConfig` is checked
 * against the definition of its module: the catalogue's, and every
 * `definePlugin` this process has imported, so import your plugin package
 * before calling it.
 */
export function checkManifests(dir: string, options: ReadManifestsOptions = {}): ManifestCheck {
  const read = readManifests(dir, options);
  return { findings: sortFindings([...read.findings, ...analyze(read.model)]), objects: read.model.objects.length };
}
