import { Construct } from 'constructs';
import { z } from 'zod';
import { namespaceOf } from './app';
import { recordSource } from './internal/provenance';
import { markReference } from './internal/reference';
import { dnsLabel, dnsSubdomain } from './internal/schemas';
import { parseProps, refuseNonObjectProps, vacant } from './internal/validate';
import { ITargetable, TargetRef } from './target-ref';

/** What a reference points at: the kind, its API group and version. */
interface ReferencedKind {
  readonly construct: string;
  readonly kind: string;
  readonly group: string;
  readonly apiVersion: string;
  readonly schema: z.ZodType<{ name: string }>;
}

/**
 * An object another team owns, named so plugins can target it. It is never
 * emitted; the compiler lists it so the analysis can resolve targetRefs.
 */
abstract class NamespacedReference extends Construct implements ITargetable {
  public readonly name: string;
  public readonly namespace: string;
  public readonly targetRef: TargetRef;
  public readonly targetNamespace: string;

  protected constructor(scope: Construct, id: string, name: string | undefined, what: ReferencedKind) {
    super(vacant(scope, id, new.target), id);
    recordSource(this, new.target);
    this.name = parseProps(this, what.construct, what.schema, { name: name ?? id }).name;
    this.namespace = namespaceOf(this, `${what.kind} '${this.name}'`);
    this.targetRef = { group: what.group, kind: what.kind, name: this.name };
    this.targetNamespace = this.namespace;
    markReference(this, { apiVersion: what.apiVersion, kind: what.kind, namespace: this.namespace, name: this.name });
  }
}

// Built once: zod compiles a parser per schema instance on its first parse.
const GATEWAY: ReferencedKind = {
  construct: 'GatewayReference',
  kind: 'Gateway',
  group: 'gateway.networking.k8s.io',
  apiVersion: 'gateway.networking.k8s.io/v1',
  schema: z.object({ name: dnsLabel('Gateway name') }),
};

const SERVICE_ENTRY: ReferencedKind = {
  construct: 'ServiceEntryReference',
  kind: 'ServiceEntry',
  group: 'networking.istio.io',
  apiVersion: 'networking.istio.io/v1',
  // A ServiceEntry is named like most objects (an RFC 1123 subdomain, such as
  // its host 'api.example.com'), and a targetRef name may be as long.
  schema: z.object({ name: dnsSubdomain('ServiceEntry name') }),
};

export interface ReferenceProps {
  /**
   * The name of the object in the enclosing namespace.
   *
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * A Gateway another team owns, such as an ingress gateway of class `istio`
 * (the guide's `bookinfo-gateway`). Plugins can target it; it is not emitted.
 */
export class GatewayReference extends NamespacedReference {
  public static fromGatewayName(scope: Construct, id: string, name: string): GatewayReference {
    return new GatewayReference(scope, id, { name });
  }

  constructor(scope: Construct, id: string, props: ReferenceProps = {}) {
    refuseNonObjectProps(scope, id, props, new.target);
    super(scope, id, props.name, GATEWAY);
  }
}

/** A ServiceEntry another team owns, as a plugin target. */
export class ServiceEntryReference extends NamespacedReference {
  public static fromServiceEntryName(scope: Construct, id: string, name: string): ServiceEntryReference {
    return new ServiceEntryReference(scope, id, { name });
  }

  constructor(scope: Construct, id: string, props: ReferenceProps = {}) {
    refuseNonObjectProps(scope, id, props, new.target);
    super(scope, id, props.name, SERVICE_ENTRY);
  }
}
