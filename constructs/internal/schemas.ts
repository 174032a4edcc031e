import { z } from 'zod';
import { ruleParams } from './validate';

/** RFC 1123 label: Namespace and Service names, at most 63 characters. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1035 label: Service names (a DNS name that starts with a letter), at most 63 characters. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: most other object names, at most 253 characters. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && DNS_1035_LABEL.test(s);
}

export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

/** A label key: optional DNS-subdomain prefix and `/`, then a 63-character name. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return false;
  return name.length >= 1 && name.length <= 63 && LABEL_NAME.test(name);
}

export function isLabelValue(v: string): boolean {
  return v.length <= 63 && LABEL_VALUE.test(v);
}

/**
 * What keeps `s` from being a DNS domain as kubelet's `--cluster-domain`
 * takes it (RFC 1123 labels joined by '.', no trailing dot), or undefined
 * when it is one.
 */
export function dnsDomainProblem(s: string): string | undefined {
  if (s === '') return 'is empty';
  // The fully qualified form: the names built from the domain add the trailing dot themselves.
  if (s.endsWith('.')) return "ends with '.'";
  if (s.length > 253) return 'is longer than 253 characters';
  if (s !== s.toLowerCase()) return 'has upper-case letters';
  const bad = s.split('.').find((label) => !isDnsLabel(label));
  if (bad === '') return "has an empty label (a leading '.' or '..')";
  if (bad !== undefined) return `has the label ${JSON.stringify(bad)}, which is not an RFC 1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`;
  return undefined;
}

export const dnsLabel = (what: string) =>
  z.string().refine(
    isDnsLabel,
    {
      message: `${what} must be an RFC 1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`,
      ...ruleParams('names/rfc1123', `Rename it, e.g. to lower-case words joined by '-'.`),
    },
  );

/** A name that is, or names, a Service: the same check names/rfc1123 makes at synth, made here so it names the line. */
export const dns1035Label = (what: string, why = '') =>
  z.string().refine(isDns1035Label, {
    message: `${what} must be an RFC 1035 label: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters${why}`,
    ...ruleParams('names/rfc1123', "Rename it: lower-case words joined by '-', starting with a letter."),
  });

export const dnsSubdomain = (what: string) =>
  z.string().refine(isDnsSubdomain, {
    message: `${what} must be an RFC 1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters`,
    ...ruleParams('names/rfc1123', `Rename it, e.g. to lower-case words joined by '-'.`),
  });

/**
 * Why a map key cannot reach a manifest, or undefined. An own `__proto__`
 * (JSON.parse makes one) becomes the prototype of every copy, zod's
 * included, so the key would be lost without a word; cdk8s reads a
 * `constructor` key as the object's class and fails at synth with "can't
 * render non-simple object".
 */
export function unwritableKeyProblem(key: string): string | undefined {
  if (key === '__proto__') return 'JavaScript makes a key of that name the prototype of every copy of the map, so the manifest would lose it without a word';
  if (key === 'constructor') return 'cdk8s, which writes the manifests, takes a key of that name for the class of the map and cannot write it';
  return undefined;
}

/** A label value or key as a message quotes it: a 1 MB value from a config file would bury the message. */
export function quotedLabel(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

/**
 * A map of strings whose keys can all reach the manifest (`what`: label,
 * selector). zod's record drops an own `__proto__` key (JSON.parse makes
 * one) before any check sees it, so it is looked for first; a `constructor`
 * key, which cdk8s cannot write, after. `consequence`: what the lost key
 * would do, where it is worse than a missing label.
 */
export function stringMap(what: string, consequence?: string) {
  return z
    .unknown()
    .superRefine((map, ctx) => {
      if (typeof map === 'object' && map !== null && Object.prototype.hasOwnProperty.call(map, '__proto__')) {
        const message = `${what} key "__proto__" is not a valid Kubernetes label key, and ${unwritableKeyProblem('__proto__')}${consequence ? `: ${consequence}` : ''}`;
        ctx.addIssue({ code: 'custom', message, path: ['__proto__'], params: { rule: 'names/label-syntax', fix: 'Remove the key: [prefix/]name with name at most 63 characters of [A-Za-z0-9-_.], starting alphanumeric.' } });
      }
    })
    .pipe(z.record(z.string(), z.string()))
    .superRefine((map, ctx) => {
      if (Object.prototype.hasOwnProperty.call(map, 'constructor')) {
        ctx.addIssue({ code: 'custom', message: `${what} key "constructor" cannot be written: ${unwritableKeyProblem('constructor')}`, path: ['constructor'], params: { rule: 'names/label-syntax', fix: `Use another ${what} key.` } });
      }
    });
}

export const labelMap = stringMap('label').superRefine((labels, ctx) => {
  for (const [k, v] of Object.entries(labels)) {
    if (!isLabelKey(k)) {
      ctx.addIssue({ code: 'custom', message: `label key ${quotedLabel(k)} is not a valid Kubernetes label key`, path: [k], params: { rule: 'names/label-syntax', fix: 'Use [prefix/]name with name at most 63 characters of [A-Za-z0-9-_.].' } });
    }
    if (!isLabelValue(v)) {
      ctx.addIssue({ code: 'custom', message: `label value ${quotedLabel(v)} for ${isLabelKey(k) ? k : quotedLabel(k)} is not a valid Kubernetes label value`, path: [k], params: { rule: 'names/label-syntax', fix: 'Use at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric.' } });
    }
  }
});

