import type { DeliveryConfig } from '../../constructs/delivery';
import { GITOPS_KEYS, MANAGED_BY } from '../gitops';
import type { KubeObject } from '../model';

/** The folder under the output directory that holds the delivery manifests. */
export const DELIVERY_DIR = 'delivery';

/** Labels on every delivery object: this repo owns them. */
export function ownedLabels(partOf: string): Record<string, string> {
  return { [GITOPS_KEYS.managedBy]: MANAGED_BY, [GITOPS_KEYS.partOf]: partOf };
}

/** `<path>/<target>` in the repository, `/`-separated, as both tools want it (Flux adds `./`). */
export function targetPath(config: DeliveryConfig, target: string): string {
  return `${config.path}/${target}`;
}

/** One delivery manifest and the file it is written to, relative to `dist/delivery/`. */
export interface DeliveryFile {
  readonly file: string;
  readonly object: KubeObject;
}
