import { Construct } from 'constructs';
import type { Finding } from '../../analysis/finding';
import { isPolicyError, PolicyError } from '../errors';
import { z } from 'zod';
import { PolicyApp, Target } from '../app';
import { callSiteOf, recordSource } from '../internal/provenance';
import { blamedOn, fail, parseProps, vacant } from '../internal/validate';
import { LABELS } from '../labels';
import { isMeshNamespace } from './service-waypoint';
import { namespacesIn } from './namespaces-in';
import { MeshNamespace } from '../namespace';
import { ALL_WAYPOINTS, ITargetable } from '../target-ref';
import { WasmPlugin } from '../wasm-plugin';

/**
 * Builds the mesh-wide plugins of a baseline. It must create them in `scope`
 * and give them `targets` (the `istio-waypoint` GatewayClass).
 */
export type MeshPluginBuilder = (scope: Construct, targets: ITargetable[]) => unknown;

export interface MeshBaselineProps {
  /**
   * Builders of the mesh-wide plugins; more can be added with `addPlugin()`.
   *
   * @default []
   */
  readonly plugins?: MeshPluginBuilder[];

  /**
   * The MeshNamespace of the mesh root namespace to put the plugins in.
   *
   * @default - the one under `scope` named `PolicyApp.rootNamespace`, else a new one with `enroll: false` (no labels written)
   */
  readonly namespace?: MeshNamespace;
}

const schema = z.object({
  plugins: z.array(z.custom<MeshPluginBuilder>((f) => typeof f === 'function', { message: 'each plugin builder must be a function (scope, targets) => new SomePlugin(scope, id, { targets, ... })' })).optional(),
  namespace: z.custom<MeshNamespace>(isMeshNamespace, { message: 'namespace must be a MeshNamespace' }).optional(),
});

/**
 * A mesh-wide baseline: plugins that run on every waypoint of the mesh. Istio
 * applies a plugin to all waypoints only when it targets the `istio-waypoint`
 * GatewayClass from the mesh root namespace (`PolicyApp.rootNamespace`), so
 * the baseline lives there and hands its builders that target.
 *
 * @example
 * new MeshBaseline(app, 'baseline', {
 *   plugins: [
 *     (scope, targets) => new GrpcAccessLogging(scope, 'access-log', { targets, loggingService: 'access-log.telemetry.svc.cluster.local:9000' }),
 *   ],
 * });
 */
export class MeshBaseline extends Construct {
  /** The root namespace the plugins live in. */
  public readonly namespace: MeshNamespace;
  /** The mesh-wide plugins built so far. */
  public readonly plugins: WasmPlugin[] = [];

  constructor(scope: PolicyApp | Target, id: string, props: MeshBaselineProps = {}) {
    const namespace = rootNamespaceFor(scope, props, new.target);
    super(vacant(namespace, id, new.target), id);
    recordSource(this, new.target);
    this.namespace = namespace;
    for (const build of props.plugins ?? []) this.addPlugin(build);
  }

  /** Build more mesh-wide plugins; returns what the builder returned. */
  public addPlugin<T>(build: (scope: Construct, targets: ITargetable[]) => T): T {
    if (typeof build !== 'function') {
      fail(this, 'props/invalid', 'addPlugin() needs a function (scope, targets) => plugin', 'Pass (scope, targets) => new SomePlugin(scope, id, { targets, ... }).');
    }
    const before = new Set(this.node.children);
    try {
      const result = build(this, [ALL_WAYPOINTS]);
      const added = this.node.findAll().filter((c): c is WasmPlugin => c instanceof WasmPlugin && !this.plugins.includes(c));
      added.forEach(checkMeshWide);
      this.plugins.push(...added);
      return result;
    } catch (e) {
      // What a refused or failing builder made must not stay: a caller that
      // catches the error would otherwise synthesize a plugin nobody checked.
      for (const c of this.node.children) if (!before.has(c)) this.node.tryRemoveChild(c.node.id);
      throw isPolicyError(e) ? new PolicyError(e.findings.map((f) => this.asNotMeshWide(f))) : e;
    }
  }

  /**
   * A plugin of this baseline refused for a target in another namespace was
   * given a team's waypoint instead of every waypoint: the baseline's own
   * rule says so, and its fix (not "create the plugin in that namespace").
   */
  private asNotMeshWide(f: Finding): Finding {
    if (f.rule !== 'plugin/unresolved-target' || !f.path?.startsWith(`${this.node.path}/`)) return f;
    return { ...f, rule: 'baseline/not-mesh-wide', message: `a plugin in a MeshBaseline must target every waypoint (the builder's targets); instead ${f.message}`, fix: "Pass the builder's targets argument as the plugin's targets." };
  }
}

function checkMeshWide(plugin: WasmPlugin): void {
  const ok =
    plugin.targets.length > 0 &&
    plugin.targets.every((t) => t.targetRef.kind === ALL_WAYPOINTS.targetRef.kind && t.targetRef.group === ALL_WAYPOINTS.targetRef.group && t.targetRef.name === ALL_WAYPOINTS.targetRef.name);
  if (!ok) {
    const got = plugin.targets.length === 0 ? 'a selector' : plugin.targets.map((t) => `${t.targetRef.kind} ${t.targetRef.name}`).join(', ');
    fail(plugin, 'baseline/not-mesh-wide', `WasmPlugin '${plugin.name}' in a MeshBaseline targets ${got}, not every waypoint: from the root namespace only the istio-waypoint GatewayClass reaches all waypoints`, 'Pass the builder\'s targets argument as the plugin\'s targets.');
  }
}

/**
 * The root namespace chart under `scope`: the given one, an existing one, or
 * a new non-enrolling one. Runs before the baseline exists, so what it refuses
 * at `scope` is reported at the policy line that creates the baseline, not
 * the one that created the app or target.
 */
function rootNamespaceFor(scope: PolicyApp | Target, props: MeshBaselineProps, constructed: Function): MeshNamespace {
  try {
    return findRootNamespace(scope, props);
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    const source = callSiteOf(constructed);
    const at = (scope as Partial<PolicyApp> | undefined)?.node?.path;
    throw blamedOn(e, at, source);
  }
}

function findRootNamespace(scope: PolicyApp | Target, props: MeshBaselineProps): MeshNamespace {
  if (!PolicyApp.isPolicyApp(scope) && !Target.isTarget(scope)) {
    fail(scope as Construct, 'baseline/scope', 'a MeshBaseline must be created directly under the PolicyApp or a Target', 'Create it as new MeshBaseline(app, ...) or new MeshBaseline(target, ...).');
  }
  const p = parseProps(scope, 'MeshBaseline', schema, props);
  const root = PolicyApp.of(scope).rootNamespace;
  let ns = p.namespace;
  if (ns && ns.name !== root) {
    fail(ns, 'baseline/not-root-namespace', `MeshBaseline namespace '${ns.name}' is not the mesh root namespace '${root}': a plugin targeting the istio-waypoint GatewayClass applies only from there`, `Use the MeshNamespace of '${root}' (or set PolicyApp rootNamespace).`);
  }
  ns ??= namespacesIn(scope).get(root);
  if (!ns) {
    if (scope.node.tryFindChild(root)) {
      fail(scope, 'baseline/root-namespace-id', `cannot create the MeshNamespace '${root}': the id is taken by another construct`, 'Pass the root MeshNamespace as namespace.');
    }
    // Someone else (the Istio installation) decides the root namespace's enrollment.
    return new MeshNamespace(scope, root, { enroll: false });
  }
  if (ns.labelValues[LABELS.dataplaneMode] !== undefined) {
    fail(ns, 'baseline/root-namespace-enrolled', `the root namespace '${root}' is declared with istio.io/dataplane-mode=${ns.labelValues[LABELS.dataplaneMode]}: this app would change the enrollment of istiod's own namespace`, `Declare it with new MeshNamespace(scope, '${root}', { enroll: false }).`);
  }
  return ns;
}
