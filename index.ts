/**
 * The `waypoint-policy` package: the constructs, the plugin catalogue and
 * patterns, `definePlugin` for your own plugins, and the compiler entry
 * points.
 *
 * Importing this module has no side effects beyond defining classes and
 * registering the catalogue's plugin definitions in memory: it never
 * synthesizes, reads the environment or touches the disk. Those happen only
 * when you construct a PolicyApp, resolve a Credential, or call a compiler
 * function.
 */
export * from './constructs';

export { compileApp, synthToDirectory } from './compiler/synth';
export type { CompileOptions, CompileResult, SynthOptions, SynthResult, Timings } from './compiler/synth';
export type { FileTree } from './compiler/layout';
export type { Finding, ObjectRef, Severity } from './analysis/finding';
export { formatFinding, formatFindings, sortFindings } from './analysis/finding';
export { checkManifests, type ManifestCheck } from './analysis/check-manifests';

// The same zod, cdk8s Duration and Construct the library uses, so a package
// defining plugins needs no direct dependency on them (and cannot end up with
// a second copy whose schemas, durations or scopes the library does not
// recognise).
export { z } from 'zod';
export { Duration } from 'cdk8s';
export { Construct } from 'constructs';
export type { IConstruct } from 'constructs';
