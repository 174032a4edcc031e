/**
 * The bench mesh as plain objects, for the two baselines.
 *
 * So that the baselines always handle exactly the objects synth emits (GitOps
 * metadata included, whatever the current rules are), the bench first
 * synthesizes a one-namespace mesh, reads that namespace's files back as a
 * template, and each baseline stamps it out N times as plain objects. The
 * floor writes them at the same paths, so both trees have the same files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { namespaceName, TARGET } from './names';

export type Plain = { [key: string]: unknown };

export interface PlainFile {
  /** `/`-separated path under the output directory. */
  readonly path: string;
  /** Comment lines written above the document (without `# `). */
  readonly header: readonly string[];
  readonly doc: Plain;
}

/** One namespace's files, with the namespace name cut out of their JSON. */
export interface Template {
  readonly files: readonly { readonly stage: string; readonly file: string; readonly header: string[]; readonly json: string[] }[];
  /** Header of the kustomization.yaml files above the namespace folders. */
  readonly kustomizationHeader: string[];
}

const NS0 = namespaceName(0);

function splitHeader(text: string): { header: string[]; body: string } {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].startsWith('#')) i++;
  return { header: lines.slice(0, i).map((l) => l.replace(/^# ?/, '')), body: lines.slice(i).join('\n') };
}

/** Read the template from a synthesized `buildMesh(1)` tree. */
export function readTemplate(outdir: string): Template {
  // Loaded here only: the floor must not pay for a YAML parser it never uses.
  const { parse } = require('yaml') as typeof import('yaml');
  const files: Template['files'][number][] = [];
  for (const stage of fs.readdirSync(path.join(outdir, TARGET)).sort()) {
    const dir = path.join(outdir, TARGET, stage, NS0);
    if (!fs.statSync(path.join(outdir, TARGET, stage)).isDirectory() || !fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      const { header, body } = splitHeader(fs.readFileSync(path.join(dir, file), 'utf8'));
      files.push({ stage, file: file.split(NS0).join('\u0000'), header, json: JSON.stringify(parse(body)).split(NS0) });
    }
  }
  const top = splitHeader(fs.readFileSync(path.join(outdir, TARGET, 'kustomization.yaml'), 'utf8'));
  return { files, kustomizationHeader: top.header };
}

function kustomization(resources: string[]): Plain {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources].sort() };
}

/** Every file of an N-namespace mesh, as plain objects. */
export function meshFiles(template: Template, n: number): PlainFile[] {
  const files: PlainFile[] = [];
  const stages = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const ns = namespaceName(i);
    for (const t of template.files) {
      files.push({ path: `${TARGET}/${t.stage}/${ns}/${t.file.split('\u0000').join(ns)}`, header: t.header, doc: JSON.parse(t.json.join(ns)) as Plain });
      let list = stages.get(t.stage);
      if (!list) stages.set(t.stage, (list = []));
      if (list[list.length - 1] !== ns) list.push(ns);
    }
  }
  for (const [stage, nss] of stages) {
    files.push({ path: `${TARGET}/${stage}/kustomization.yaml`, header: template.kustomizationHeader, doc: kustomization(nss) });
  }
  files.push({ path: `${TARGET}/kustomization.yaml`, header: template.kustomizationHeader, doc: kustomization([...stages.keys()]) });
  return files;
}

/** The object manifests only (no kustomizations), grouped by namespace, for the raw cdk8s baseline. */
export function meshObjects(template: Template, n: number): Plain[][] {
  const out: Plain[][] = [];
  for (let i = 0; i < n; i++) {
    const ns = namespaceName(i);
    out.push(template.files.filter((t) => t.file !== 'kustomization.yaml').map((t) => JSON.parse(t.json.join(ns)) as Plain));
  }
  return out;
}
