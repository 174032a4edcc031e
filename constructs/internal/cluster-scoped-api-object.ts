import { ApiObject } from 'cdk8s';

/**
 * An ApiObject of a cluster-scoped kind. cdk8s gives every ApiObject its
 * chart's namespace (an explicit undefined included), and only our compiler
 * removed it again: cdk8s's own synth (`Testing.synth`, `toJson`) showed the
 * Namespace inside itself.
 *
 * Its own module so that collect (compiler/api-object-json.ts) can recognise
 * it and take the fast path for it too.
 */
export class ClusterScopedApiObject extends ApiObject {
  public override toJson(): any {
    const json = super.toJson();
    if (json?.metadata) delete json.metadata.namespace;
    return json;
  }
}
