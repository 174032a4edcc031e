import { IssueCollector } from './issue';

/**
 * The parts of ObjectMeta every kind must get right: a non-empty name, and
 * string-valued labels and annotations. Name and label *syntax* are their
 * own rules (`names/rfc1123`, `names/label-syntax`), run on every kind.
 */
export function checkMetadata(c: IssueCollector, metadata: unknown): void {
  if (metadata === undefined || metadata === null) {
    c.add('metadata', 'is required (metadata.name names the object)');
    return;
  }
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    c.add('metadata', 'must be an object');
    return;
  }
  const m = metadata as Record<string, unknown>;
  if (m.name === undefined || m.name === null) c.add('metadata.name', 'is required');
  else c.string(m.name, 'metadata.name', { min: 1 });
  if (m.namespace !== undefined && m.namespace !== null) c.string(m.namespace, 'metadata.namespace');
  if (m.labels !== undefined && m.labels !== null) c.stringMap(m.labels, 'metadata.labels', { keepNulls: true });
  if (m.annotations !== undefined && m.annotations !== null) c.stringMap(m.annotations, 'metadata.annotations', { keepNulls: true });
}

/** The fields every object has at its top level besides `spec`. */
export const TOP_LEVEL = ['apiVersion', 'kind', 'metadata', 'spec', 'status'] as const;
