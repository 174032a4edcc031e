import type { MeshModel, ModelObject, ModelReference } from '../compiler/model';
import type { Finding, Severity } from './finding';
import { acknowledgementKey } from '../constructs/wasm-plugin';

/** A rule's documentation entry, rendered into docs/rules.md. */
export interface RuleDocs {
  /** One sentence: what the rule catches and why it matters in a cluster. */
  readonly summary: string;
  /** A failing example (policy TypeScript or YAML). */
  readonly bad: string;
  /** The message the example produces. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * The severity of the example's finding, when the rule raises it above its
   * own for the worst case (an unacknowledged `:latest`, plain http without sha256).
   */
  readonly severity?: Severity;
}

/** A rule's identity and documentation: every id a finding can carry has one (docs/rules.md). */
export interface RuleInfo {
  readonly id: string;
  readonly severity: Severity;
  readonly docs: RuleDocs;
}

/** One analysis rule: its own module under analysis/rules/, with a stable id. */
export interface Rule extends RuleInfo {
  /**
   * Check the model. Rules only read; they never throw for a user mistake.
   * Construct-time rules (zod props) share ids with these but live in constructs/.
   */
  check(ctx: RuleContext): void;
}

export interface ReportOptions {
  readonly message: string;
  readonly fix?: string;
  /** Override the rule's severity (e.g. an unresolved target in manifests we did not write). */
  readonly severity?: Severity;
  /**
   * Report under a more specific documented id than the running rule's
   * (`plugin/config` reports `basic-auth/empty-methods`).
   */
  readonly rule?: string;
}

/** What a rule sees: the model, per target, with lookups and a reporter. */
export class RuleContext {
  public readonly findings: Finding[] = [];
  // kind -> namespace -> name: lookups without building a key string each time.
  private readonly byKey = new Index<ModelObject>();
  private readonly refsByKey = new Index<ModelReference>();
  private readonly byKind = new Map<string, ModelObject[]>();
  private current?: Rule;

  constructor(
    public readonly model: MeshModel,
    public readonly target: string,
    public readonly objects: readonly ModelObject[],
    public readonly references: readonly ModelReference[],
  ) {
    for (const o of objects) {
      // The first object wins lookups; `objects/duplicate` reports the others.
      this.byKey.setIfAbsent(o.manifest.kind, o.manifest.metadata.namespace, o.manifest.metadata.name, o);
      const list = this.byKind.get(o.manifest.kind);
      if (list) list.push(o);
      else this.byKind.set(o.manifest.kind, [o]);
    }
    for (const r of references) this.refsByKey.set(r.kind, r.namespace, r.name, r);
  }

  public run(rule: Rule): void {
    this.current = rule;
    try {
      rule.check(this);
    } finally {
      this.current = undefined;
    }
  }

  public ofKind(kind: string): readonly ModelObject[] {
    return this.byKind.get(kind) ?? [];
  }

  public find(kind: string, namespace: string | undefined, name: string): ModelObject | undefined {
    return this.byKey.get(kind, namespace, name);
  }

  public findReference(kind: string, namespace: string | undefined, name: string): ModelReference | undefined {
    return this.refsByKey.get(kind, namespace, name);
  }

  public report(about: ModelObject | ModelReference | undefined, options: ReportOptions): void {
    const rule = this.current;
    if (!rule) throw new Error('report() called outside a rule');
    const m = about && 'manifest' in about ? about.manifest : undefined;
    const r = about && !('manifest' in about) ? about : undefined;
    this.findings.push({
      rule: options.rule ?? rule.id,
      severity: options.severity ?? rule.severity,
      message: options.message,
      fix: options.fix ?? rule.docs.fix,
      object: m
        ? { apiVersion: m.apiVersion, kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name }
        : r
          ? { kind: r.kind, namespace: r.namespace, name: r.name }
          : undefined,
      path: about?.path,
      source: about?.source,
      file: about && 'file' in about ? fileAndLine(about) : undefined,
    });
  }
}

/** Values by kind, namespace (`''` for none) and name. */
class Index<T> {
  private readonly kinds = new Map<string, Map<string, Map<string, T>>>();

  public get(kind: string, namespace: string | undefined, name: string): T | undefined {
    return this.kinds.get(kind)?.get(namespace ?? '')?.get(name);
  }

  public set(kind: string, namespace: string | undefined, name: string, value: T): void {
    this.names(kind, namespace).set(name, value);
  }

  public setIfAbsent(kind: string, namespace: string | undefined, name: string, value: T): void {
    const names = this.names(kind, namespace);
    if (!names.has(name)) names.set(name, value);
  }

  private names(kind: string, namespace: string | undefined): Map<string, T> {
    let namespaces = this.kinds.get(kind);
    if (!namespaces) this.kinds.set(kind, (namespaces = new Map()));
    let names = namespaces.get(namespace ?? '');
    if (!names) namespaces.set(namespace ?? '', (names = new Map()));
    return names;
  }
}

export function acknowledged(o: ModelObject, ruleId: string): string | undefined {
  return o.manifest.metadata.annotations?.[acknowledgementKey(ruleId)];
}

/** Where a manifest object was read: `file:line` when its line is known. */
export function fileAndLine(o: ModelObject): string | undefined {
  return o.file !== undefined && o.line !== undefined ? `${o.file}:${o.line}` : o.file;
}
