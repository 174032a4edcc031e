import type { ScalarTag } from 'yaml';

/*
 * kubectl, Argo CD and Flux read a manifest with sigs.k8s.io/yaml, which
 * decodes it with Go's YAML 1.1 reader (go.yaml.in/yaml/v2, resolve.go) and
 * converts the result to JSON. The tags below make the JavaScript reader
 * resolve a plain (unquoted) scalar as that reader does, so every check sees
 * what the cluster would get: `defaultMode: 0644` is 420 there, `1_000` is
 * 1000, `0b101` is 5, where YAML 1.2 reads 644 and two strings.
 */

const GO_NULL = /^(?:|~|null|Null|NULL)$/;
const GO_TRUE = /^(?:[yY]|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const GO_FALSE = /^(?:[nN]|no|No|NO|false|False|FALSE|off|Off|OFF)$/;

/** An unquoted y, yes, on, n, no, off (any of their capitalised forms) is a boolean there, not a string. */
export const GO_YAML_BOOLEAN: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: /^(?:[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/,
  // true and false never reach here (the test above leaves them to YAML 1.2's own tag).
  resolve: (source) => GO_TRUE.test(source),
};

/*
 * Go strips every `_` from a scalar that starts with a sign or a digit, then
 * reads it with strconv.ParseInt(s, 0, 64) (a sign; 0x, 0o, 0b in either
 * case; a bare leading 0 is octal) or, unsigned, ParseUint. These patterns
 * are those forms with an `_` allowed anywhere after the first character.
 */
const GO_INT = /^(?:[-+]_*)?(?:0_*[xX](?:_*[0-9a-fA-F])+|0_*[oO](?:_*[0-7])+|0_*[bB](?:_*[01])+|0(?:_*[0-7])*|[1-9](?:_*[0-9])*)_*$/;

/** The float syntax Go's reader accepts once the `_` are stripped (its yamlStyleFloat). */
const GO_FLOAT_STRIPPED = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/*
 * The floats: `.inf` and `.nan` in their three spellings (a sign on .inf
 * only); a scalar starting with `.`, which Go hands to strconv.ParseFloat
 * as written (an `_` only between two digits); and one starting with a sign
 * or a digit, `_` anywhere after the first character (stripped, as above).
 */
const GO_FLOAT = new RegExp(
  [
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/.source,
    /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/.source,
    /^(?:[-+]_*(?:\.(?:_*[0-9])+|[0-9](?:_*[0-9])*(?:_*\.(?:_*[0-9])*)?)|[0-9](?:_*[0-9])*(?:_*\.(?:_*[0-9])*)?)(?:_*[eE]_*(?:[-+]_*)?[0-9](?:_*[0-9])*)?_*$/.source,
  ].join('|'),
);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The integer Go reads from `source`, or undefined when it reads none: not
 * its syntax, or out of range (ParseInt's int64, or ParseUint's uint64 for
 * an unsigned one).
 */
export function goInteger(source: string): bigint | undefined {
  if (!GO_INT.test(source)) return undefined;
  const plain = source.replace(/_/g, '');
  const sign = plain[0] === '-' || plain[0] === '+' ? plain[0] : '';
  const digits = plain.slice(sign.length);
  // BigInt reads 0x, 0o and 0b in either case, but a bare leading 0 as decimal.
  const magnitude = BigInt(/^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits);
  const n = sign === '-' ? -magnitude : magnitude;
  if (sign === '' ? n <= UINT64_MAX : n >= INT64_MIN && n <= INT64_MAX) return n;
  return undefined;
}

/**
 * The float Go reads from `source` (a scalar that is no integer), or the
 * string itself: past ParseFloat's range (`1e400`), and a hex or binary
 * integer past uint64, it is a string there. A huge leading-zero "octal"
 * falls through to ParseFloat, which reads it as decimal.
 */
function goFloat(source: string): number | string {
  switch (source) {
    case '.inf': case '.Inf': case '.INF': case '+.inf': case '+.Inf': case '+.INF':
      return Infinity;
    case '-.inf': case '-.Inf': case '-.INF':
      return -Infinity;
    case '.nan': case '.NaN': case '.NAN':
      return NaN;
  }
  const plain = source.replace(/_/g, '');
  if (!GO_FLOAT_STRIPPED.test(plain)) return source;
  const value = Number(plain);
  return Number.isFinite(value) ? value : source;
}

export const GO_YAML_INT: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: GO_INT,
  resolve: (source) => {
    const n = goInteger(source);
    return n === undefined ? goFloat(source) : Number(n);
  },
};

export const GO_YAML_FLOAT: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: GO_FLOAT,
  resolve: (source) => goFloat(source),
};

/** Whether Go's reader takes the plain scalar `s` for an integer or a float (an `_` anywhere after its first character, `.inf`, `.nan`). */
export const goReadsAsNumber = (s: string): boolean => GO_INT.test(s) || GO_FLOAT.test(s);

/** YAML 1.2's int and float tags, which the Go tags above replace. */
export const isYaml12Number = (tag: { tag: string }): boolean => tag.tag === 'tag:yaml.org,2002:int' || tag.tag === 'tag:yaml.org,2002:float';

/**
 * The JSON key sigs.k8s.io/yaml makes of a number key Go read from
 * `source`: an integer in decimal (strconv.Itoa, exact past 2^53), a float
 * as strconv.FormatFloat(f, 'g', -1, 32) does (float32's shortest digits,
 * an exponent from 1e+06 and below 1e-04), and .inf, -.inf, .nan.
 */
export function goNumberKey(source: string, value: number): string {
  const n = goInteger(source);
  if (n !== undefined) return n.toString();
  if (Number.isNaN(value)) return '.nan';
  const f = Math.fround(value);
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // The fewest significant digits that read back as the same float32.
  let digits = 1;
  while (digits < 9 && Math.fround(Number(f.toExponential(digits - 1))) !== f) digits++;
  const [mantissa, exp] = f.toExponential(digits - 1).split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  // At most 9 significant digits and a small exponent: JavaScript prints it in plain decimal, the same digits.
  return String(Number(`${mantissa}e${exp}`));
}

/** What Go's reader resolves a scalar to when no tag says otherwise (resolve.go's resolve with tag ""), timestamps aside. */
interface GoResolved {
  readonly kind: 'null' | 'bool' | 'int' | 'float' | 'str';
  readonly value: unknown;
  /** An integer past int64, which only ParseUint reads: Go makes no float of it. */
  readonly unsigned?: boolean;
}

function goResolve(source: string): GoResolved {
  if (GO_NULL.test(source)) return { kind: 'null', value: null };
  if (GO_TRUE.test(source)) return { kind: 'bool', value: true };
  if (GO_FALSE.test(source)) return { kind: 'bool', value: false };
  const n = goInteger(source);
  if (n !== undefined) return { kind: 'int', value: Number(n), unsigned: n > INT64_MAX };
  if (GO_INT.test(source) || GO_FLOAT.test(source)) {
    const f = goFloat(source);
    if (typeof f === 'number') return { kind: 'float', value: f };
  }
  return { kind: 'str', value: source };
}

/** How an error names what Go read a tagged value as. */
const GO_KIND_NAMES: Record<GoResolved['kind'], string> = { null: 'null', bool: 'a boolean', int: 'an integer', float: 'a float', str: 'a string' };

/** The start of the error an explicit tag Go refuses gives: readDocuments gives it its own fix. */
export const GO_TAG_REFUSED = 'an explicit !!';

/*
 * An explicit !!int, !!float, !!bool or !!null: Go resolves the value (a
 * quoted one too) as it would with no tag, then keeps it only if it is of
 * the tag's kind, or an int64 under !!float (made a float); anything else
 * fails the file ("cannot decode !!float `1.5` as a !!int"). No `test` and
 * no `default`: the JavaScript reader then uses these for explicit tags
 * only, and the tags above for plain scalars.
 */
function explicitTag(kind: 'int' | 'float' | 'bool' | 'null'): ScalarTag {
  return {
    tag: `tag:yaml.org,2002:${kind}`,
    resolve: (source, onError) => {
      const read = goResolve(source);
      if (read.kind === kind || (kind === 'float' && read.kind === 'int' && !read.unsigned)) return read.value;
      // The value itself is not quoted: the file may be a Secret.
      onError(
        `${GO_TAG_REFUSED}${kind} tag on a value Go's YAML 1.1 reader reads as ${GO_KIND_NAMES[read.kind]}${read.unsigned ? ' past int64' : ''}; kubectl, Argo CD and Flux refuse the file (cannot decode !!${read.kind} as a !!${kind})`,
      );
      return source;
    },
  };
}

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Go's four timestamp layouts (resolve.go's allowedTimestampFormats, read by
 * time.Parse): a date with one- or two-digit month and day, then optionally
 * a time with a `T` or `t` and a zone, or a space and no zone.
 */
const GO_TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[+-](\d{2}):(\d{2}))|[ ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?)?$/;

/** Whether time.Parse takes `s` in one of Go's timestamp layouts: the fields in range, the day in its month. */
function isGoTimestamp(s: string): boolean {
  const m = GO_TIMESTAMP.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1])) return false;
  const [hour, minute, second] = m[4] !== undefined ? [m[4], m[5], m[6]].map(Number) : [m[9], m[10], m[11]].map(Number);
  // A zone offset may be 24 hours or 60 minutes (time.Parse tests them with >).
  if (m[7] !== undefined && (Number(m[7]) > 24 || Number(m[8]) > 60)) return false;
  return m[4] === undefined && m[9] === undefined ? true : hour < 24 && minute < 60 && second < 60;
}

/*
 * An explicit !!timestamp: Go checks the value (a quoted one too) against its
 * layouts, and, decoding into the untyped value sigs.k8s.io/yaml reads,
 * keeps the text as written (yaml.v2 does so for backward compatibility);
 * a value in no layout fails the file. JavaScript's reader would make a Date.
 */
const GO_TIMESTAMP_TAG: ScalarTag = {
  tag: 'tag:yaml.org,2002:timestamp',
  resolve: (source, onError) => {
    if (isGoTimestamp(source)) return source;
    onError(`${GO_TAG_REFUSED}timestamp tag on a value in none of the layouts Go's YAML 1.1 reader reads as a timestamp; kubectl, Argo CD and Flux refuse the file (cannot decode !!str as a !!timestamp)`);
    return source;
  },
};

/** Base64 as Go's StdEncoding decodes it (padding required), once it has dropped line breaks. */
const GO_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A UTF-8 lead byte's sequence length and the range of its first continuation byte (utf8.acceptRanges); length 0: no lead byte. */
function utf8Sequence(lead: number): readonly [number, number, number] {
  if (lead < 0x80) return [1, 0, 0];
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf]; // no overlong forms
  if (lead === 0xed) return [3, 0x80, 0x9f]; // no surrogates
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf]; // no overlong forms
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f]; // nothing past U+10FFFF
  return [0, 0, 0];
}

/**
 * The string Go's JSON writer makes of bytes: valid UTF-8 as it is, and each
 * byte that starts no valid sequence (utf8.DecodeRune's width 1) as U+FFFD.
 * Node's decoder replaces a broken sequence as one character instead.
 */
function goJsonString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const [n, lo, hi] = utf8Sequence(b);
    // The first continuation byte has the lead's own range (no overlong forms, no surrogates); the others 0x80-0xBF.
    let ok = n > 0 && i + n <= bytes.length;
    for (let k = 1; ok && k < n; k++) ok = bytes[i + k] >= (k === 1 ? lo : 0x80) && bytes[i + k] <= (k === 1 ? hi : 0xbf);
    if (!ok) {
      out += '\uFFFD';
      i++;
      continue;
    }
    out += Buffer.from(bytes.subarray(i, i + n)).toString('utf8');
    i += n;
  }
  return out;
}

/*
 * An explicit !!binary: Go decodes the base64 and keeps the bytes as a
 * string, which sigs.k8s.io/yaml writes as JSON text; a value that is not
 * base64 fails the file. JavaScript's reader would make a Uint8Array.
 */
const GO_BINARY_TAG: ScalarTag = {
  tag: 'tag:yaml.org,2002:binary',
  resolve: (source, onError) => {
    const b64 = source.replace(/[\r\n]/g, '');
    if (GO_BASE64.test(b64)) return goJsonString(Buffer.from(b64, 'base64'));
    // The value itself is not quoted: the file may be a Secret.
    onError(`${GO_TAG_REFUSED}binary tag on a value that is not base64 (padded, with no spaces); kubectl, Argo CD and Flux refuse the file (!!binary value contains invalid base64 data)`);
    return source;
  },
};

/**
 * The explicit tags as Go's reader takes them (`!!str` needs none: any value
 * is its string, as in JavaScript). `!!set`, `!!omap` and `!!pairs` are no
 * tags of Go's: it reads them as the mapping or list they are written as,
 * which is what the JavaScript reader does with a tag it does not know
 * (readDocuments turns off its own known tags).
 */
export const GO_YAML_EXPLICIT_TAGS: readonly ScalarTag[] = [explicitTag('int'), explicitTag('float'), explicitTag('bool'), explicitTag('null'), GO_TIMESTAMP_TAG, GO_BINARY_TAG];
