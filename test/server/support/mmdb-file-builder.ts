/**
 * Writes small MaxMind DB files for reader tests: a search tree with the chosen record size, the
 * 16-byte separator, a data section of hand-encoded fields, the metadata marker and the metadata
 * map. The real DB-IP files only use 28-bit records and a few field types, so these files cover
 * the other layouts. Networks must not overlap.
 */
export class MmdbFileBuilder {
  private readonly nodes: [TreeRecord, TreeRecord][] = [[{ kind: 'empty' }, { kind: 'empty' }]];
  private readonly dataChunks: Buffer[] = [];
  private dataByteSize = 0;

  constructor(private readonly options: { recordSizeBits: 24 | 28 | 32; ipVersion: 4 | 6 }) {}

  /** Appends an encoded field to the data section and returns its offset there, for records and pointers. */
  addData(field: Buffer): number {
    const offset = this.dataByteSize;
    this.dataChunks.push(field);
    this.dataByteSize += field.length;
    return offset;
  }

  /** Points every address in the network to the data at `dataOffset`; an IPv4 network in an IPv6 tree goes under ::/96. */
  insertNetwork(address: Uint8Array, prefixLength: number, dataOffset: number): void {
    const isIpv4InIpv6 = this.options.ipVersion === 6 && address.length === 4;
    const bytes = isIpv4InIpv6 ? Uint8Array.from([...new Uint8Array(12), ...address]) : address;
    const bitCount = isIpv4InIpv6 ? prefixLength + 96 : prefixLength;
    let node = 0;
    for (let bit = 0; bit < bitCount; bit += 1) {
      const side = ((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1;
      const pair = this.nodes[node] as [TreeRecord, TreeRecord];
      const record = pair[side] as TreeRecord;
      if (bit === bitCount - 1) {
        pair[side] = { kind: 'data', offset: dataOffset };
      } else if (record.kind === 'node') {
        node = record.index;
      } else if (record.kind === 'empty') {
        this.nodes.push([{ kind: 'empty' }, { kind: 'empty' }]);
        node = this.nodes.length - 1;
        pair[side] = { kind: 'node', index: node };
      } else {
        throw new Error('overlapping networks are not supported by this builder');
      }
    }
  }

  /** Returns the file bytes. `metadata` replaces or adds metadata fields, for files that must be rejected. */
  build(metadata: Record<string, Buffer> = {}): Buffer {
    const nodeCount = this.nodes.length;
    const tree = Buffer.concat(this.nodes.map(([left, right]) => this.encodeNode(toRecordValue(left, nodeCount), toRecordValue(right, nodeCount))));
    const metadataMap = encodeField.map({
      binary_format_major_version: encodeField.uint16(2),
      binary_format_minor_version: encodeField.uint16(0),
      build_epoch: encodeField.uint64(1_780_000_000n),
      database_type: encodeField.string('ClinicGate-Test'),
      description: encodeField.map({ en: encodeField.string('Test database for the MaxMind DB reader') }),
      ip_version: encodeField.uint16(this.options.ipVersion),
      languages: encodeField.array([encodeField.string('en')]),
      node_count: encodeField.uint32(nodeCount),
      record_size: encodeField.uint16(this.options.recordSizeBits),
      ...metadata,
    });
    return Buffer.concat([tree, Buffer.alloc(16), ...this.dataChunks, metadataMarker, metadataMap]);
  }

  private encodeNode(left: number, right: number): Buffer {
    switch (this.options.recordSizeBits) {
      case 24: {
        const node = Buffer.alloc(6);
        node.writeUIntBE(left, 0, 3);
        node.writeUIntBE(right, 3, 3);
        return node;
      }
      case 28: {
        const node = Buffer.alloc(7);
        node.writeUIntBE(left % 0x100_0000, 0, 3);
        node[3] = (Math.floor(left / 0x100_0000) << 4) | Math.floor(right / 0x100_0000);
        node.writeUIntBE(right % 0x100_0000, 4, 3);
        return node;
      }
      case 32: {
        const node = Buffer.alloc(8);
        node.writeUInt32BE(left, 0);
        node.writeUInt32BE(right, 4);
        return node;
      }
    }
  }
}

export const metadataMarker = Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1');

/** Encoders for each field type of the data section, smallest encoding unless stated. */
export const encodeField = {
  string: (text: string): Buffer => withControl(FieldType.Utf8String, Buffer.from(text, 'utf8')),
  bytes: (bytes: Buffer): Buffer => withControl(FieldType.Bytes, bytes),
  double: (value: number): Buffer => {
    const payload = Buffer.alloc(8);
    payload.writeDoubleBE(value);
    return withControl(FieldType.Double, payload);
  },
  float: (value: number): Buffer => {
    const payload = Buffer.alloc(4);
    payload.writeFloatBE(value);
    return withControl(FieldType.Float, payload);
  },
  uint16: (value: number): Buffer => withControl(FieldType.Uint16, toMinimalBytes(BigInt(value))),
  uint32: (value: number): Buffer => withControl(FieldType.Uint32, toMinimalBytes(BigInt(value))),
  uint64: (value: bigint): Buffer => withControl(FieldType.Uint64, toMinimalBytes(value)),
  uint128: (value: bigint): Buffer => withControl(FieldType.Uint128, toMinimalBytes(value)),
  int32: (value: number): Buffer => {
    if (value >= 0) {
      return withControl(FieldType.Int32, toMinimalBytes(BigInt(value)));
    }
    const payload = Buffer.alloc(4);
    payload.writeInt32BE(value);
    return withControl(FieldType.Int32, payload);
  },
  boolean: (value: boolean): Buffer => controlBytes(FieldType.Boolean, value ? 1 : 0),
  map: (entries: Record<string, Buffer> | [Buffer, Buffer][]): Buffer => {
    const pairs = Array.isArray(entries) ? entries : Object.entries(entries).map(([key, value]): [Buffer, Buffer] => [encodeField.string(key), value]);
    return Buffer.concat([controlBytes(FieldType.Map, pairs.length), ...pairs.flat()]);
  },
  array: (items: Buffer[]): Buffer => Buffer.concat([controlBytes(FieldType.Array, items.length), ...items]),
  /** A pointer to a data-section offset; `sizeCode` forces a longer form than the value needs (3 always fits). */
  pointer: (offset: number, sizeCode?: 0 | 1 | 2 | 3): Buffer => {
    const code = sizeCode ?? smallestPointerSizeCode(offset);
    if (code === 3) {
      const pointer = Buffer.alloc(5);
      pointer[0] = 0x20 | (3 << 3);
      pointer.writeUInt32BE(offset, 1);
      return pointer;
    }
    const stored = offset - [0, 2048, 526_336][code]!;
    const valueByteCount = code + 1;
    const pointer = Buffer.alloc(1 + valueByteCount);
    pointer[0] = 0x20 | (code << 3) | Math.floor(stored / 2 ** (8 * valueByteCount));
    pointer.writeUIntBE(stored % 2 ** (8 * valueByteCount), 1, valueByteCount);
    return pointer;
  },
};

type TreeRecord = { kind: 'empty' } | { kind: 'node'; index: number } | { kind: 'data'; offset: number };

const enum FieldType {
  Utf8String = 2,
  Double = 3,
  Bytes = 4,
  Uint16 = 5,
  Uint32 = 6,
  Map = 7,
  Int32 = 8,
  Uint64 = 9,
  Uint128 = 10,
  Array = 11,
  Boolean = 14,
  Float = 15,
}

function toRecordValue(record: TreeRecord, nodeCount: number): number {
  switch (record.kind) {
    case 'empty':
      return nodeCount;
    case 'node':
      return record.index;
    case 'data':
      return nodeCount + 16 + record.offset;
  }
}

function withControl(type: FieldType, payload: Buffer): Buffer {
  return Buffer.concat([controlBytes(type, payload.length), payload]);
}

// A control byte contains the type in its top three bits (0 plus a second byte of type - 7 for types
// above 7) and the size in its low five bits, with 29 to 31 announcing 1 to 3 more size bytes.
function controlBytes(type: FieldType, size: number): Buffer {
  const typeBytes = type <= 7 ? [type << 5] : [0, type - 7];
  if (size < 29) {
    typeBytes[0]! |= size;
    return Buffer.from(typeBytes);
  }
  const [sizeBits, base, extraLength] = size < 285 ? [29, 29, 1] : size < 65_821 ? [30, 285, 2] : [31, 65_821, 3];
  typeBytes[0]! |= sizeBits;
  const extra = Buffer.alloc(extraLength);
  extra.writeUIntBE(size - base, 0, extraLength);
  return Buffer.concat([Buffer.from(typeBytes), extra]);
}

function smallestPointerSizeCode(offset: number): 0 | 1 | 2 | 3 {
  if (offset < 2048) {
    return 0;
  }
  if (offset < 526_336) {
    return 1;
  }
  if (offset < 134_744_064) {
    return 2;
  }
  return 3;
}

function toMinimalBytes(value: bigint): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0n; rest >>= 8n) {
    bytes.unshift(Number(rest & 0xffn));
  }
  return Buffer.from(bytes);
}
