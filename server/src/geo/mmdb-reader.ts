import { closeSync, fstatSync, openSync } from 'node:fs';
import { FilePageCache, type PageCacheStats } from './file-page-cache';
import { MmdbDecoder, MmdbFormatError, type MmdbMap, type MmdbValue } from './mmdb-decoder';

export interface MmdbReaderOptions {
  pageSizeBytes?: number;
  maxCachedPages?: number;
}

export interface MmdbMetadata {
  nodeCount: number;
  recordSizeBits: 24 | 28 | 32;
  ipVersion: 4 | 6;
  databaseType: string;
  binaryFormatMajorVersion: number;
  binaryFormatMinorVersion: number;
}

/** 4 KiB pages, 512 of them: at most 2 MiB of cache per open file. */
export const defaultPageSizeBytes = 4096;
export const defaultMaxCachedPages = 512;

/**
 * Opens a MaxMind DB (`.mmdb`) file and checks its metadata and layout. The file stays on disk,
 * and each lookup reads only the tree nodes and data it needs, through a bounded page cache. The
 * reader keeps one file descriptor until `close`. Throws MmdbFormatError when the file is not a
 * usable MaxMind DB file, and the `fs` error (with its `code`, such as ENOENT) when it cannot be read.
 */
export function openMmdbReader(filePath: string, options: MmdbReaderOptions = {}): MmdbReader {
  const fd = openSync(filePath, 'r');
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new MmdbFormatError('not a regular file');
    }
    const pages = new FilePageCache(fd, stats.size, {
      pageSizeBytes: options.pageSizeBytes ?? defaultPageSizeBytes,
      maxPageCount: options.maxCachedPages ?? defaultMaxCachedPages,
    });
    return new MmdbReader(filePath, fd, pages, readLayout(pages, stats.size));
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Looks addresses up in one MaxMind DB file; see `openMmdbReader`. */
export class MmdbReader {
  private readonly data: MmdbDecoder;
  private readonly nodeByteSize: number;
  private readonly ipv4StartNode: number;
  private isClosed = false;

  /** Use `openMmdbReader`, which validates the file first. */
  constructor(
    readonly filePath: string,
    private readonly fd: number,
    private readonly pages: FilePageCache,
    private readonly layout: MmdbLayout,
  ) {
    this.nodeByteSize = layout.metadata.recordSizeBits / 4;
    this.data = new MmdbDecoder(pages, layout.dataSectionStart, layout.dataSectionEnd);
    this.ipv4StartNode = layout.metadata.ipVersion === 6 ? this.findIpv4StartNode() : 0;
  }

  get metadata(): MmdbMetadata {
    return this.layout.metadata;
  }

  /**
   * Returns the record for an address given as 4 (IPv4) or 16 (IPv6) bytes in network order, or
   * null when the database has none. Throws MmdbFormatError when the file turns out to be corrupt.
   */
  lookup(addressBytes: Uint8Array): MmdbValue | null {
    if (this.isClosed) {
      throw new Error(`MaxMind DB reader for ${this.filePath} is closed`);
    }
    if (addressBytes.length !== 4 && addressBytes.length !== 16) {
      throw new RangeError(`an address has 4 or 16 bytes, got ${addressBytes.length}`);
    }
    if (addressBytes.length === 16 && this.metadata.ipVersion === 4) {
      throw new RangeError(`${this.filePath} is an IPv4 database and cannot look up an IPv6 address`);
    }
    const { nodeCount } = this.metadata;
    const bitCount = addressBytes.length * 8;
    let record = addressBytes.length === 4 ? this.ipv4StartNode : 0;
    for (let bit = 0; bit < bitCount && record < nodeCount; bit += 1) {
      const isRight = ((addressBytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1;
      record = this.readRecord(record, isRight === 1);
    }
    // A record equal to the node count means "no data". One still below it after the last bit
    // would be a tree deeper than the address, which the format does not allow.
    if (record <= nodeCount) {
      return null;
    }
    return this.data.decode(this.toDataPosition(record));
  }

  pageCacheStats(): PageCacheStats {
    return this.pages.stats();
  }

  /** Closes the file descriptor; later lookups throw. Closing twice is allowed. */
  close(): void {
    if (!this.isClosed) {
      this.isClosed = true;
      closeSync(this.fd);
    }
  }

  // IPv4 addresses sit at ::a.b.c.d in an IPv6 tree, so their search starts after 96 zero bits.
  private findIpv4StartNode(): number {
    let record = 0;
    for (let bit = 0; bit < 96 && record < this.metadata.nodeCount; bit += 1) {
      record = this.readRecord(record, false);
    }
    return record;
  }

  /** Reads the left or right record of a node: a node number, the node count ("no data") or a data pointer. */
  private readRecord(node: number, isRight: boolean): number {
    const bytes = this.pages.read(node * this.nodeByteSize, this.nodeByteSize);
    switch (this.metadata.recordSizeBits) {
      case 24:
        return isRight ? bytes.readUIntBE(3, 3) : bytes.readUIntBE(0, 3);
      case 28: {
        // The middle byte contains bits 27..24 of the left record in its high nibble and of the
        // right record in its low nibble.
        const middle = bytes[3] as number;
        return isRight ? (middle & 0x0f) * 0x100_0000 + bytes.readUIntBE(4, 3) : (middle >> 4) * 0x100_0000 + bytes.readUIntBE(0, 3);
      }
      case 32:
        return isRight ? bytes.readUInt32BE(4) : bytes.readUInt32BE(0);
    }
  }

  // A data record is the node count, plus the 16-byte separator, plus an offset into the data section.
  private toDataPosition(record: number): number {
    const position = this.layout.dataSectionStart + (record - this.metadata.nodeCount - separatorByteSize);
    if (!this.data.isInSection(position)) {
      throw new MmdbFormatError(`${this.filePath}: search tree record ${record} points outside the data section`);
    }
    return position;
  }
}

interface MmdbLayout {
  metadata: MmdbMetadata;
  dataSectionStart: number;
  /** Offset of the metadata marker, where the data section ends. */
  dataSectionEnd: number;
}

const metadataMarker = Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1');
// The format limits the metadata section, marker included, to 128 KiB.
const maxMetadataByteSize = 128 * 1024;
const separatorByteSize = 16;

function readLayout(pages: FilePageCache, fileSizeBytes: number): MmdbLayout {
  const markerPosition = findMetadataMarker(pages, fileSizeBytes);
  const metadataStart = markerPosition + metadataMarker.length;
  const decoded = new MmdbDecoder(pages, metadataStart, fileSizeBytes).decode(metadataStart);
  const metadata = toMetadata(decoded);

  const searchTreeByteSize = (metadata.nodeCount * metadata.recordSizeBits) / 4;
  const dataSectionStart = searchTreeByteSize + separatorByteSize;
  if (dataSectionStart > markerPosition) {
    throw new MmdbFormatError(
      `the search tree of ${metadata.nodeCount} nodes needs ${dataSectionStart} bytes before the data section, but the metadata starts at offset ${markerPosition}; the file is truncated or corrupt`,
    );
  }
  if (pages.read(searchTreeByteSize, separatorByteSize).some((byte) => byte !== 0)) {
    throw new MmdbFormatError(`the 16 bytes after the search tree (offset ${searchTreeByteSize}) are not zero; the node count or record size is wrong`);
  }
  return { metadata, dataSectionStart, dataSectionEnd: markerPosition };
}

// The data section may contain the marker bytes too, so only the last occurrence counts.
function findMetadataMarker(pages: FilePageCache, fileSizeBytes: number): number {
  const tailLength = Math.min(fileSizeBytes, maxMetadataByteSize);
  const tailStart = fileSizeBytes - tailLength;
  const markerIndex = pages.read(tailStart, tailLength).lastIndexOf(metadataMarker);
  if (markerIndex === -1) {
    throw new MmdbFormatError('no MaxMind DB metadata marker in the last 128 KiB; the file is not an .mmdb database or is truncated');
  }
  return tailStart + markerIndex;
}

function toMetadata(decoded: MmdbValue): MmdbMetadata {
  if (!isMmdbMap(decoded)) {
    throw new MmdbFormatError('the metadata is not a map');
  }

  const majorVersion = readMetadataInteger(decoded, 'binary_format_major_version');
  if (majorVersion !== 2) {
    throw new MmdbFormatError(`binary format version ${majorVersion} is not supported; expected major version 2`);
  }

  const recordSizeBits = readMetadataInteger(decoded, 'record_size');
  if (recordSizeBits !== 24 && recordSizeBits !== 28 && recordSizeBits !== 32) {
    throw new MmdbFormatError(`record size ${recordSizeBits} is not supported; expected 24, 28 or 32 bits`);
  }

  const ipVersion = readMetadataInteger(decoded, 'ip_version');
  if (ipVersion !== 4 && ipVersion !== 6) {
    throw new MmdbFormatError(`ip_version ${ipVersion} is invalid; expected 4 or 6`);
  }

  const nodeCount = readMetadataInteger(decoded, 'node_count');
  if (nodeCount === 0 || nodeCount >= 2 ** recordSizeBits) {
    throw new MmdbFormatError(`node count ${nodeCount} does not fit ${recordSizeBits}-bit records`);
  }

  const databaseType = decoded.database_type;
  if (typeof databaseType !== 'string') {
    throw new MmdbFormatError('the metadata has no database_type string');
  }

  return {
    nodeCount,
    recordSizeBits,
    ipVersion,
    databaseType,
    binaryFormatMajorVersion: majorVersion,
    binaryFormatMinorVersion: readMetadataInteger(decoded, 'binary_format_minor_version'),
  };
}

function readMetadataInteger(metadata: MmdbMap, key: string): number {
  const value = metadata[key];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return value;
  }
  if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(value);
  }
  throw new MmdbFormatError(`the metadata has no unsigned integer ${key}`);
}

export function isMmdbMap(value: MmdbValue | null | undefined): value is MmdbMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
