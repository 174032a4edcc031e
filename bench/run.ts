/**
 * `npm run bench`: how long a full synth takes on large meshes, next to what
 * raw cdk8s takes and what serializing and writing the same files costs at
 * least (the floor). Every measurement runs in its own process; wall time is
 * taken here, from spawn to exit. See docs/performance.md.
 *
 *   --quick        N in {20, 50}, one run, no cold-start comparison (for tests)
 *   --runs K       repeat every measurement K times and report medians (default 3; cold starts at least 7)
 *   --sizes A,B    namespace counts (default 100,1000,5000)
 *   --tmpdir DIR   where the trees are written (default: the OS temp dir)
 *   --no-cold      skip the cold-start comparison
 *   --json         print the results as JSON on stdout (the lines go to stderr)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readTemplate } from './manifests';
import { CREDENTIAL_ENV, CREDENTIAL_VALUE, OBJECTS_PER_NAMESPACE } from './names';
import { Measurement, ratioLine, Ratios, RunResult, summarize } from './report';

const REPO = path.resolve(__dirname, '..');
const CHILD = path.join(__dirname, 'child.ts');
const CDK8S_APP = path.join(__dirname, 'cdk8s-equivalent');
/** Raw cdk8s is quadratic: beyond this it takes many minutes. */
const CDK8S_MAX = 1000;
const GNU_TIME = '/usr/bin/time';

interface Options {
  sizes: number[];
  runs: number;
  cold: boolean;
  tmpdir: string;
  json: boolean;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      runs: { type: 'string' },
      sizes: { type: 'string' },
      tmpdir: { type: 'string' },
      json: { type: 'boolean' },
      'no-cold': { type: 'boolean' },
    },
    strict: true,
  });
  const quick = Boolean(values.quick);
  const runs = Number(values.runs ?? (quick ? 1 : 3));
  const sizes = (values.sizes ?? (quick ? '20,50' : '100,1000,5000')).split(',').map(Number);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes must list positive integers, got ${values.sizes}`);
  return { sizes: [...new Set(sizes)].sort((a, b) => a - b), runs, cold: !quick && !values['no-cold'], tmpdir: values.tmpdir ?? os.tmpdir(), json: Boolean(values.json) };
}

type Run = RunResult;

/** Spawn a command and time it from spawn to exit; its last stdout line may be JSON. */
function timed(cmd: string, args: string[], cwd: string, timeTree = false): Promise<Run> {
  const useTime = fs.existsSync(GNU_TIME) && timeTree;
  const rssFile = useTime ? path.join(os.tmpdir(), `wp-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`) : undefined;
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile!, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) {
        reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${err.slice(-2000)}`));
        return;
      }
      const lastLine = out.trim().split('\n').pop() ?? '';
      let info: Record<string, unknown> = {};
      if (lastLine.startsWith('{')) info = JSON.parse(lastLine) as Record<string, unknown>;
      let rssKb = typeof info.rssKb === 'number' ? info.rssKb : undefined;
      let cpuMs = typeof info.cpuMs === 'number' ? info.cpuMs : undefined;
      if (rssFile && fs.existsSync(rssFile)) {
        // GNU time: peak RSS of the largest process in the tree, CPU seconds of all of them.
        const [rss, user, sys] = (fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
        rssKb = rss;
        cpuMs = (user + sys) * 1000;
        fs.rmSync(rssFile, { force: true });
      }
      resolve({ wallMs, rssKb, cpuMs, info });
    });
  });
}

// Our synth boots the way the installed command does (cli/bin.cjs): its
// launcher loads the dependencies, then installs tsx's require hook. Raw
// cdk8s gets the same head start for the one it loads (cdk8s, with
// constructs), since after the hook it loads ~50 ms slower. The floor needs
// none of them, only the hook for the (TypeScript) child: its boot stays the
// least a process can do.
const LAUNCHER = path.join(REPO, 'cli', 'register.cjs');
function preload(kind: string): string[] {
  if (kind === 'mesh' || kind === 'template') return ['--require', LAUNCHER];
  if (kind === 'cdk8s') return ['--require', 'cdk8s', '--require', 'tsx/cjs'];
  return ['--require', 'tsx/cjs'];
}
const child = (args: string[]) => timed(process.execPath, [...preload(args[0]), CHILD, ...args], REPO);

// A cold start is over in half a second, and on this shared machine its
// three runs spread as far as 0.52-0.87 s (ours) in one bench: the median of
// three, and so the cold-start ratio, was up to that luck. Seven pairs cost
// ~25 s more and give a median that three slow runs cannot move.
const COLD_RUNS = 7;

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  process.env[CREDENTIAL_ENV] ??= CREDENTIAL_VALUE;
  const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
  const note = (line: string) => process.stderr.write(`  ${line}\n`);

  fs.mkdirSync(o.tmpdir, { recursive: true });
  const root = fs.mkdtempSync(path.join(o.tmpdir, 'wp-bench-'));
  // Trees are only removed at the very end: on ext4 without a journal (this
  // machine's), creating files right after deleting many is several times slower.
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true });
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  let seq = 0;
  const outdir = (label: string) => path.join(root, `${label}-${++seq}`);

  try {
    say(`# waypoint-policy bench: node ${process.version}, ${os.cpus().length} cpu(s), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, trees under ${o.tmpdir}`);
    say(`# sizes ${o.sizes.join(', ')} namespaces x ${OBJECTS_PER_NAMESPACE} objects; ${o.runs} run(s) each, medians`);

    // The baselines stamp out the namespace synth really writes.
    const tplDir = outdir('template');
    await child(['template', tplDir]);
    const templateFile = path.join(root, 'template.json');
    fs.writeFileSync(templateFile, JSON.stringify(readTemplate(tplDir)));

    // The floor uses whichever YAML emitter is fastest here.
    const probeN = Math.min(Math.max(...o.sizes.filter((n) => n <= 1000), o.sizes[0]), 1000);
    const probe = await child(['emitters', String(probeN), templateFile]);
    const ms = probe.info.ms as Record<string, number>;
    const fastest = String(probe.info.fastest);
    say(
      `emitters n=${probeN} ${Object.entries(ms)
        .map(([k, v]) => `${k}=${v.toFixed(0)}ms`)
        .join(' ')} -> floor uses ${fastest}`,
    );

    const runs = new Map<string, Run[]>();
    const record = (key: string, r: Run) => {
      if (!runs.has(key)) runs.set(key, []);
      runs.get(key)!.push(r);
      note(`${key} run ${runs.get(key)!.length}: ${(r.wallMs / 1000).toFixed(2)} s`);
    };

    for (let run = 0; run < o.runs; run++) {
      for (const n of o.sizes) {
        // Paired: floor and mesh back to back, in alternating order, so drift
        // in the machine's load hits both alike.
        const pair: [string, () => Promise<Run>][] = [
          [`floor/${n}`, () => child(['floor', String(n), outdir(`floor${n}`), templateFile, fastest])],
          [`mesh/${n}`, () => child(['mesh', String(n), outdir(`mesh${n}`)])],
        ];
        if (run % 2 === 1) pair.reverse();
        for (const [key, go] of pair) record(key, await go());
        if (n <= CDK8S_MAX) record(`cdk8s/${n}`, await child(['cdk8s', String(n), outdir(`cdk8s${n}`), templateFile]));
      }
    }

    if (o.cold) {
      // Each tool's own command as installed (`waypoint-policy synth`, `cdk8s
      // synth`), started the same way: node on its bin, no npx in front. The
      // cdk8s app itself runs as its cdk8s.yaml says: `npx ts-node main.ts`.
      // No upgrade check: it would time the network.
      const ours = () => timed(process.execPath, [path.join(REPO, 'cli', 'bin.cjs'), 'synth', '--outdir', outdir('cold-ours')], REPO, true);
      const cdk8sBin = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
      const theirs = () => timed(process.execPath, [cdk8sBin, 'synth', '--no-check-upgrade', '--output', outdir('cold-cdk8s')], CDK8S_APP, true);
      // One unmeasured run each fills the transpile caches and the page cache.
      await ours();
      await theirs();
      for (let run = 0; run < Math.max(o.runs, COLD_RUNS); run++) {
        const pair: [string, () => Promise<Run>][] = [
          ['cold/ours', ours],
          ['cold/cdk8s-ts-node', theirs],
        ];
        if (run % 2 === 1) pair.reverse();
        for (const [key, go] of pair) record(key, await go());
      }
    }

    const measurements: Measurement[] = [];
    for (const [key, rs] of runs) measurements.push(summarize(key, rs));
    const order = (m: Measurement) => (m.kind.startsWith('cold') ? 1e9 : 0) + (m.n ?? 0) * 10 + ['floor', 'mesh', 'cdk8s'].indexOf(m.kind);
    measurements.sort((a, b) => order(a) - order(b));
    for (const m of measurements) say(m.line);

    // Wall time is what the targets are about; CPU time, printed first, is
    // steadier when others load the machine. The wall ratios come last.
    const cpuRatios: Ratios = ratioLine(measurements, o.sizes, 'cpuMs');
    const ratios: Ratios = ratioLine(measurements, o.sizes);
    say(cpuRatios.line);
    say(ratios.line);
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ node: process.version, cpus: os.cpus().length, runs: o.runs, sizes: o.sizes, emitters: ms, floorEmitter: fastest, measurements, ratios: ratios.values, cpuRatios: cpuRatios.values }, null, 2)}\n`);
    }
  } finally {
    cleanup();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
