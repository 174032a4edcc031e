import type { AccessCase } from './access-cases';
import type { BindingChange } from './binding-changes';
import type { ChainChange } from './chain-changes';
import type { EffectChanges } from './effects';
import type { FieldChange, ObjectChange } from './object-diff';
import { isNamespaceWide, serviceSubject } from './target-subjects';
import type { FailsOpen, LeftAmbient, NewBuild } from './unsimulated-widening';
import type { ServiceEntryAuth } from './service-entry-auth';
import type { FailOpenChain } from './fail-open-chains';

/**
 * The line for each access case, widening no request shows, binding, chain,
 * object and field, as plain text. The text and markdown formats print the
 * same words (markdown escapes them), so both import them from here and a
 * reviewer reads one wording whichever format a workflow posts.
 */

/** Where a line is about, when the tree has targets: ` [prod]`. */
export const inTarget = (target: string | undefined): string => (target ? ` [${target}]` : '');

function status(s: number | null, ifPassed?: number): string {
  if (s !== null) return String(s);
  return ifPassed === undefined ? 'unknown' : `unknown (${ifPassed} if what is not simulated lets it through)`;
}

export const before = (a: AccessCase) => status(a.before, a.beforeIfPassed);
export const after = (a: AccessCase) => status(a.after, a.afterIfPassed);

/** Beyond this a value is cut, saying so: an added rule with dozens of credentials (fingerprints) still shows whole. */
const MAX_VALUE = 1000;

export function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  // Quoted when empty: "group: gateway.networking.k8s.io -> " reads as a line cut short.
  const text = typeof v === 'string' && v !== '' ? v : JSON.stringify(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}... (${text.length - MAX_VALUE} more characters in --json)` : text;
}

export function request(a: AccessCase): string {
  const cred = a.credential === 'none' ? 'no credentials' : `credential ${a.credential}`;
  return `${a.method} ${a.path} ${a.via ? `via ${a.via} ` : ''}to ${a.to}${a.authority ? ` (host ${a.authority})` : ''} (${cred})${inTarget(a.target)}`;
}

function leftAmbientLine(n: LeftAmbient): string {
  return (
    `Namespace ${n.namespace}${inTarget(n.target)} leaves the ambient mesh (istio.io/dataplane-mode: ambient -> ${n.after ?? '(absent)'}): ztunnel no longer captures its pods, ` +
    'so their own requests skip every waypoint, and every plugin on one, whatever Service they call. The simulated requests come from a client in the mesh and do not show this. ' +
    'Keep the namespace enrolled (dataplaneMode ambient) unless its pods are meant to leave the mesh and its waypoint policies'
  );
}

/** Which plugin of the base it is, when it has another name now. */
/** Plugins named as `shop/auth`, the line being about plugins already (`WasmPlugin shop/auth` elsewhere). */
export const shortPlugins = (ids: readonly string[]) => ids.map((id) => id.replace(/^WasmPlugin /, '')).join(', ');

function failsOpenOrigin(f: FailsOpen): string {
  if (f.renamedFrom) return ` (renamed from ${shortPlugins([f.renamedFrom])})`;
  return f.replaces ? ` (added as this change removes ${shortPlugins(f.replaces)}, of the same module)` : '';
}

function failsOpenLine(f: FailsOpen): string {
  return (
    `${f.plugin}${inTarget(f.target)}${failsOpenOrigin(f)} now fails open (failStrategy ${f.before} -> FAIL_OPEN): whenever its module cannot be fetched or crashes, the requests it refuses pass unchecked. ` +
    'The simulated requests assume the module loads and do not show this. Keep it fail-closed (remove failStrategy) unless availability beats this check here'
  );
}

function newBuildLine(b: NewBuild): string {
  return (
    `${b.plugin}${inTarget(b.target)} now runs another build of its module under the same url (sha256 ${b.before} -> ${b.after}): ` +
    'the simulated requests model a module by its name and tag, so they answer as before whatever the new build refuses or lets through. ' +
    'Confirm that the new digest is the release meant for this module'
  );
}

function serviceEntryAuthLine(s: ServiceEntryAuth): string {
  const plugins = shortPlugins(s.plugins);
  const what = s.lostWaypoint
    ? `loses its waypoint ${s.lostWaypoint} (read from Namespace ${s.serviceEntry.split('/')[0]}; no fallback), so ${plugins} no longer ${s.plugins.length === 1 ? 'runs' : 'run'} for it`
    : `no longer runs ${plugins} as before (removed, edited or moved off it)`;
  return (
    `ServiceEntry ${s.serviceEntry}${inTarget(s.target)} ${what}: no simulated request goes to a ServiceEntry, so whatever this lets through is not shown. ` +
    'Check its rules by hand, or keep the plugin on it as it was'
  );
}

function failOpenChainLine(c: FailOpenChain): string {
  return (
    `${c.subjects.join(', ')}${inTarget(c.target)} now ${c.subjects.length === 1 ? 'runs' : 'run'} only fail-open auth plugins (${shortPlugins(c.remaining)}): this change takes away the fail-closed ${shortPlugins(c.removed)}, so whenever the module cannot be fetched or crashes, requests pass unchecked. ` +
    'The simulated requests assume the module loads and do not show this. Keep a fail-closed auth plugin there unless availability beats the check'
  );
}

/** Widenings the representative requests cannot show, one line each. */
export function unsimulatedWidening(e: EffectChanges): string[] {
  return [...e.leftAmbient.map(leftAmbientLine), ...e.failsOpen.map(failsOpenLine), ...e.newBuilds.map(newBuildLine), ...e.serviceEntryAuth.map(serviceEntryAuthLine), ...e.failOpenChains.map(failOpenChainLine)];
}

export function bindingLine(b: BindingChange): string {
  const from = b.before.waypoint ?? 'no waypoint';
  const to = b.after.waypoint ?? 'no waypoint';
  const svc = isNamespaceWide(b.service) ? serviceSubject(b.service) : b.service;
  return `${svc}${inTarget(b.target)}: ${from} -> ${to}${b.lostWaypoint ? ': its traffic now skips the waypoint, and the plugins on it no longer run' : ''} (${b.after.reason})`;
}

export function chainLine(c: ChainChange): string {
  const added = c.after.filter((x) => !c.before.includes(x));
  const removed = c.before.filter((x) => !c.after.includes(x));
  const parts = [...added.map((x) => `+ ${x}`), ...removed.map((x) => `- ${x}`)];
  if (parts.length === 0) parts.push(`order: ${c.before.join(', ')} -> ${c.after.join(', ')}`);
  return `${c.subject}${inTarget(c.target)}: ${parts.join('; ')}`;
}

/** A list item that only changed place: its value when it is a scalar, and where it was. */
export function moveText(f: FieldChange): string {
  return `${f.after !== undefined ? `${value(f.after)} ` : ''}moved from [${f.movedFrom}]`;
}

export function fieldLine(f: FieldChange): string {
  return f.movedFrom !== undefined ? `${f.path}: ${moveText(f)}` : `${f.path}: ${value(f.before)} -> ${value(f.after)}`;
}

export function objectLine(o: ObjectChange): string {
  const id = `${o.object.kind} ${o.object.namespace ? `${o.object.namespace}/` : ''}${o.object.name}${inTarget(o.object.target)}`;
  return `${o.change} ${id}`;
}
