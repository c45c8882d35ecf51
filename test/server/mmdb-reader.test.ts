import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Reader, type Response } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import { FilePageCache } from '../../server/src/geo/file-page-cache';
import { defaultGeoipSettings, openGeoLocator, type GeoLocation } from '../../server/src/geo/geo-locator';
import { MmdbFormatError, type MmdbValue } from '../../server/src/geo/mmdb-decoder';
import { defaultMaxCachedPages, openMmdbReader, type MmdbReader } from '../../server/src/geo/mmdb-reader';
import { isLocalAddress, parseIpAddress, type IpAddress } from '../../server/src/network/ip-address';
import { encodeField, MmdbFileBuilder } from './support/mmdb-file-builder';
import { makeTempDir } from './support/harness';

// The maxmind package reads the whole file into memory; here it is only the reference to compare with.
const realFiles = defaultGeoipSettings();
const referenceIpv4 = new Reader(readFileSync(realFiles.ipv4File));
const referenceIpv6 = new Reader(readFileSync(realFiles.ipv6File));
const tempDir = makeTempDir();
const readersToClose: MmdbReader[] = [];

afterAll(() => {
  for (const reader of readersToClose) {
    reader.close();
  }
  rmSync(tempDir, { recursive: true, force: true });
});

describe('mmdb reader against the maxmind package', () => {
  const locator = openGeoLocator(realFiles);
  const ipv4 = openTestReader(realFiles.ipv4File);
  const ipv6 = openTestReader(realFiles.ipv6File);

  it('matches IPv4 records and locations', () => {
    const addresses = [
      ...knownIpv4Addresses,
      ...randomIpv4Addresses(2000, 0x5eed_0004),
      ...treeWalkAddresses(realFiles.ipv4File, referenceIpv4, 2000, 0x5eed_0104),
    ];

    const result = compareWithReference(addresses, ipv4, referenceIpv4, locator);

    expect(result.mismatches).toEqual([]);
    expect(result.foundCount).toBeGreaterThan(3000);
    expect(result.distinctRecordCount).toBeGreaterThan(1500);
  });

  it('matches IPv6 records and locations', () => {
    const addresses = [
      ...knownIpv6Addresses,
      ...randomIpv6Addresses(2000, 0x5eed_0006),
      ...treeWalkAddresses(realFiles.ipv6File, referenceIpv6, 3000, 0x5eed_0106),
    ];

    const result = compareWithReference(addresses, ipv6, referenceIpv6, locator);

    expect(result.mismatches).toEqual([]);
    expect(result.foundCount).toBeGreaterThan(3000);
    expect(result.distinctRecordCount).toBeGreaterThan(300);
  });

  it('looks IPv4 up under ::/96 of the IPv6 file', () => {
    const address = parseIpAddress('81.2.69.142') as IpAddress;

    expect(ipv6.lookup(address.bytes)).toEqual(referenceIpv6.get('81.2.69.142'));
  });
});

describe('mmdb reader on built files', () => {
  for (const recordSizeBits of [24, 28, 32] as const) {
    it(`reads ${recordSizeBits}-bit search trees`, () => {
      const built = buildSampleDatabase(recordSizeBits);
      const reader = openTestReader(writeTempFile(`sample-${recordSizeBits}.mmdb`, built.file));
      const reference = new Reader(built.file);

      for (const text of ['2001:db8::1', '2001:db8:ffff:ffff::1', '192.0.2.1', '192.0.2.255', '198.51.100.200', '2a02:1234:5678::9']) {
        const address = parseIpAddress(text) as IpAddress;
        expect(withoutProtoKey(reader.lookup(address.bytes)), text).toEqual(reference.get(text));
      }
      expect(reader.metadata.recordSizeBits).toBe(recordSizeBits);
    });
  }

  it('decodes every field type', () => {
    const built = buildSampleDatabase(28);
    const reader = openTestReader(writeTempFile('types.mmdb', built.file));

    const record = reader.lookup((parseIpAddress('2001:db8::1') as IpAddress).bytes) as Record<string, MmdbValue>;

    const { ['__proto__']: protoKeyValue, ...otherFields } = record;
    expect(otherFields).toEqual(built.expectedTypesRecord);
    expect(new Reader(built.file).get('2001:db8::1')).toEqual(built.expectedTypesRecord);
    expect(protoKeyValue).toBe('an ordinary key');
    expect(Object.getPrototypeOf(record)).toBeNull();
  });

  it('returns null outside every network', () => {
    const built = buildSampleDatabase(24);
    const reader = openTestReader(writeTempFile('empty-space.mmdb', built.file));

    for (const text of ['2001:db9::1', '::1', '192.0.3.1', '198.51.100.127', '10.0.0.1']) {
      expect(reader.lookup((parseIpAddress(text) as IpAddress).bytes), text).toBeNull();
    }
  });

  it('uses records above 2^24 in 28-bit trees', () => {
    const built = buildSampleDatabase(28);
    const reader = openTestReader(writeTempFile('high-records.mmdb', built.file));

    expect(built.highestRecordValue).toBeGreaterThan(2 ** 24);
    expect(reader.lookup((parseIpAddress('198.51.100.200') as IpAddress).bytes)).toEqual({ place: 'beyond 2^24' });
  });
});

describe('mmdb reader on corrupt data', () => {
  it('rejects a tree record past the data section', () => {
    const builder = new MmdbFileBuilder({ recordSizeBits: 24, ipVersion: 4 });
    builder.addData(encodeField.string('only value'));
    builder.insertNetwork(Uint8Array.from([203, 0, 113, 0]), 24, 5000);
    const reader = openTestReader(writeTempFile('record-past-data.mmdb', builder.build()));

    expect(() => reader.lookup(Uint8Array.from([203, 0, 113, 1]))).toThrow(/points outside the data section/);
  });

  it('locates a damaged record as unknown', () => {
    const builder = new MmdbFileBuilder({ recordSizeBits: 24, ipVersion: 4 });
    builder.addData(encodeField.string('only value'));
    builder.insertNetwork(Uint8Array.from([203, 0, 113, 0]), 24, 5000);
    const damaged = writeTempFile('locator-record-past-data.mmdb', builder.build());
    const failures: unknown[] = [];
    const locator = openGeoLocator({ ipv4File: damaged, ipv6File: realFiles.ipv6File }, (error) => failures.push(error));

    expect(locator.locate(parseIpAddress('203.0.113.9') as IpAddress)).toEqual({ kind: 'public', countryCode: null, region: null, city: null });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(MmdbFormatError);
  });

  it('stops at a pointer cycle', () => {
    const builder = new MmdbFileBuilder({ recordSizeBits: 24, ipVersion: 4 });
    const cycleOffset = builder.addData(encodeField.map({ self: encodeField.pointer(0) }));
    builder.insertNetwork(Uint8Array.from([203, 0, 113, 0]), 24, cycleOffset);
    const reader = openTestReader(writeTempFile('pointer-cycle.mmdb', builder.build()));

    expect(() => reader.lookup(Uint8Array.from([203, 0, 113, 1]))).toThrow(MmdbFormatError);
    expect(() => reader.lookup(Uint8Array.from([203, 0, 113, 1]))).toThrow(/nest more than/);
  });

  it('rejects a pointer to a pointer', () => {
    const builder = new MmdbFileBuilder({ recordSizeBits: 24, ipVersion: 4 });
    const first = builder.addData(encodeField.pointer(2));
    builder.addData(encodeField.pointer(4));
    builder.addData(encodeField.string('target'));
    builder.insertNetwork(Uint8Array.from([203, 0, 113, 0]), 24, first);
    const reader = openTestReader(writeTempFile('pointer-chain.mmdb', builder.build()));

    expect(() => reader.lookup(Uint8Array.from([203, 0, 113, 1]))).toThrow(/target of another pointer/);
  });

  it('rejects a pointer past the data section', () => {
    const builder = new MmdbFileBuilder({ recordSizeBits: 24, ipVersion: 4 });
    const offset = builder.addData(encodeField.map({ city: encodeField.pointer(70_000) }));
    builder.insertNetwork(Uint8Array.from([203, 0, 113, 0]), 24, offset);
    const reader = openTestReader(writeTempFile('pointer-past-data.mmdb', builder.build()));

    expect(() => reader.lookup(Uint8Array.from([203, 0, 113, 1]))).toThrow(/leads outside the section/);
  });
});

describe('opening geoip databases', () => {
  it('names the setting and file when a file is missing', () => {
    const missing = path.join(tempDir, 'missing.mmdb');

    expect(() => openGeoLocator({ ipv4File: missing, ipv6File: realFiles.ipv6File })).toThrow(
      `geoip.ipv4File: failed to open the GeoIP database ${missing} (ENOENT); expected a MaxMind-format .mmdb file.`,
    );
    expect(() => openGeoLocator({ ipv4File: realFiles.ipv4File, ipv6File: missing })).toThrow(/^geoip\.ipv6File: .*missing\.mmdb \(ENOENT\)/);
  });

  it('rejects a file cut before its metadata', () => {
    const truncated = writeTempFile('cut-before-metadata.mmdb', readHead(realFiles.ipv4File, 2 * 1024 * 1024));

    expect(() => openGeoLocator({ ipv4File: truncated, ipv6File: realFiles.ipv6File })).toThrow(
      /^geoip\.ipv4File: .*cut-before-metadata\.mmdb \(no MaxMind DB metadata marker .* is truncated\)/,
    );
  });

  it('rejects a file missing part of its search tree', () => {
    const whole = readFileSync(realFiles.ipv4File);
    const truncated = writeTempFile('missing-tree.mmdb', Buffer.concat([whole.subarray(0, 1024 * 1024), whole.subarray(whole.length - 64 * 1024)]));

    expect(() => openGeoLocator({ ipv4File: truncated, ipv6File: realFiles.ipv6File })).toThrow(/^geoip\.ipv4File: .*missing-tree\.mmdb \(the search tree .* truncated or corrupt\)/);
  });

  it('rejects files that are not mmdb databases', () => {
    const csv = writeTempFile('city.csv', Buffer.from('1.0.0.0,1.0.0.255,AU,Queensland,South Brisbane\n'));
    const empty = writeTempFile('empty.mmdb', Buffer.alloc(0));
    const directory = path.join(tempDir, 'directory.mmdb');
    mkdirSync(directory);

    expect(() => openGeoLocator({ ipv4File: csv, ipv6File: realFiles.ipv6File })).toThrow(/^geoip\.ipv4File: .*city\.csv \(no MaxMind DB metadata marker/);
    expect(() => openGeoLocator({ ipv4File: empty, ipv6File: realFiles.ipv6File })).toThrow(/^geoip\.ipv4File: .*empty\.mmdb \(no MaxMind DB metadata marker/);
    expect(() => openGeoLocator({ ipv4File: directory, ipv6File: realFiles.ipv6File })).toThrow(/^geoip\.ipv4File: .*directory\.mmdb \((not a regular file|EISDIR)\)/);
  });

  it('rejects metadata it cannot use', () => {
    const cases: [string, Record<string, Buffer>, RegExp][] = [
      ['record-size.mmdb', { record_size: encodeField.uint16(30) }, /record size 30 is not supported/],
      ['ip-version.mmdb', { ip_version: encodeField.uint16(5) }, /ip_version 5 is invalid/],
      ['major-version.mmdb', { binary_format_major_version: encodeField.uint16(3) }, /binary format version 3 is not supported/],
      ['node-count.mmdb', { node_count: encodeField.string('many') }, /no unsigned integer node_count/],
      ['node-count-wrong.mmdb', { node_count: encodeField.uint32(1) }, /16 bytes after the search tree .* are not zero/],
    ];

    for (const [name, metadata, message] of cases) {
      const builder = new MmdbFileBuilder({ recordSizeBits: 24, ipVersion: 4 });
      builder.insertNetwork(Uint8Array.from([203, 0, 113, 0]), 24, builder.addData(encodeField.map({ country_code: encodeField.string('NZ') })));
      const file = writeTempFile(name, builder.build(metadata));

      expect(() => openMmdbReader(file), name).toThrow(message);
    }
  });

  it.runIf(process.platform === 'linux')('leaves no file descriptor after a failed open', () => {
    const truncated = writeTempFile('fd-check.mmdb', readHead(realFiles.ipv4File, 256 * 1024));

    for (let attempt = 0; attempt < 20; attempt += 1) {
      expect(() => openMmdbReader(truncated)).toThrow(MmdbFormatError);
    }

    expect(countOpenDescriptors(truncated)).toBe(0);
  });

  it.runIf(process.platform === 'linux')('shares one descriptor per file across locators', () => {
    openGeoLocator(realFiles);
    openGeoLocator(realFiles);
    openGeoLocator({ ...realFiles });

    // This file's own test readers hold one more descriptor each until afterAll closes them.
    const testReaderCount = readersToClose.filter((reader) => reader.filePath === realFiles.ipv4File).length;
    expect(countOpenDescriptors(realFiles.ipv4File)).toBe(1 + testReaderCount);
  });
});

describe('mmdb page cache', () => {
  it('evicts the least recently used page', () => {
    const filePath = writeTempFile('pages.bin', Buffer.alloc(64 * 8, 7));
    const fd = openSync(filePath, 'r');
    const pages = new FilePageCache(fd, 64 * 8, { pageSizeBytes: 64, maxPageCount: 3 });

    try {
      for (const page of [0, 1, 0, 2, 3, 0]) {
        pages.read(page * 64, 8);
      }

      // Page 1 was the least recently used when page 3 came in, so page 0 is still cached.
      expect(pages.stats()).toMatchObject({ pageCount: 3, hits: 2, misses: 4 });
      pages.read(64, 8);
      expect(pages.stats()).toMatchObject({ pageCount: 3, hits: 2, misses: 5 });
    } finally {
      closeSync(fd);
    }
  });

  it('reads the same bytes as the file', () => {
    const random = createRandom(0x5eed_00cc);
    const content = Buffer.from(Array.from({ length: 5000 }, () => random() & 0xff));
    const fd = openSync(writeTempFile('ranges.bin', content), 'r');
    const pages = new FilePageCache(fd, content.length, { pageSizeBytes: 256, maxPageCount: 4 });

    try {
      for (let attempt = 0; attempt < 2000; attempt += 1) {
        const position = random() % content.length;
        const length = Math.min(random() % 600, content.length - position);
        expect(pages.read(position, length).equals(content.subarray(position, position + length)), `${length} bytes at ${position}`).toBe(true);
      }
      expect(() => pages.read(content.length - 2, 3)).toThrow(RangeError);
      expect(pages.stats().pageCount).toBeLessThanOrEqual(4);
    } finally {
      closeSync(fd);
    }
  });

  it('stays within a small bound and stays correct', () => {
    const reader = openTestReader(realFiles.ipv4File, { maxCachedPages: 8 });
    const mismatches: string[] = [];

    for (const text of randomIpv4Addresses(2000, 0x5eed_00ca)) {
      const address = parseIpAddress(text) as IpAddress;
      if (!isDeepEqual(reader.lookup(address.bytes), referenceIpv4.get(text))) {
        mismatches.push(text);
      }
      expect(reader.pageCacheStats().pageCount).toBeLessThanOrEqual(8);
    }

    expect(mismatches).toEqual([]);
    expect(reader.pageCacheStats().misses).toBeGreaterThan(1000);
  });

  it('stays within the default bound after many lookups', () => {
    const reader = openTestReader(realFiles.ipv6File);

    for (const text of treeWalkAddresses(realFiles.ipv6File, referenceIpv6, 6000, 0x5eed_00cb)) {
      reader.lookup((parseIpAddress(text) as IpAddress).bytes);
    }

    const stats = reader.pageCacheStats();
    expect(stats.pageCount).toBe(defaultMaxCachedPages);
    expect(stats.pageCount * stats.pageSizeBytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(stats.hits).toBeGreaterThan(stats.misses);
  });
});

const knownIpv4Addresses = [
  '8.8.8.8',
  '1.1.1.1',
  '81.2.69.142',
  '203.0.113.9',
  '100.64.0.1',
  '0.0.0.0',
  '1.0.0.0',
  '127.255.255.255',
  '128.0.0.0',
  '223.255.255.255',
  '255.255.255.255',
];

const knownIpv6Addresses = [
  '2a00:1450:4009:81f::200e',
  '2001:4860:4860::8888',
  '2606:4700:4700::1111',
  '2001:db8::1',
  '2002:c000:0204::1',
  '2c0f:fb50:4003::1',
  'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  '2000::',
];

// Top 12 bits of blocks the regional registries hand out, so most random addresses in them have data.
const populatedIpv6Prefixes = [0x200, 0x240, 0x260, 0x280, 0x2a0, 0x2c0];

interface Comparison {
  mismatches: string[];
  foundCount: number;
  distinctRecordCount: number;
}

function compareWithReference(addresses: string[], reader: MmdbReader, reference: Reader<Response>, locator: ReturnType<typeof openGeoLocator>): Comparison {
  const mismatches: string[] = [];
  const distinctRecords = new Set<string>();
  let foundCount = 0;
  for (const text of addresses) {
    const address = parseIpAddress(text) as IpAddress;
    const expected = reference.get(text) as Record<string, unknown> | null;
    const actual = reader.lookup(address.bytes);
    if (expected !== null) {
      foundCount += 1;
      distinctRecords.add(JSON.stringify(expected));
    }
    if (!isDeepEqual(actual, expected)) {
      mismatches.push(`${text}: record ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
    }
    const expectedLocation = toExpectedLocation(address, expected);
    const location = locator.locate(address);
    if (!isDeepEqual(location, expectedLocation)) {
      mismatches.push(`${text}: location ${JSON.stringify(location)} != ${JSON.stringify(expectedLocation)}`);
    }
  }
  return { mismatches: mismatches.slice(0, 20), foundCount, distinctRecordCount: distinctRecords.size };
}

function toExpectedLocation(address: IpAddress, record: Record<string, unknown> | null): GeoLocation {
  if (isLocalAddress(address)) {
    return { kind: 'local' };
  }
  const field = (key: string): string | null => {
    const value = record?.[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  return { kind: 'public', countryCode: field('country_code'), region: field('state1'), city: field('city') };
}

// The maxmind package drops a top-level `__proto__` key, which this reader keeps as an ordinary key.
function withoutProtoKey(value: MmdbValue | null): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    return value;
  }
  const { ['__proto__']: _protoKey, ...otherFields } = value;
  return otherFields;
}

function isDeepEqual(actual: unknown, expected: unknown): boolean {
  try {
    expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}

// xorshift32: deterministic, so a failure names the same addresses on every run.
function createRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

function randomIpv4Addresses(count: number, seed: number): string[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => {
    const value = random();
    return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
  });
}

// Half fall in registry blocks and half anywhere in 2000::/3, the global unicast space.
function randomIpv6Addresses(count: number, seed: number): string[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const groups = Array.from({ length: 8 }, () => random() & 0xffff);
    if (index % 2 === 0) {
      const prefix = populatedIpv6Prefixes[random() % populatedIpv6Prefixes.length] as number;
      groups[0] = (prefix << 4) | (groups[0] as number & 0xf);
    } else {
      groups[0] = 0x2000 | ((groups[0] as number) & 0x1fff);
    }
    return groups.map((group) => group.toString(16)).join(':');
  });
}

/**
 * Returns addresses found by random walks down the search tree of a 28-bit file. They reach many
 * different records, while random IPv6 addresses mostly land in a few large blocks. At each node a
 * walk takes the other branch when the chosen one is empty, and usually when only the other one
 * leads further down. Random bits fill the rest of the address.
 */
function treeWalkAddresses(filePath: string, reference: Reader<Response>, count: number, seed: number): string[] {
  const file = readFileSync(filePath);
  const { nodeCount, recordSize, ipVersion } = reference.metadata;
  if (recordSize !== 28) {
    throw new Error(`tree walks need a 28-bit file, ${filePath} has ${recordSize}-bit records`);
  }
  const readRecord = (node: number, side: number): number => {
    const offset = node * 7;
    const middle = file[offset + 3] as number;
    return side === 0 ? (middle >> 4) * 2 ** 24 + file.readUIntBE(offset, 3) : (middle & 0xf) * 2 ** 24 + file.readUIntBE(offset + 4, 3);
  };
  const random = createRandom(seed);
  const bitCount = ipVersion === 6 ? 128 : 32;
  return Array.from({ length: count }, () => {
    const bytes = new Uint8Array(bitCount / 8).map(() => random() & 0xff);
    let node = 0;
    for (let bit = 0; bit < bitCount && node < nodeCount; bit += 1) {
      let side = ((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1;
      const chosen = readRecord(node, side);
      const other = readRecord(node, side ^ 1);
      const isOtherDeeper = other < nodeCount && chosen > nodeCount && random() % 8 !== 0;
      if (chosen === nodeCount || isOtherDeeper) {
        side ^= 1;
        bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (7 - (bit & 7)));
      }
      node = readRecord(node, side);
    }
    return bitCount === 32 ? bytes.join('.') : Array.from({ length: 8 }, (_, group) => ((bytes[group * 2] as number) * 256 + (bytes[group * 2 + 1] as number)).toString(16)).join(':');
  });
}

interface SampleDatabase {
  file: Buffer;
  expectedTypesRecord: Record<string, unknown>;
  highestRecordValue: number;
}

/**
 * Builds an IPv6 tree with one record of every field type at 2001:db8::/32 (the expected record
 * leaves out its `__proto__` key, which the maxmind package drops), a plain record at
 * 2a02:1234::/32 and IPv4 records under ::/96. Strings reached by pointers sit past 2 KiB and past
 * 512 KiB so all four pointer sizes occur; 28- and 32-bit trees also get 16 MiB of filler so
 * their last record value exceeds 2^24.
 */
function buildSampleDatabase(recordSizeBits: 24 | 28 | 32): SampleDatabase {
  const builder = new MmdbFileBuilder({ recordSizeBits, ipVersion: 6 });
  const near = builder.addData(encodeField.string('near'));
  const keyName = builder.addData(encodeField.string('key_by_pointer'));
  builder.addData(encodeField.bytes(Buffer.alloc(3000)));
  const middle = builder.addData(encodeField.string('middle'));
  builder.addData(encodeField.bytes(Buffer.alloc(600_000)));
  const far = builder.addData(encodeField.string('far'));

  const typesRecord = builder.addData(
    encodeField.map([
      [encodeField.string('string'), encodeField.string('Zürich')],
      [encodeField.string('empty_string'), encodeField.string('')],
      [encodeField.string('string_29'), encodeField.string('a'.repeat(100))],
      [encodeField.string('string_30'), encodeField.string('b'.repeat(5000))],
      [encodeField.string('string_31'), encodeField.string('c'.repeat(70_000))],
      [encodeField.string('double'), encodeField.double(-122.084999)],
      [encodeField.string('float'), encodeField.float(37.5)],
      [encodeField.string('bytes'), encodeField.bytes(Buffer.from([0, 1, 2, 255]))],
      [encodeField.string('uint16'), encodeField.uint16(65_535)],
      [encodeField.string('uint32'), encodeField.uint32(4_294_967_295)],
      [encodeField.string('uint32_zero'), encodeField.uint32(0)],
      [encodeField.string('int32_negative'), encodeField.int32(-2_147_483_648)],
      [encodeField.string('int32_positive'), encodeField.int32(123_456)],
      [encodeField.string('uint64'), encodeField.uint64(2n ** 64n - 1n)],
      [encodeField.string('uint128'), encodeField.uint128(2n ** 128n - 1n)],
      [encodeField.string('true'), encodeField.boolean(true)],
      [encodeField.string('false'), encodeField.boolean(false)],
      [encodeField.string('array'), encodeField.array([encodeField.uint16(1), encodeField.string('two'), encodeField.map({ three: encodeField.uint16(3) })])],
      [encodeField.string('empty_map'), encodeField.map({})],
      [encodeField.string('empty_array'), encodeField.array([])],
      [encodeField.string('pointer_11_bit'), encodeField.pointer(near)],
      [encodeField.string('pointer_19_bit'), encodeField.pointer(middle)],
      [encodeField.string('pointer_27_bit'), encodeField.pointer(far)],
      [encodeField.string('pointer_32_bit'), encodeField.pointer(near, 3)],
      [encodeField.pointer(keyName), encodeField.string('value of a pointed-to key')],
      [encodeField.string('__proto__'), encodeField.string('an ordinary key')],
    ]),
  );
  builder.insertNetwork(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(12).fill(0)]), 32, typesRecord);
  builder.insertNetwork(Uint8Array.from([0x2a, 0x02, 0x12, 0x34, ...new Array<number>(12).fill(0)]), 32, builder.addData(encodeField.map({ place: encodeField.string('v6') })));
  builder.insertNetwork(Uint8Array.from([192, 0, 2, 0]), 24, builder.addData(encodeField.map({ place: encodeField.pointer(middle) })));

  if (recordSizeBits !== 24) {
    builder.addData(encodeField.bytes(Buffer.alloc(16 * 1024 * 1024)));
  }
  const lastOffset = builder.addData(encodeField.map({ place: encodeField.string(recordSizeBits === 24 ? 'last' : 'beyond 2^24') }));
  builder.insertNetwork(Uint8Array.from([198, 51, 100, 128]), 25, lastOffset);

  const file = builder.build();
  const nodeCount = new Reader(file).metadata.nodeCount;
  const expectedTypesRecord = {
    string: 'Zürich',
    empty_string: '',
    string_29: 'a'.repeat(100),
    string_30: 'b'.repeat(5000),
    string_31: 'c'.repeat(70_000),
    double: -122.084999,
    float: 37.5,
    bytes: Buffer.from([0, 1, 2, 255]),
    uint16: 65_535,
    uint32: 4_294_967_295,
    uint32_zero: 0,
    int32_negative: -2_147_483_648,
    int32_positive: 123_456,
    uint64: 2n ** 64n - 1n,
    uint128: 2n ** 128n - 1n,
    true: true,
    false: false,
    array: [1, 'two', { three: 3 }],
    empty_map: {},
    empty_array: [],
    pointer_11_bit: 'near',
    pointer_19_bit: 'middle',
    pointer_27_bit: 'far',
    pointer_32_bit: 'near',
    key_by_pointer: 'value of a pointed-to key',
  };
  return { file, expectedTypesRecord, highestRecordValue: nodeCount + 16 + lastOffset };
}

function openTestReader(filePath: string, options?: Parameters<typeof openMmdbReader>[1]): MmdbReader {
  const reader = openMmdbReader(filePath, options);
  readersToClose.push(reader);
  return reader;
}

function writeTempFile(name: string, bytes: Buffer): string {
  const filePath = path.join(tempDir, name);
  writeFileSync(filePath, bytes);
  return filePath;
}

function readHead(filePath: string, length: number): Buffer {
  return readFileSync(filePath).subarray(0, length);
}

function countOpenDescriptors(filePath: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(path.join('/proc/self/fd', fd)) === filePath;
    } catch {
      return false;
    }
  }).length;
}
