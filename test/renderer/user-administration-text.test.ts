import { describe, expect, it } from 'vitest';
import type { UpdatedPracticeUser } from '../../electron/shared/bridge';
import { describeSavedUserChange } from '../../renderer/src/format/user-administration-text';

const savedUser: UpdatedPracticeUser = {
  id: 'user-1',
  username: 'sam.rivera',
  displayName: 'Sam Rivera',
  role: 'front_desk',
  status: 'active',
  isLocked: false,
  email: 's•••@clinic.example',
  mobile: '***-***-0142',
  isSetupPending: false,
  preferredChannel: 'email',
};

describe('saved user change text', () => {
  it('keeps email first after a mobile is added back', () => {
    const text = describeSavedUserChange(savedUser, { userId: 'user-1', mobile: '+15035550142' });

    expect(text).toBe(
      'Saved the changes for Sam Rivera. Sign-in codes go by email to s•••@clinic.example. ' +
        'Sam Rivera can choose text message to ***-***-0142 on the code screen instead. ' +
        'The previous contact details get a notice about the change.',
    );
    expect(text).not.toContain('Text codes now go');
  });

  it('puts text messages first for an SMS user', () => {
    const text = describeSavedUserChange({ ...savedUser, preferredChannel: 'sms' }, { userId: 'user-1', mobile: '+15035550142' });

    expect(text).toContain('Sign-in codes go by text message to ***-***-0142. Sam Rivera can choose email to s•••@clinic.example on the code screen instead.');
  });

  it('says a removed mobile leaves email', () => {
    const text = describeSavedUserChange({ ...savedUser, mobile: null }, { userId: 'user-1', mobile: null });

    expect(text).toBe(
      'Saved the changes for Sam Rivera. The mobile number is removed. Sign-in codes go by email to s•••@clinic.example. ' +
        'The previous contact details get a notice about the change.',
    );
  });

  it('claims no channel without one from the server', () => {
    const text = describeSavedUserChange({ ...savedUser, preferredChannel: undefined }, { userId: 'user-1', email: 'sam@clinic.example' });

    expect(text).toContain('Codes by email go to s•••@clinic.example, and codes by text message go to ***-***-0142.');
  });

  it('mentions no codes for a name change', () => {
    const text = describeSavedUserChange(savedUser, { userId: 'user-1', displayName: 'Sam Rivera' });

    expect(text).toBe('Saved the changes for Sam Rivera.');
  });
});
