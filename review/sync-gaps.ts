import { objectKey, type KubeObject, type MeshModel, type ModelObject } from '../compiler/model';
import { argoSyncOptionsOf, GITOPS_KEYS } from '../compiler/gitops';
import type { ChainEntry } from '../simulator/chain';
import { gatewayKeys, manifestStage } from './pruned-gateways';
import { specWithoutAttachment } from './plugin-moves';

export type GitOpsToolName = 'Argo CD' | 'Flux';

/**
 * A Service (or gateway) that runs a plugin before and after this change but
 * not at some point of the sync in between: for that while its traffic skips
 * the plugin. The usual cause: a plugin moved to another waypoint (its
 * `targetRefs` changed, or a renamed copy targets it) in the policies stage,
 * while the labels that move the traffic there land in the enrollment stage,
 * later; or an owned Namespace's label, which lands in the waypoints stage,
 * before the plugin has moved.
 */
export interface SyncGap {
  readonly target: string;
  /** `namespace/name`, or `namespace/*` for every Service without labels of its own. */
  readonly service: string;
  readonly tool: GitOpsToolName;
  /** When: `between the 2-policies and 3-enrollment Kustomizations`, `between waves 1 and 2`. */
  readonly during: string;
  /** The waypoint its traffic goes through then (`namespace/name`), if any. */
  readonly waypoint?: string;
  /** The chain entries it runs before and after but not then (`WasmPlugin shop/auth`). */
  readonly missing: string[];
}

/** One moment of a rollout: some stages (or waves) applied, the rest still at the base. */
export interface RolloutState {
  readonly tool: GitOpsToolName;
  readonly during: string;
  readonly model: MeshModel;
  /** Gateways the base owned that are gone at this moment (pruned): missing, not another team's. */
  readonly gone: ReadonlySet<string>;
}

/** Which tools may apply these manifests, from the metadata each writes. */
export function toolsOf(models: readonly MeshModel[], fluxMayApply: boolean): GitOpsToolName[] {
  const argo = models.some((m) => m.objects.some((o) => Object.keys(o.manifest.metadata.annotations ?? {}).some((k) => k.startsWith('argocd.argoproj.io/'))));
  return [...(argo ? (['Argo CD'] as const) : []), ...(fluxMayApply ? (['Flux'] as const) : [])];
}

function argoWave(m: KubeObject): number {
  const wave = Number(m.metadata.annotations?.[GITOPS_KEYS.argoSyncWave] ?? 0);
  return Number.isInteger(wave) ? wave : 0;
}

/**
 * How each tool orders a sync of one target, as the GitOps fact sheet
 * (shared/reference/gitops-facts.md) has it.
 *
 * Flux (§2.4, §2.5): one Kustomization per stage folder, chained with
 * `dependsOn`, so a stage is applied only once the one before is Ready at
 * this revision; each Kustomization applies, then prunes what left its own
 * inventory, in the same reconcile ("Pruning happens after apply and before
 * health checks"), unless the live object carries `prune: disabled`. So a
 * plugin renamed within the policies stage is applied before the old one is
 * pruned, and one whose stage changes is pruned by the old stage before the
 * new stage re-creates it.
 *
 * Argo CD (§1.5): one Application; waves are applied in order, each waiting
 * for the one before to be healthy (a WasmPlugin has no health check, so it
 * counts as done at once); pruning runs in reverse wave order, a pruned
 * wave-1 WasmPlugin going before a wave-2 apply, and `PruneLast=true` (read
 * from the live object) moves a prune after every wave. The sheet does not
 * say where within a wave prunes fall, so a prune without PruneLast is taken
 * to happen before any apply (the earliest it can), and one with it after
 * the last wave.
 */
export function rolloutStates(base: MeshModel, head: MeshModel, target: string, tools: readonly GitOpsToolName[]): RolloutState[] {
  const inBase = new Map(base.objects.filter((o) => o.target === target).map((o) => [objectKey(o.manifest), o]));
  const inHead = new Map(head.objects.filter((o) => o.target === target).map((o) => [objectKey(o.manifest), o]));
  if (inBase.size === 0 || inHead.size === 0) return [];
  const owned = gatewayKeys(base, target, true);
  const out: RolloutState[] = [];
  const build = (tool: GitOpsToolName, during: string, objects: ModelObject[]) => {
    const model: MeshModel = { ...head, objects, references: [] };
    const present = gatewayKeys(model, target, false);
    out.push({ tool, during, model, gone: new Set([...owned].filter((g) => !present.has(g))) });
  };
  const keys = [...new Set([...inBase.keys(), ...inHead.keys()])];
  // Nothing changes in this target: every moment of the sync is the base.
  if (keys.every((k) => inBase.has(k) && inHead.has(k) && JSON.stringify(inBase.get(k)!.manifest) === JSON.stringify(inHead.get(k)!.manifest))) return [];
  for (const tool of tools) {
    if (tool === 'Flux') {
      const stage = (o: ModelObject) => manifestStage(o) ?? '';
      const steps = [...new Set([...inBase.values(), ...inHead.values()].map(stage))].sort();
      const neverPruned = (o: ModelObject) => o.manifest.metadata.annotations?.[GITOPS_KEYS.fluxPrune] === 'disabled';
      // The last stage applied is the head (bar what is never pruned, which the head's own review keeps).
      steps.slice(0, -1).forEach((k, i) => {
        const objects: ModelObject[] = [];
        for (const key of keys) {
          const [b, h] = [inBase.get(key), inHead.get(key)];
          if (h && stage(h) <= k) objects.push(h);
          else if (b && !(stage(b) <= k && (!h || stage(h) !== stage(b)) && !neverPruned(b))) objects.push(b);
        }
        build(tool, `between the ${k} and ${steps[i + 1]} Kustomizations`, objects);
      });
    } else {
      const steps = [...new Set([...inBase.values(), ...inHead.values()].map((o) => argoWave(o.manifest)))].sort((a, b) => a - b);
      const prunedEarly = (o: ModelObject) => {
        const options = argoSyncOptionsOf(o.manifest.metadata.annotations);
        return !options.includes('PruneLast=true') && !options.includes('Prune=false');
      };
      steps.slice(0, -1).forEach((k, i) => {
        const objects: ModelObject[] = [];
        for (const key of keys) {
          const [b, h] = [inBase.get(key), inHead.get(key)];
          if (h && argoWave(h.manifest) <= k) objects.push(h);
          else if (b && !(!h && prunedEarly(b))) objects.push(b);
        }
        build(tool, `between waves ${k} and ${steps[i + 1]}`, objects);
      });
    }
  }
  return out;
}

/** What identifies a policy across names: its kind, namespace and spec without what it attaches to. */
function contentKey(e: ChainEntry): string {
  const m = e.object.manifest;
  return JSON.stringify([m.kind, m.metadata.namespace ?? 'default', specWithoutAttachment(m)]);
}

/**
 * Whether `chain` runs `e`: the same object, one with the same content under
 * another name (a renamed copy), or the one this change renames it to
 * (`renamed`: base id by head id), edited or not.
 */
function runs(chain: readonly ChainEntry[], e: ChainEntry, renamed: ReadonlyMap<string, string>): boolean {
  const key = contentKey(e);
  return chain.some((x) => x.id === e.id || contentKey(x) === key || renamed.get(x.id) === e.id);
}

/** The entries of `before` that `after` also runs but `during` does not: what the subject goes without meanwhile. */
export function missingDuring(before: readonly ChainEntry[], after: readonly ChainEntry[], during: readonly ChainEntry[], renamed: ReadonlyMap<string, string> = new Map()): string[] {
  return [...new Set(before.filter((e) => runs(after, e, renamed) && !runs(during, e, renamed)).map((e) => e.id))].sort();
}
