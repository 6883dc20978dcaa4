/** The shape of the generated protobuf field tables (see `generate.ts`). */

/** Field flags (bits of a {@link FieldSpec}'s third element). */
export const FLAG = {
  /** A repeated field: a JSON array. */
  repeated: 1,
  /** A `map<string, V>`: a JSON object. */
  map: 2,
  /** An embedded Go struct (`json:",inline"`): its fields sit in the parent JSON object. */
  inline: 4,
  /** A pointer scalar whose zero value is kept (not dropped as `omitempty`). */
  keepZero: 8,
} as const;

/**
 * One field: JSON name, type and optional flags. The type is a protobuf scalar (`string`, `bool`, `int32`, `int64`,
 * `uint32`, `uint64`, `double`, `float`, `bytes`), a codec of a type with its own JSON form (`time`, `microtime`,
 * `duration`, `quantity`, `intorstring`, `raw`, `strings`) or a message key.
 */
export type FieldSpec = [name: string, type: string, flags?: number];

/** A message: field number → field. */
export type MessageTable = Readonly<Record<number, FieldSpec>>;
