import { useState, type FormEvent } from 'react';
import type { PracticeUserSummary } from '../../../electron/shared/api';
import type { UpdatedPracticeUser, UpdatePracticeUserInput } from '../../../electron/shared/bridge';
import { getBridge } from '../bridge/get-bridge';
import { describeSavedUserChange } from '../format/user-administration-text';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { ErrorAlert } from './ErrorAlert';

interface UserDetailsFormProps {
  user: PracticeUserSummary;
  onSaved(user: UpdatedPracticeUser, notice: string): void;
  onCancel(): void;
}

/**
 * Edits a practice user's name, email and mobile for an administrator. The list shows contact
 * details masked, so the contact fields start empty and only a typed value replaces the one on file.
 */
export function UserDetailsForm({ user, onSaved, onCancel }: UserDetailsFormProps) {
  const { run, isBusy, error } = useBridgeAction();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [email, setEmail] = useState('');
  const [mobile, setMobile] = useState('');
  const [isRemovingMobile, setIsRemovingMobile] = useState(false);
  const idPrefix = `edit-${user.id}`;
  const errorId = `${idPrefix}-error`;

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const change: UpdatePracticeUserInput = { userId: user.id };
    if (displayName.trim() !== user.displayName) {
      change.displayName = displayName;
    }
    if (email.trim() !== '') {
      change.email = email;
    }
    if (isRemovingMobile) {
      change.mobile = null;
    } else if (mobile.trim() !== '') {
      change.mobile = mobile;
    }

    const updated = await run(() => getBridge().updatePracticeUser(change));
    if (updated !== null) {
      onSaved(updated, describeSavedUserChange(updated, change));
    }
  }

  return (
    <form onSubmit={(event) => void handleSubmit(event)} aria-labelledby={`${idPrefix}-heading`}>
      <h3 id={`${idPrefix}-heading`}>Edit {user.displayName}</h3>
      <ErrorAlert id={errorId} error={error} />
      <div className="field">
        <label htmlFor={`${idPrefix}-name`}>Name</label>
        <input
          id={`${idPrefix}-name`}
          value={displayName}
          maxLength={100}
          aria-describedby={errorId}
          onChange={(event) => setDisplayName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-email`}>New email</label>
        <input
          id={`${idPrefix}-email`}
          type="email"
          value={email}
          maxLength={254}
          aria-describedby={`${idPrefix}-email-hint ${errorId}`}
          onChange={(event) => setEmail(event.target.value)}
        />
        <p id={`${idPrefix}-email-hint`} className="hint">
          Currently {user.email ?? 'none'}. Leave it empty to keep it.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-mobile`}>New mobile</label>
        <input
          id={`${idPrefix}-mobile`}
          type="tel"
          value={mobile}
          maxLength={20}
          disabled={isRemovingMobile}
          aria-describedby={`${idPrefix}-mobile-hint ${errorId}`}
          onChange={(event) => setMobile(event.target.value)}
        />
        <p id={`${idPrefix}-mobile-hint`} className="hint">
          Currently {user.mobile ?? 'none'}. In international form, like +15035550142. Leave it empty to keep it.
        </p>
      </div>
      {user.mobile !== null && (
        <div className="checkbox-field">
          <input
            id={`${idPrefix}-remove-mobile`}
            type="checkbox"
            checked={isRemovingMobile}
            onChange={(event) => setIsRemovingMobile(event.target.checked)}
          />
          <label htmlFor={`${idPrefix}-remove-mobile`}>Remove the mobile number (codes then go by email)</label>
        </div>
      )}
      <p className="hint">
        A new email or mobile receives sign-in codes at once, without a code to confirm it first, so check it with the person. The previous
        email address and mobile number get a notice about the change.
        {user.isSetupPending === true && ' A new email also receives a new setup code, and the setup code sent to the old address stops working.'}
      </p>
      <div className="actions">
        <button type="submit" className="button-primary" disabled={isBusy}>
          Save changes
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
