/**
 * One measurement, in its own process (started by bench/run.ts as
 * `node --require <launcher> bench/child.ts <kind> ...`). Prints one JSON line: what
 * it did, its phase timings and its peak RSS. The parent times the whole
 * process from spawn to exit; the phases here only explain that number.
 *
 *   mesh     N OUT            our full synth: construct, validate, analyze, render, atomic write
 *   floor    N OUT TPL EMIT   plain objects, serialized by EMIT, written as the same files
 *   cdk8s    N OUT TPL        raw cdk8s: one Chart per namespace of plain ApiObjects, App.synth()
 *   emitters N TPL            serialize the mesh's files with every YAML emitter (no disk)
 *   template OUT             synth a one-namespace mesh (the baselines' template)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlainFile, Template } from './manifests';
import { threadCpuFromHere } from './thread-cpu';

const REPO = path.resolve(__dirname, '..');
const started = performance.now(); // ms since this process started: node + tsx boot
const threadCpu = threadCpuFromHere();
const phases: Record<string, number> = { boot: started };
let last = started;
function phase(name: string): void {
  const now = performance.now();
  phases[name] = (phases[name] ?? 0) + (now - last);
  last = now;
}

/** One file's text: `# ` header lines, then the document. */
type Emit = (doc: unknown, header: readonly string[]) => string;

function comments(header: readonly string[]): string {
  let head = '';
  for (const line of header) head += line === '' ? '#\n' : `# ${line}\n`;
  return head;
}

/** The YAML emitters the floor may use, loaded on demand. */
function emitter(name: string): Emit {
  switch (name) {
    case 'waypoint-policy': {
      const { toYaml } = require('../compiler/yaml') as typeof import('../compiler/yaml');
      // It writes the header itself, into one flat string.
      return (d, header) => toYaml(d as never, [...header]);
    }
    case 'js-yaml': {
      const jsyaml = require('js-yaml') as typeof import('js-yaml');
      return (d, header) => comments(header) + jsyaml.dump(d, { lineWidth: -1, noRefs: true });
    }
    case 'yaml': {
      const { stringify } = require('yaml') as typeof import('yaml');
      return (d, header) => comments(header) + stringify(d);
    }
    default:
      throw new Error(`unknown emitter ${name}`);
  }
}
const EMITTERS = ['waypoint-policy', 'js-yaml', 'yaml'];

function render(f: PlainFile, emit: Emit): string {
  return emit(f.doc, f.header);
}

function loadTemplate(file: string): Template {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Template;
}

function mesh(n: number, outdir: string): Record<string, unknown> {
  const { buildMesh } = require('./mesh') as typeof import('./mesh');
  const { synthToDirectory } = require('../compiler/synth') as typeof import('../compiler/synth');
  phase('load');
  const app = buildMesh(n);
  phase('construct');
  const result = synthToDirectory(app, { outdir, root: REPO });
  const t = result.timings as unknown as Record<string, number | undefined>;
  for (const [k, v] of Object.entries(t)) if (typeof v === 'number') phases[k] = v;
  last = performance.now();
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  return { objects: result.collected.model.objects.length, files: result.files.size, findings: result.findings.length, errors };
}

function floor(n: number, outdir: string, templateFile: string, emitName: string): Record<string, unknown> {
  const { meshFiles } = require('./manifests') as typeof import('./manifests');
  const emit = emitter(emitName);
  const template = loadTemplate(templateFile);
  phase('load');
  const files = meshFiles(template, n);
  phase('objects');
  const texts = files.map((f) => render(f, emit));
  phase('serialize');
  // Same disk work as synth on a fresh tree: a staging folder renamed into place.
  const staging = `${outdir}.new`;
  const made = new Set<string>();
  let bytes = 0;
  for (let i = 0; i < files.length; i++) {
    const file = path.join(staging, files[i].path);
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    fs.writeFileSync(file, texts[i]);
    bytes += texts[i].length;
  }
  fs.renameSync(staging, outdir);
  phase('write');
  return { objects: files.filter((f) => !f.path.endsWith('/kustomization.yaml')).length, files: files.length, bytes, emitter: emitName };
}

function cdk8s(n: number, outdir: string, templateFile: string): Record<string, unknown> {
  const { meshObjects } = require('./manifests') as typeof import('./manifests');
  const { ApiObject, App, Chart } = require('cdk8s') as typeof import('cdk8s');
  const template = loadTemplate(templateFile);
  phase('load');
  const app = new App({ outdir });
  let objects = 0;
  meshObjects(template, n).forEach((docs, i) => {
    const chart = new Chart(app, `ns-${i}`, { disableResourceNameHashes: true });
    docs.forEach((doc, j) => {
      const { apiVersion, kind, metadata, ...rest } = doc as { apiVersion: string; kind: string; metadata: Record<string, unknown> };
      new ApiObject(chart, `o${j}`, { apiVersion, kind, metadata, ...rest });
      objects++;
    });
  });
  phase('construct');
  app.synth();
  phase('synth');
  return { objects, files: fs.readdirSync(outdir).length };
}

function emitters(n: number, templateFile: string): Record<string, unknown> {
  const { meshFiles } = require('./manifests') as typeof import('./manifests');
  const files = meshFiles(loadTemplate(templateFile), n);
  phase('load');
  const ms: Record<string, number> = {};
  const bytes: Record<string, number> = {};
  for (const name of EMITTERS) {
    const emit = emitter(name);
    emit(files[0].doc, files[0].header); // load and warm up outside the timing
    const t = performance.now();
    let b = 0;
    for (const f of files) b += render(f, emit).length;
    ms[name] = performance.now() - t;
    bytes[name] = b;
  }
  last = performance.now();
  const fastest = EMITTERS.reduce((a, b) => (ms[b] < ms[a] ? b : a));
  return { files: files.length, ms, bytes, fastest };
}

function template(outdir: string): Record<string, unknown> {
  const { buildMesh } = require('./mesh') as typeof import('./mesh');
  const { synthToDirectory } = require('../compiler/synth') as typeof import('../compiler/synth');
  synthToDirectory(buildMesh(1), { outdir, root: REPO });
  phase('synth');
  return {};
}

function main(argv: string[]): void {
  const [kind, ...args] = argv;
  let info: Record<string, unknown>;
  switch (kind) {
    case 'mesh':
      info = mesh(Number(args[0]), args[1]);
      break;
    case 'floor':
      info = floor(Number(args[0]), args[1], args[2], args[3]);
      break;
    case 'cdk8s':
      info = cdk8s(Number(args[0]), args[1], args[2]);
      break;
    case 'emitters':
      info = emitters(Number(args[0]), args[1]);
      break;
    case 'template':
      info = template(args[0]);
      break;
    default:
      throw new Error(`unknown measurement ${kind}`);
  }
  // maxRSS is in kilobytes on Linux and macOS; CPU time (user + system) is
  // steadier than wall time on a machine others share.
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  const threads = threadCpu(cpuMs);
  process.stdout.write(`${JSON.stringify({ kind, n: Number(args[0]) || undefined, ...info, phases, rssKb: usage.maxRSS, cpuMs, threads })}\n`);
}

main(process.argv.slice(2));
