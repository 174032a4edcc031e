import { formatFindings } from '../../analysis/finding';
import { readManifests } from '../../compiler/read-manifests';
import { formatResult, toJsonResult } from '../../simulator/format';
import { fingerprint } from '../../simulator/redact';
import { isSimulationError, RequestField } from '../../simulator/request';
import { simulate } from '../../simulator/simulate';
import { parseFlags } from '../args';
import { EXIT, Io, seeUsage, UsageError } from '../io';
import { loadPlugins } from '../plugins';
import { MESH_FLAGS, MESH_FLAGS_USAGE, meshFlags } from '../mesh-flags';
import { manifestsPath } from '../manifests-flag';

export const usage = `waypoint-policy explain --to NAMESPACE/SERVICE[:PORT] [--via NAMESPACE/GATEWAY] [--method M] [--path P]
                        [-H 'Name: value']... [--authority HOST[:PORT]] [--manifests DIR] [--plugins FILE|PACKAGE]...
                        [--target NAME] [--root-namespace NS] [--cluster-domain DOMAIN] [--json]

Simulate one request against the manifests in DIR (default: dist; or one file) and explain,
without a cluster, which proxies it crosses (ingress gateway, waypoint), which
plugins run there in which order, and what each decides: 401, 200 (passed
through), or unknown when the outcome depends on something not simulated.
--json prints { "status": <number|null>, "trace": [...] }. Credentials and
header values appear only as fingerprints, except the values of a few
standard headers that carry no secret (accept, content-type, host,
user-agent...). --plugins imports a team's definePlugin modules first (a file,
or an installed package), so their simulation notes apply.
${MESH_FLAGS_USAGE}
The default --authority is the Service's name in that domain. Exit 0 with a
result (unknown included), 1 when the
manifests cannot be parsed, 2 on bad usage (a missing --manifests folder included).`;

const FLAG_OF: Record<RequestField, string> = {
  to: '--to',
  port: '--to',
  via: '--via',
  method: '--method',
  path: '--path',
  headers: '-H',
  authority: '--authority',
  target: '--target',
  model: '--manifests',
};

/** `Name: value`; a malformed one is reported by fingerprint only, as it may hold a credential. */
function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  const name = colon > 0 ? raw.slice(0, colon).trim() : '';
  if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`explain: -H expects 'Name: value', got ${fingerprint(raw)}. ${seeUsage('explain')}`);
  }
  return [name, raw.slice(colon + 1)];
}

export function explain(argv: string[], io: Io): number {
  const { values } = parseFlags('explain', argv, {
    manifests: { type: 'string' },
    plugins: { type: 'string', multiple: true },
    target: { type: 'string' },
    to: { type: 'string' },
    via: { type: 'string' },
    method: { type: 'string' },
    path: { type: 'string' },
    header: { type: 'string', short: 'H', multiple: true },
    authority: { type: 'string' },
    ...MESH_FLAGS,
    json: { type: 'boolean' },
  });
  const mesh = meshFlags('explain', values);
  if (values.to === undefined) {
    throw new UsageError(`explain: --to NAMESPACE/SERVICE[:PORT] is required (the destination Service). ${seeUsage('explain')}`);
  }
  const headers = (values.header ?? []).map(parseHeader);

  const dirFlag = values.manifests ?? 'dist';
  const dir = manifestsPath('explain', values.manifests, dirFlag, io.cwd);
  loadPlugins('explain', values.plugins ?? [], io.cwd);
  const read = readManifests(dir, mesh);
  const errors = read.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    io.err(`${formatFindings(errors)}\nexplain: cannot simulate: the manifests in ${dirFlag} have errors.`);
    return EXIT.FAILED;
  }

  let result;
  try {
    result = simulate(read.model, {
      to: values.to,
      via: values.via,
      method: values.method,
      path: values.path,
      headers,
      authority: values.authority,
      target: values.target,
    });
  } catch (e) {
    if (!isSimulationError(e)) throw e;
    const flag = FLAG_OF[e.field];
    const message = e.message.startsWith(`${e.field} `) ? `${flag} ${e.message.slice(e.field.length + 1)}` : `${flag}: ${e.message}`;
    throw new UsageError(`explain: ${message}.${e.finding.fix ? ` ${e.finding.fix}` : ''}`);
  }
  io.out(values.json ? JSON.stringify(toJsonResult(result), null, 2) : formatResult(result));
  return EXIT.OK;
}
