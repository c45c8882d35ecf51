/**
 * A decoded MaxMind DB value. Unsigned 64- and 128-bit integers are bigints so no digit is lost;
 * every other number type is a JavaScript number.
 */
export type MmdbValue = string | number | bigint | boolean | Buffer | MmdbValue[] | MmdbMap;

/** A decoded map. It has no prototype, so a key such as `__proto__` is an ordinary key. */
export interface MmdbMap {
  [key: string]: MmdbValue;
}

/** Byte source for the decoder; a returned buffer need only stay valid until the next call. */
export interface ByteReader {
  read(position: number, length: number): Buffer;
}

/** Thrown when the bytes of a section do not follow the MaxMind DB format. */
export class MmdbFormatError extends Error {
  override readonly name = 'MmdbFormatError';
}

/**
 * Decodes values of one section of a MaxMind DB file: the data section or the metadata. Positions
 * are file offsets, pointer values count from `sectionStart`, and no read leaves
 * [`sectionStart`, `sectionEnd`).
 */
export class MmdbDecoder {
  constructor(
    private readonly bytes: ByteReader,
    private readonly sectionStart: number,
    private readonly sectionEnd: number,
  ) {}

  /** Decodes the value that starts at file offset `position`, following pointers. */
  decode(position: number): MmdbValue {
    return this.decodeField(position, 0, false).value;
  }

  isInSection(position: number): boolean {
    return position >= this.sectionStart && position < this.sectionEnd;
  }

  private decodeField(position: number, depth: number, isPointerTarget: boolean): { value: MmdbValue; next: number } {
    if (depth > maxNestingDepth) {
      throw new MmdbFormatError(`values nest more than ${maxNestingDepth} levels deep at offset ${position}; the data is corrupt or cyclic`);
    }
    const control = this.decodeControl(position);
    if (control.type !== FieldType.Pointer) {
      return this.decodePayload(control, depth);
    }
    if (isPointerTarget) {
      throw new MmdbFormatError(`pointer at offset ${position} is the target of another pointer`);
    }
    // After a pointer, decoding continues behind the pointer, not behind the value it points to.
    const target = this.decodeField(this.sectionStart + control.pointer, depth + 1, true);
    return { value: target.value, next: control.payloadStart };
  }

  private decodePayload(control: Control, depth: number): { value: MmdbValue; next: number } {
    const { type, size, payloadStart } = control;
    switch (type) {
      case FieldType.Map:
        return this.decodeMap(payloadStart, size, depth);
      case FieldType.Array:
        return this.decodeArray(payloadStart, size, depth);
      case FieldType.Boolean:
        if (size > 1) {
          throw new MmdbFormatError(`boolean at offset ${control.position} has size ${size}; expected 0 or 1`);
        }
        return { value: size === 1, next: payloadStart };
      default:
        return { value: this.decodeScalar(control), next: payloadStart + size };
    }
  }

  private decodeScalar(control: Control): MmdbValue {
    const { type, size, payloadStart, position } = control;
    const maxSize = maxScalarSize.get(type);
    if (maxSize === undefined) {
      throw new MmdbFormatError(`unexpected field type ${type} at offset ${position}`);
    }
    if (size > maxSize || ((type === FieldType.Double || type === FieldType.Float) && size !== maxSize)) {
      throw new MmdbFormatError(`field of type ${type} at offset ${position} has size ${size}`);
    }
    const payload = this.readInSection(payloadStart, size);
    switch (type) {
      case FieldType.Utf8String:
        return payload.toString('utf8');
      case FieldType.Bytes:
        return Buffer.from(payload);
      case FieldType.Double:
        return payload.readDoubleBE(0);
      case FieldType.Float:
        return payload.readFloatBE(0);
      case FieldType.Uint16:
      case FieldType.Uint32:
        return readUnsigned(payload);
      case FieldType.Int32:
        // Two's complement over 32 bits. A shorter field has no sign bit, so its value is positive.
        return size === 4 ? payload.readInt32BE(0) : readUnsigned(payload);
      default:
        return readUnsignedBig(payload);
    }
  }

  private decodeMap(position: number, pairCount: number, depth: number): { value: MmdbMap; next: number } {
    const map = Object.create(null) as MmdbMap;
    let next = position;
    for (let index = 0; index < pairCount; index += 1) {
      const key = this.decodeField(next, depth + 1, false);
      if (typeof key.value !== 'string') {
        throw new MmdbFormatError(`map key at offset ${next} is not a UTF-8 string`);
      }
      const value = this.decodeField(key.next, depth + 1, false);
      map[key.value] = value.value;
      next = value.next;
    }
    return { value: map, next };
  }

  private decodeArray(position: number, length: number, depth: number): { value: MmdbValue[]; next: number } {
    const array: MmdbValue[] = [];
    let next = position;
    for (let index = 0; index < length; index += 1) {
      const item = this.decodeField(next, depth + 1, false);
      array.push(item.value);
      next = item.next;
    }
    return { value: array, next };
  }

  /**
   * Reads a control byte and the bytes that complete it. An extended type byte follows when the
   * top three bits are 0, and then 0 to 3 size bytes. A pointer has 1 to 4 value bytes instead.
   */
  private decodeControl(position: number): Control {
    const controlByte = this.readByte(position);
    let type = controlByte >> 5;
    let next = position + 1;
    if (type === FieldType.Extended) {
      type = this.readByte(next) + 7;
      next += 1;
      if (type < FieldType.Int32) {
        throw new MmdbFormatError(`extended type byte at offset ${position + 1} names type ${type}, which is not an extended type`);
      }
    }
    if (type === FieldType.Pointer) {
      return this.decodePointer(position, controlByte);
    }
    const sizeBits = controlByte & 0x1f;
    if (sizeBits < 29) {
      return { position, type, size: sizeBits, payloadStart: next, pointer: 0 };
    }
    // Size bits 29, 30 and 31 mean 29, 285 or 65,821 plus the value of the next 1, 2 or 3 bytes.
    const extraLength = sizeBits - 28;
    const extra = readUnsigned(this.readInSection(next, extraLength));
    return { position, type, size: sizeBase(extraLength) + extra, payloadStart: next + extraLength, pointer: 0 };
  }

  // Control byte 001SSVVV: SS + 1 value bytes follow. For SS below 3 the three V bits lead the
  // value and a fixed offset is added; for SS = 3 the four bytes alone are the value.
  private decodePointer(position: number, controlByte: number): Control {
    const sizeCode = (controlByte >> 3) & 0x3;
    const valueBytes = this.readInSection(position + 1, sizeCode + 1);
    const pointer =
      sizeCode === 3 ? valueBytes.readUInt32BE(0) : (controlByte & 0x7) * 2 ** (8 * (sizeCode + 1)) + readUnsigned(valueBytes) + pointerOffset(sizeCode);
    if (!this.isInSection(this.sectionStart + pointer)) {
      throw new MmdbFormatError(`pointer at offset ${position} leads outside the section (value ${pointer})`);
    }
    return { position, type: FieldType.Pointer, size: 0, payloadStart: position + 2 + sizeCode, pointer };
  }

  private readByte(position: number): number {
    return this.readInSection(position, 1)[0] as number;
  }

  private readInSection(position: number, length: number): Buffer {
    if (position < this.sectionStart || position + length > this.sectionEnd) {
      throw new MmdbFormatError(`field at offset ${position} (${length} bytes) runs past the end of its section`);
    }
    return this.bytes.read(position, length);
  }
}

/** Field types of the MaxMind DB data section; 8 and up are stored as "extended" types. */
const enum FieldType {
  Extended = 0,
  Pointer = 1,
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
  DataCacheContainer = 12,
  EndMarker = 13,
  Boolean = 14,
  Float = 15,
}

interface Control {
  position: number;
  type: number;
  /** Payload length in bytes, or the number of entries for a map or an array. */
  size: number;
  payloadStart: number;
  /** Offset from the section start, for a pointer only. */
  pointer: number;
}

// Deeper than any real record; the limit stops a pointer cycle from overflowing the stack.
const maxNestingDepth = 64;


/** Largest payload in bytes of each scalar type; strings and bytes can use the whole size range. */
const maxScalarSize = new Map<number, number>([
  [FieldType.Utf8String, Number.POSITIVE_INFINITY],
  [FieldType.Bytes, Number.POSITIVE_INFINITY],
  [FieldType.Double, 8],
  [FieldType.Float, 4],
  [FieldType.Uint16, 2],
  [FieldType.Uint32, 4],
  [FieldType.Int32, 4],
  [FieldType.Uint64, 8],
  [FieldType.Uint128, 16],
]);

// Each longer size encoding starts where the shorter one ends, so no size has two encodings.
function sizeBase(extraLength: number): number {
  switch (extraLength) {
    case 1:
      return 29;
    case 2:
      return 285;
    default:
      return 65_821;
  }
}

// Likewise each pointer size starts where the shorter one ends: at 2^11 and at 2^11 + 2^19.
function pointerOffset(sizeCode: number): number {
  switch (sizeCode) {
    case 0:
      return 0;
    case 1:
      return 2048;
    default:
      return 526_336;
  }
}

function readUnsigned(bytes: Buffer): number {
  let value = 0;
  for (const byte of bytes) {
    value = value * 256 + byte;
  }
  return value;
}

function readUnsignedBig(bytes: Buffer): bigint {
  let value = 0n;
  for (const byte of bytes) {
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}
