import { readSync } from 'node:fs';

export interface FilePageCacheOptions {
  pageSizeBytes: number;
  /** Upper bound on cached pages; at least 2, so a read that spans two pages never evicts its first half. */
  maxPageCount: number;
}

export interface PageCacheStats {
  pageSizeBytes: number;
  pageCount: number;
  maxPageCount: number;
  hits: number;
  misses: number;
}

/**
 * Reads byte ranges of an open file through a least-recently-used cache of fixed-size pages.
 * All pages live in one buffer of `pageSizeBytes * maxPageCount` bytes, allocated up front, so
 * the cache uses that much memory and no more, however many reads it serves.
 */
export class FilePageCache {
  private readonly slab: Buffer;
  // A Map iterates in insertion order, so re-inserting a page on every hit keeps the least
  // recently used page first.
  private readonly slotByPage = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private mostRecentPage = -1;
  private mostRecentSlot = -1;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly fd: number,
    private readonly fileSizeBytes: number,
    private readonly options: FilePageCacheOptions,
  ) {
    if (!Number.isInteger(options.pageSizeBytes) || options.pageSizeBytes < 64) {
      throw new RangeError(`pageSizeBytes must be an integer of at least 64, got ${options.pageSizeBytes}`);
    }
    if (!Number.isInteger(options.maxPageCount) || options.maxPageCount < 2) {
      throw new RangeError(`maxPageCount must be an integer of at least 2, got ${options.maxPageCount}`);
    }
    this.slab = Buffer.alloc(options.pageSizeBytes * options.maxPageCount);
    for (let slot = options.maxPageCount - 1; slot >= 0; slot -= 1) {
      this.freeSlots.push(slot);
    }
  }

  /**
   * Returns the `length` bytes at `position`. A range inside one page comes back as a view into
   * the cache that stays valid only until the next `read`, so callers decode it at once. Throws a
   * RangeError for a range outside the file.
   */
  read(position: number, length: number): Buffer {
    if (!Number.isInteger(position) || !Number.isInteger(length) || position < 0 || length < 0 || position + length > this.fileSizeBytes) {
      throw new RangeError(`read of ${length} bytes at offset ${position} is outside the file (${this.fileSizeBytes} bytes)`);
    }
    const { pageSizeBytes } = this.options;
    const pageIndex = Math.floor(position / pageSizeBytes);
    const offsetInPage = position - pageIndex * pageSizeBytes;
    if (offsetInPage + length <= pageSizeBytes) {
      const start = this.loadPage(pageIndex) * pageSizeBytes + offsetInPage;
      return this.slab.subarray(start, start + length);
    }
    // Longer than a page, such as a large string: read it straight from the file so it does not
    // push the top of the search tree out of the cache.
    if (length > pageSizeBytes) {
      const bytes = Buffer.allocUnsafe(length);
      readExactly(this.fd, bytes, 0, length, position);
      return bytes;
    }
    return this.readAcrossPageBoundary(pageIndex, offsetInPage, length);
  }

  stats(): PageCacheStats {
    return {
      pageSizeBytes: this.options.pageSizeBytes,
      pageCount: this.slotByPage.size,
      maxPageCount: this.options.maxPageCount,
      hits: this.hits,
      misses: this.misses,
    };
  }

  private readAcrossPageBoundary(pageIndex: number, offsetInPage: number, length: number): Buffer {
    const { pageSizeBytes } = this.options;
    const bytes = Buffer.allocUnsafe(length);
    const headLength = pageSizeBytes - offsetInPage;
    const firstStart = this.loadPage(pageIndex) * pageSizeBytes + offsetInPage;
    this.slab.copy(bytes, 0, firstStart, firstStart + headLength);
    const secondStart = this.loadPage(pageIndex + 1) * pageSizeBytes;
    this.slab.copy(bytes, headLength, secondStart, secondStart + length - headLength);
    return bytes;
  }

  private loadPage(pageIndex: number): number {
    if (pageIndex === this.mostRecentPage) {
      this.hits += 1;
      return this.mostRecentSlot;
    }
    let slot = this.slotByPage.get(pageIndex);
    if (slot !== undefined) {
      this.hits += 1;
      this.slotByPage.delete(pageIndex);
    } else {
      this.misses += 1;
      slot = this.takeSlot();
      const { pageSizeBytes } = this.options;
      const pageStart = pageIndex * pageSizeBytes;
      const pageLength = Math.min(pageSizeBytes, this.fileSizeBytes - pageStart);
      try {
        readExactly(this.fd, this.slab, slot * pageSizeBytes, pageLength, pageStart);
      } catch (error) {
        this.freeSlots.push(slot);
        throw error;
      }
    }
    this.slotByPage.set(pageIndex, slot);
    this.mostRecentPage = pageIndex;
    this.mostRecentSlot = slot;
    return slot;
  }

  private takeSlot(): number {
    const freeSlot = this.freeSlots.pop();
    if (freeSlot !== undefined) {
      return freeSlot;
    }
    const [leastRecentPage, leastRecentSlot] = this.slotByPage.entries().next().value as [number, number];
    this.slotByPage.delete(leastRecentPage);
    return leastRecentSlot;
  }
}

function readExactly(fd: number, target: Buffer, targetOffset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const bytesRead = readSync(fd, target, targetOffset + done, length - done, position + done);
    if (bytesRead === 0) {
      throw new Error(`unexpected end of file at offset ${position + done}; the file was truncated after it was opened`);
    }
    done += bytesRead;
  }
}
