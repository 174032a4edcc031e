import { parseAllDocuments } from 'yaml';
import { readDocuments, type FileDocuments } from '../compiler/manifest-documents';
import { hasConflictMarkers } from '../compiler/conflict-markers';
import { yamlErrorReason } from '../compiler/yaml-error-reason';
import { readEmitted } from '../compiler/emitted-yaml';

/** A YAML text as the object diff reads it: each document's value, or why the text cannot be read. */
export type PlainDocuments = { readonly values: readonly unknown[] } | { readonly error: string };

/**
 * The files of one review, each text parsed once per reader. A pull request
 * changes a few files of thousands, and the two revisions share the rest:
 * each shared text was parsed four times (the object diff and the model, for
 * each revision), half of a review's time at 300 namespaces. Every caller
 * gets its own copy of the values: the model fills in defaults on what it
 * reads. `review()` gives each reader an instance of its own, dropped once
 * both revisions are read, so only one reader's cache is held at a time.
 */
export class ParsedFiles {
  private readonly plain = new Map<string, PlainDocuments>();
  private readonly go = new Map<string, FileDocuments>();

  /** The documents of `text` as YAML 1.2 reads them (`toJS`), or the first document's error. */
  public plainDocuments(text: string): PlainDocuments {
    let found = this.plain.get(text);
    if (found === undefined) {
      found = plainDocumentsOf(text);
      this.plain.set(text, found);
    }
    return 'error' in found ? found : { values: structuredClone(found.values) };
  }

  /** `readDocuments(rel, bytes)`: a text read before without a finding is not parsed again (a finding names its file). */
  public documents(rel: string, bytes: Buffer): FileDocuments {
    // latin1 maps each byte to one character: equal keys are equal bytes, valid UTF-8 or not.
    const key = bytes.toString('latin1');
    let found = this.go.get(key);
    if (found === undefined) {
      found = readDocuments(rel, bytes);
      if (found.findings.length > 0) return found;
      this.go.set(key, found);
    }
    return { text: found.text, values: found.values.map(({ value, line }) => ({ value: structuredClone(value), line })), findings: [] };
  }
}

function plainDocumentsOf(text: string): PlainDocuments {
  // Synth's own files need no general parser (compiler/emitted-yaml.ts): toYaml's output reads back, in YAML 1.2 too, as the value written.
  const emitted = readEmitted(text);
  return emitted !== undefined ? { values: [emitted.value] } : parsePlainDocuments(text);
}

/** plainDocumentsOf, always through the general YAML parser. */
export function parsePlainDocuments(text: string): PlainDocuments {
  const values: unknown[] = [];
  // yaml's warnings go to stderr and quote the file (a map key that is a list, say): a credential may be there.
  for (const doc of parseAllDocuments(text, { logLevel: 'error' }) as ReturnType<typeof parseAllDocuments> & unknown[]) {
    if (doc.errors.length > 0) return { error: hasConflictMarkers(text) ? 'it holds merge-conflict markers: regenerate it with synth instead of resolving it by hand' : yamlErrorReason(doc.errors[0].message) };
    try {
      values.push(doc.toJS({ maxAliasCount: 100 }));
    } catch (e) {
      return { error: yamlErrorReason((e as Error).message) };
    }
  }
  return { values };
}
