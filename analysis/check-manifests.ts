import { readManifests, ReadManifestsOptions } from '../compiler/read-manifests';
import { moduleId, pluginDefinitionFor } from '../constructs/define-plugin';
import { analyze } from './analyze';
import { Finding, sortFindings } from './finding';

export interface CheckManifestsOptions extends ReadManifestsOptions {
  /**
   * The folder as messages name it: what the user typed, so the message can
   * be pasted back (`../infra/rendered`, not `rendered`).
   *
   * @default - `dir` as given
   */
  readonly shownAs?: string;
}

export interface ManifestCheck {
  /** Every finding, errors first. */
  readonly findings: Finding[];
  /** How many Kubernetes objects were read. */
  readonly objects: number;
  /**
   * The modules (by id: the url without scheme, tag or digest) of WasmPlugins
   * whose pluginConfig was not checked, because no definition of them was
   * imported: sorted, each once.
   */
  readonly uncheckedModules: string[];
}

/**
 * Run the manifest-level checks of `validate --manifests` on a directory of
 * YAML (ours, or written by hand). A WasmPlugin's `pluginConfig` is checked
 * against the definition of its module: the catalogue's, and every
 * `definePlugin` this process has imported, so import your plugin package
 * before calling it.
 */
export function checkManifests(dir: string, options: CheckManifestsOptions = {}): ManifestCheck {
  const read = readManifests(dir, options);
  const unchecked = new Set<string>();
  for (const o of read.model.objects) {
    if (o.manifest.kind !== 'WasmPlugin') continue;
    const spec = o.manifest.spec as { url?: unknown; pluginConfig?: unknown } | undefined;
    // A plugin without a config has nothing that went unchecked.
    if (typeof spec?.url === 'string' && spec.pluginConfig != null && pluginDefinitionFor(spec.url) === undefined) unchecked.add(moduleId(spec.url));
  }
  // Checking nothing is no pass: a mistyped folder, or one of templates, would let CI through.
  const empty: Finding[] =
    read.model.objects.length === 0 && read.findings.length === 0
      ? [
          {
            rule: 'manifests/empty',
            severity: 'error',
            message: `${options.shownAs ?? dir} holds no Kubernetes objects (read: .yaml, .yml and .json files; skipped: files and folders whose name starts with a dot, kustomization files)`,
            fix: 'Point --manifests at the folder holding the manifests; render a Helm chart or a kustomization with patches first (helm template, kustomize build) and point at the output.',
          },
        ]
      : [];
  return { findings: sortFindings([...read.findings, ...empty, ...analyze(read.model)]), objects: read.model.objects.length, uncheckedModules: [...unchecked].sort() };
}
