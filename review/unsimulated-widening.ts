import { objectKey, type MeshModel, type ModelObject } from '../compiler/model';
import { LABELS } from '../constructs/labels';
import { labelsOf } from '../analysis/rules/waypoints';

/**
 * Widenings no representative request can show: the simulator sends every
 * request from a client in the ambient mesh.
 */

/** A Namespace enrolled in ambient by the base, no longer by the head (as the cluster will hold it). */
export interface LeftAmbient {
  readonly target: string;
  readonly namespace: string;
  /** The head's `istio.io/dataplane-mode` (`none`...), absent when the label is gone. */
  readonly after?: string;
}

const ofTarget = (m: MeshModel, target: string, kind: string): ModelObject[] => m.objects.filter((o) => o.target === target && o.manifest.kind === kind);

/**
 * Only pods ztunnel captures have their requests sent to waypoints: a
 * namespace out of ambient calls every Service, its own included, past
 * every waypoint plugin. `live` is the head as the cluster holds it (a
 * removed label-only Namespace keeps its labels), so only a label that
 * really goes is reported.
 */
export function leftAmbient(base: MeshModel, live: MeshModel, target: string): LeftAmbient[] {
  const after = new Map(ofTarget(live, target, 'Namespace').map((o) => [objectKey(o.manifest), labelsOf(o.manifest)]));
  const out: LeftAmbient[] = [];
  for (const o of ofTarget(base, target, 'Namespace')) {
    if (labelsOf(o.manifest)[LABELS.dataplaneMode] !== 'ambient') continue;
    const labels = after.get(objectKey(o.manifest));
    if (!labels || labels[LABELS.dataplaneMode] === 'ambient') continue;
    const mode = labels[LABELS.dataplaneMode];
    out.push({ target, namespace: o.manifest.metadata.name, ...(mode !== undefined ? { after: mode } : {}) });
  }
  return out.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
}
