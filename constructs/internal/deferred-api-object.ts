import { ApiObject, ApiObjectProps } from 'cdk8s';
import type { Construct, IConstruct, IValidation } from 'constructs';
import { PolicyError } from '../errors';
import { markExternal } from './ownership';

/**
 * The one manifest a construct emits, held as the props it would give its
 * cdk8s `ApiObject`; the `ApiObject` itself is created on first use.
 *
 * Why: a mesh has tens of thousands of plugins and Services, and an
 * `ApiObject` with its construct node and metadata costs about 1 KB and 10 µs
 * each, for nothing unless someone reaches for the escape hatch
 * (docs/performance.md). Until then the compiler reads these props directly,
 * with exactly `toJson()`'s result (test/bench/fast-paths.test.ts).
 *
 * Who creates it: the owning construct's `apiObject` getter, and cdk8s's own
 * synth paths (`App.synth()`, `Chart.toJson()`, `Testing.synth()`), which
 * validate every construct before they look for `ApiObject`s: the validation
 * registered here creates it then. Our compiler validates too, but asks not to.
 */
export class DeferredApiObject implements IValidation {
  private object?: ApiObject;

  constructor(
    private readonly owner: Construct,
    /** The id the `ApiObject` will take under its owner: kept free until then (`vacant`). */
    public readonly id: string,
    /** What the `ApiObject` is created with. Never copied: later changes to it are seen. */
    public readonly props: ApiObjectProps,
    /** Another team's object, emitted label-only. */
    public readonly external = false,
  ) {
    deferred.set(owner, this);
    owner.node.addValidation(this);
  }

  /** The `ApiObject`, if it was created. */
  public get created(): ApiObject | undefined {
    return this.object;
  }

  /** The `ApiObject`, created now if it was not yet. */
  public get(): ApiObject {
    if (!this.object) {
      const blocked = blockers.get(this.owner);
      if (blocked) throw blocked();
      // A team's plain Construct took the id meanwhile (our constructs are refused it by vacant()).
      const taken = this.owner.node.tryFindChild(this.id);
      if (taken) {
        throw new PolicyError([
          {
            rule: 'construct/duplicate-id',
            severity: 'error',
            message: `'${this.owner.node.path}' keeps the id '${this.id}' for its ${String(this.props.kind)} manifest, but a ${taken.constructor.name} took it: the manifest cannot be created`,
            fix: `Give that ${taken.constructor.name} another id.`,
            path: taken.node.path,
          },
        ]);
      }
      this.object = new ApiObject(this.owner, this.id, this.props);
      if (this.external) markExternal(this.object);
    }
    return this.object;
  }

  /** @internal part of cdk8s's synth: create the object before cdk8s looks for it. */
  public validate(): string[] {
    if (collecting === 0) this.get();
    return [];
  }
}

const deferred = new WeakMap<IConstruct, DeferredApiObject>();

// Owners whose manifest must never be built (it would hold a stand-in value): why, as the error to throw.
const blockers = new WeakMap<IConstruct, () => Error>();

/**
 * Refuse to create `owner`'s ApiObject from now on: the escape hatch
 * (`apiObject`) and cdk8s's own synth then throw `why()` instead of
 * building a manifest that holds a value standing in for one not read.
 */
export function blockCreation(owner: IConstruct, why: () => Error): void {
  blockers.set(owner, why);
}

/** Create every deferred ApiObject under `root` (for cdk8s code that walks the tree for them). */
export function createDeferredApiObjects(root: IConstruct): void {
  for (const c of root.node.findAll()) deferred.get(c)?.get();
}

/** The deferred manifest `c` owns, if any. */
export function deferredApiObjectOf(c: IConstruct): DeferredApiObject | undefined {
  return deferred.get(c);
}

let collecting = 0;

/** Whether our compiler's tree walk is running (its validations then only report). */
export function isCollecting(): boolean {
  return collecting > 0;
}

/** Run `fn` (our compiler's tree walk): validations do not create deferred objects meanwhile. */
export function withoutCreatingDeferred<T>(fn: () => T): T {
  collecting++;
  try {
    return fn();
  } finally {
    collecting--;
  }
}
