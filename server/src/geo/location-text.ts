import type { GeoLocation } from './geo-locator';

const countryNames = new Intl.DisplayNames(['en-US'], { type: 'region', fallback: 'code' });

/** Describes a location for people, like `London, England, United Kingdom`; the parts are approximate. */
export function describeLocation(location: GeoLocation | null): string {
  if (location === null) {
    return 'Unknown location';
  }
  if (location.kind === 'local') {
    return 'Local network';
  }
  const country = location.countryCode === null ? null : toCountryName(location.countryCode);
  const parts = [location.city, location.region, country].filter((part): part is string => part !== null);
  const unique = parts.filter((part, index) => parts.indexOf(part) === index);
  return unique.length === 0 ? 'Unknown location' : unique.join(', ');
}

function toCountryName(countryCode: string): string {
  try {
    return countryNames.of(countryCode) ?? countryCode;
  } catch {
    return countryCode;
  }
}
