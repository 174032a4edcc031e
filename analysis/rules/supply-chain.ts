import { urlScheme } from '../../constructs/wasm-plugin';
import { isDnsSubdomain } from '../../constructs/internal/schemas';
import type { ModelObject } from '../../compiler/model';
import { acknowledged, Rule } from '../rule';
import { printableUrl } from '../schema/go-url';

interface PluginSpec {
  url?: unknown;
  sha256?: unknown;
  imagePullSecret?: unknown;
}

/** An OCI reference split into tag and digest (none when absent). */
export function ociReference(url: string): { tag?: string; digest?: string } {
  const noScheme = url.replace(/^oci:\/\//, '');
  const at = noScheme.indexOf('@sha256:');
  const digest = at >= 0 ? noScheme.slice(at + '@sha256:'.length) : undefined;
  const name = at >= 0 ? noScheme.slice(0, at) : noScheme;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  return { tag: colon >= 0 ? name.slice(colon + 1) : undefined, digest };
}

function specOf(o: ModelObject): PluginSpec {
  return (o.manifest.spec ?? {}) as PluginSpec;
}

/**
 * A module not pinned by digest can change under a running mesh: a tag can be
 * re-pushed, `:latest` or an untagged reference pulls whatever is newest
 * (with imagePullPolicy Always for `:latest`), and the file at an https://
 * address can be replaced; each pod that starts fetches it again. (Plain
 * http is `supply-chain/insecure-url`.)
 */
export const unpinnedModule: Rule = {
  id: 'supply-chain/unpinned-module',
  severity: 'warning',
  docs: {
    summary:
      'An OCI or https:// module without `sha256` can change under the mesh (a re-pushed tag, a replaced file); an OCI `:latest` or untagged reference is an error unless acknowledged.',
    bad: `new WasmPlugin(ns, 'p', { url: 'oci://ghcr.io/acme/auth:latest', targets: [waypoint] });`,
    message: "WasmPlugin shop/p: module oci://ghcr.io/acme/auth:latest is not pinned: ':latest' pulls whatever was pushed last",
    severity: 'error',
    fix: 'Pin the module: set sha256 to the image manifest digest (or use @sha256:... in the url); for an https:// module, to the SHA-256 of the file (after unpacking gzip or tar).',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const spec = specOf(o);
      if (typeof spec.url !== 'string') continue;
      const scheme = urlScheme(spec.url);
      if (scheme !== 'oci' && scheme !== 'https') continue;
      if (typeof spec.sha256 === 'string' && spec.sha256 !== '') continue;
      const reason = acknowledged(o, this.id);
      const label = `WasmPlugin ${o.manifest.metadata.namespace ?? ''}/${o.manifest.metadata.name}`;
      if (scheme === 'https') {
        // istio-agent hashes the file after unpacking it: that is the value to pin.
        if (!reason) ctx.report(o, { message: `${label}: module ${printableUrl(spec.url)} is not pinned: the file at that address can be replaced, and every new proxy fetches it again`, fix: 'Set sha256 to the SHA-256 of the module file (after unpacking gzip or tar), e.g. sha256sum plugin.wasm.' });
        continue;
      }
      const { tag, digest } = ociReference(spec.url);
      if (digest) continue;
      if (tag === undefined || tag === 'latest') {
        ctx.report(o, {
          severity: reason ? 'warning' : 'error',
          message: `${label}: module ${printableUrl(spec.url)} is not pinned: ${tag ? "':latest'" : 'an untagged reference'} pulls whatever was pushed last${reason ? ` (acknowledged: ${reason})` : ''}`,
        });
      } else if (!reason) {
        ctx.report(o, { message: `${label}: module ${printableUrl(spec.url)} is pinned by tag only; a re-pushed tag changes what runs` });
      }
    }
  },
};

/** `sha256` and an `@sha256:` digest in the url must agree, or every fetch fails. */
export const digestMismatch: Rule = {
  id: 'supply-chain/digest-mismatch',
  severity: 'error',
  docs: {
    summary: 'The `sha256` field and an `@sha256:` digest in the url disagree: Istio fails every fetch. Fail-closed, the proxy never gets the plugin before 1.25 (the config is NACKed and new listeners stay not ready) and answers every request on the listener with 403 from 1.25 on.',
    bad: `new WasmPlugin(ns, 'p', {
  url: 'oci://ghcr.io/acme/auth@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  sha256: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  targets: [waypoint],
});`,
    message: 'WasmPlugin shop/p: sha256 bbbbbbbbbbbb... does not match the digest in the url (aaaaaaaaaaaa...)',
    fix: 'Keep one digest: drop the sha256 field or make it equal to the url digest.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const spec = specOf(o);
      if (typeof spec.url !== 'string' || typeof spec.sha256 !== 'string' || spec.sha256 === '') continue;
      const { digest } = ociReference(spec.url);
      if (digest && digest !== spec.sha256) {
        ctx.report(o, { message: `WasmPlugin ${o.manifest.metadata.namespace ?? ''}/${o.manifest.metadata.name}: sha256 ${spec.sha256.slice(0, 12)}... does not match the digest in the url (${digest.slice(0, 12)}...)` });
      }
    }
  },
};

/** Plain http lets anyone on the path swap the module, unless a sha256 pins it. */
export const insecureUrl: Rule = {
  id: 'supply-chain/insecure-url',
  severity: 'warning',
  docs: {
    summary: 'An `http://` module URL can be tampered with in transit; without `sha256` it is an error.',
    bad: `new WasmPlugin(ns, 'p', { url: 'http://modules.internal/auth.wasm', targets: [waypoint] });`,
    message: 'WasmPlugin shop/p: module http://modules.internal/auth.wasm is fetched over plain http without sha256: anyone on the path can replace it',
    severity: 'error',
    fix: 'Use https:// or oci://, and set sha256.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const spec = specOf(o);
      if (typeof spec.url !== 'string' || urlScheme(spec.url) !== 'http') continue;
      const pinned = typeof spec.sha256 === 'string' && spec.sha256 !== '';
      ctx.report(o, {
        severity: pinned ? 'warning' : 'error',
        message: `WasmPlugin ${o.manifest.metadata.namespace ?? ''}/${o.manifest.metadata.name}: module ${printableUrl(spec.url)} is fetched over plain http${pinned ? ' (sha256 pins its content)' : ' without sha256: anyone on the path can replace it'}`,
      });
    }
  },
};

/**
 * istiod resolves imagePullSecret in the WasmPlugin's own namespace, whatever
 * namespace the name suggests; a missing secret makes every fetch fail.
 */
export const pullSecret: Rule = {
  id: 'supply-chain/pull-secret',
  severity: 'error',
  docs: {
    summary:
      "`imagePullSecret` must name a Secret in the WasmPlugin's own namespace (istiod ignores any other namespace). In policy code the WasmPlugin props refuse such a name first (`names/rfc1123`), so this rule speaks for manifests read with `validate --manifests`; it also warns when the Secret exists only in another namespace.",
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: p, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
  imagePullSecret: istio-system/regcred
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]`,
    message: 'WasmPlugin shop/p: imagePullSecret "istio-system/regcred" is not a Secret name; istiod looks it up in namespace shop only',
    fix: 'Create the docker-registry Secret in the plugin\'s namespace and give its bare name.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const secret = specOf(o).imagePullSecret;
      if (secret === undefined) continue;
      const ns = o.manifest.metadata.namespace ?? 'default';
      if (typeof secret !== 'string' || !isDnsSubdomain(secret)) {
        ctx.report(o, { message: `WasmPlugin ${ns}/${o.manifest.metadata.name}: imagePullSecret ${JSON.stringify(secret)} is not a Secret name; istiod looks it up in namespace ${ns} only` });
        continue;
      }
      const elsewhere = ctx.ofKind('Secret').filter((s) => s.manifest.metadata.name === secret && s.manifest.metadata.namespace !== ns);
      if (elsewhere.length > 0 && !ctx.find('Secret', ns, secret)) {
        ctx.report(o, {
          severity: 'warning',
          message: `WasmPlugin ${ns}/${o.manifest.metadata.name}: imagePullSecret '${secret}' exists only in namespace ${elsewhere.map((s) => s.manifest.metadata.namespace).join(', ')}; istiod looks in ${ns}`,
        });
      }
    }
  },
};
