import { describe, expect, it } from 'vitest';
import { formatAuditDetails } from '../../renderer/src/format/audit-text';

describe('audit details text', () => {
  it('shows keys and values instead of JSON', () => {
    const text = formatAuditDetails(
      JSON.stringify({ action: 'deactivate', sessionsEnded: 1, targetUsername: 'sam.rivera', displayNameChanged: false, oldMobile: null }),
    );

    expect(text).toBe('action: deactivate; sessions ended: 1; target username: sam.rivera; display name changed: no; old mobile: none');
  });

  it('shows nothing for empty details', () => {
    expect(formatAuditDetails('{}')).toBe('');
  });

  it('keeps text that is not a JSON object', () => {
    expect(formatAuditDetails('not json')).toBe('not json');
    expect(formatAuditDetails('[1,2]')).toBe('[1,2]');
  });
});
