import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IConstruct } from 'constructs';
import { brand } from './copies';

/**
 * Where each construct was created: the first stack frame outside this
 * library, so a finding can point at the policy line a person wrote.
 */
const sources = new WeakMap<IConstruct, string>();

const LIBRARY_ROOT = path.resolve(__dirname, '..', '..');
const LIBRARY_DIRS = ['constructs', 'compiler', 'analysis', 'simulator', 'cli', 'review'].map(
  (d) => path.join(LIBRARY_ROOT, d) + path.sep,
);

const libraryFiles = new Map<string, boolean>();

/** A file of Node, of a dependency, or of this library: never the policy line a finding should point at. */
export function isLibraryFrame(file: string): boolean {
  let lib = libraryFiles.get(file);
  if (lib === undefined) {
    lib = file.startsWith('node:') || file.includes(`${path.sep}node_modules${path.sep}`) || LIBRARY_DIRS.some((d) => file.startsWith(d));
    libraryFiles.set(file, lib);
  }
  return lib;
}

// `at fn (LOCATION)` or `at LOCATION`, LOCATION being `file:line:column`.
// The file is found by where an absolute path starts, not by excluding
// characters: a checkout under `/builds/my job (2)/` has spaces and
// parentheses in every path, and missing them made output depend on it.
const FRAME = /^at (?:.*? \()?((?:file:\/\/)?\/.*|[A-Za-z]:[\\/].*):(\d+):\d+\)?$/;

/** `file:line` of one formatted stack line, or undefined when it names no absolute file. */
export function locationOf(line: string): { file: string; at: string } | undefined {
  const frame = line.trim();
  // Code given to eval names the frame that called eval, which is not where the construct was made.
  if (frame.includes('(eval at ')) return undefined;
  const m = FRAME.exec(frame);
  if (!m) return undefined;
  const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
  if (!path.isAbsolute(file)) return undefined;
  return { file, at: `${file}:${m[2]}` };
}

// Formatting a whole stack runs the source-map lookup (tsx, ts-node) for every
// frame, and was most of construction time on large meshes. So we take the raw
// call sites and format only the candidate frame, with whatever formatter is
// installed (Node's own, or source-map-support's): the result is the line the
// full stack would show. Formatted frames are cached by generated position,
// since a mesh creates thousands of constructs from a few lines of policy.
// Keyed by generated file, then by character position in it: building a
// `file:line:column` string for every construct cost more than the lookup.
const formatted = new Map<string, Map<number, { file: string; at: string } | null>>();

/**
 * Forget the frames formatted in the files `which` picks (named as stack
 * frames and the module loader name them): a policy module loaded again after
 * an edit has other lines at the same positions, and tsx may generate the
 * same code for both versions.
 */
export function forgetFormattedFrames(which: (file: string) => boolean): void {
  for (const file of [...formatted.keys()]) if (which(file)) formatted.delete(file);
}

function formatSite(site: NodeJS.CallSite, generated: string, holder: object, format: typeof Error.prepareStackTrace): { file: string; at: string } | undefined {
  let inFile = formatted.get(generated);
  if (!inFile) formatted.set(generated, (inFile = new Map()));
  const position = site.getPosition();
  const hit = inFile.get(position);
  if (hit !== undefined) return hit ?? undefined;
  const text = format ? String(format(holder as Error, [site])) : `Error\n    at ${site.toString()}`;
  const lines = text.split('\n');
  const loc = locationOf(lines[lines.length - 1]);
  inFile.set(position, loc ?? null);
  return loc;
}

// One holder for every capture: V8 gives each new object it captures into its
// own `stack` accessor, and that alone cost ~4% of a large synth.
const holder: { stack?: unknown } = {};

const returnSites = (_e: Error, sites: NodeJS.CallSite[]) => sites;

/** The raw call sites above `above` (that function's own frame excluded), at most `limit` of them. */
function callSites(limit: number, above: Function): NodeJS.CallSite[] {
  const savedLimit = Error.stackTraceLimit;
  const savedFormat = Error.prepareStackTrace;
  Error.stackTraceLimit = limit;
  Error.prepareStackTrace = returnSites;
  try {
    Error.captureStackTrace(holder, above);
    const sites = holder.stack;
    // Not kept: the sites hold the frames' functions and receivers.
    holder.stack = undefined;
    return Array.isArray(sites) ? (sites as NodeJS.CallSite[]) : [];
  } finally {
    Error.stackTraceLimit = savedLimit;
    Error.prepareStackTrace = savedFormat;
  }
}

function firstPolicyFrame(sites: NodeJS.CallSite[]): string | undefined {
  const format = Error.prepareStackTrace;
  for (const site of sites) {
    const generated = site.getFileName();
    // Natives and eval frames name no file; library files map to library files.
    if (!generated || isLibraryFrame(generated.startsWith('file://') ? new URL(generated).pathname : generated)) continue;
    const loc = formatSite(site, generated, {}, format);
    if (!loc || isLibraryFrame(loc.file)) continue;
    return loc.at;
  }
  return undefined;
}

// V8 spends about 1.5 µs on every frame it captures, and a mesh creates a
// construct per object: this was a quarter of construction time. Frames above
// the constructor that `new` was called on (`new.target`: the most derived
// class, the user's own subclass included) are library frames by definition,
// so V8 skips them without capturing, and the caller of `new` is usually the
// policy line itself. Only when the first few frames are all library (a
// pattern or factory creating the construct) is the longer stack captured.
const SHORT_STACK = 2;
const FULL_STACK = 30;

function callerLocation(constructed: Function): string | undefined {
  const short = callSites(SHORT_STACK, constructed);
  const found = firstPolicyFrame(short);
  if (found !== undefined || short.length < SHORT_STACK) return found;
  return firstPolicyFrame(callSites(FULL_STACK, constructed));
}

/**
 * Where the policy called `method` (a construct's method, not its
 * constructor): for an error that the call, not the construct, is to blame
 * for, or a relative path that is read from beside the policy file that
 * wrote it (`Credential.fromFile`). Capturing a stack is not free: not on
 * a path every construct takes.
 */
export function callSiteOf(method: Function): string | undefined {
  return callerLocation(method);
}

/**
 * Record where `c` is being created. Call it from the constructor with
 * `new.target`, so the search starts at the code that called `new`.
 */
export function recordSource(c: IConstruct, constructed: Function): void {
  brand(c);
  const at = callerLocation(constructed);
  if (at) sources.set(c, at);
}


/** `file:line` (absolute) where the construct itself was created, if that was recorded (not its ancestors'). */
export function ownSourceOf(c: IConstruct): string | undefined {
  return sources.get(c);
}

/** `file:line` (absolute) where the construct or its nearest recorded ancestor was created. */
export function sourceOf(c: IConstruct): string | undefined {
  for (let cur: IConstruct | undefined = c; cur; cur = cur.node.scope) {
    const s = sources.get(cur);
    if (s) return s;
  }
  return undefined;
}

/** A source location relative to `root`, with `/` separators, for stable output. */
export function relativeSource(source: string | undefined, root: string): string | undefined {
  if (!source) return undefined;
  const rel = path.relative(root, source);
  return rel.split(path.sep).join('/');
}
