const pairsPerGroup = 8;

/**
 * Shows a colon-separated SHA-256 fingerprint in groups of eight pairs, one group per line on
 * narrow cards. The text content stays exactly the fingerprint, so copying it or comparing it
 * with the server's start-up output character by character still works.
 */
export function CertificateFingerprint({ fingerprint }: { fingerprint: string }) {
  return (
    <div role="group" className="fingerprint" aria-label="Certificate fingerprint">
      {groupFingerprint(fingerprint).map((group, index) => (
        <span key={index} className="fingerprint-group">
          {group}
        </span>
      ))}
    </div>
  );
}

function groupFingerprint(fingerprint: string): string[] {
  const pairs = fingerprint.split(':');
  const groups: string[] = [];
  for (let start = 0; start < pairs.length; start += pairsPerGroup) {
    const isLastGroup = start + pairsPerGroup >= pairs.length;
    const group = pairs.slice(start, start + pairsPerGroup).join(':');
    groups.push(isLastGroup ? group : `${group}:`);
  }
  return groups;
}
