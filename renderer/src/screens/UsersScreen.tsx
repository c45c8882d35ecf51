import { useCallback, useEffect, useState } from 'react';
import type { PracticeUserSummary } from '../../../electron/shared/api';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { NewUserForm } from '../components/NewUserForm';
import { PracticeUserCard } from '../components/PracticeUserCard';
import { describeEmptyUserList } from '../format/user-administration-text';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

/**
 * Users: list and search the practice's people, create accounts, edit their name and contacts, change
 * roles, deactivate, unlock or sign out a user, and forget their remembered workstations.
 */
export function UsersScreen() {
  const showView = useSignInStore((state) => state.showView);
  const { run, isBusy, error } = useBridgeAction();
  const [users, setUsers] = useState<PracticeUserSummary[]>([]);
  const [search, setSearch] = useState('');
  // The search text of the list on screen, or null until the first list arrives.
  const [listedSearch, setListedSearch] = useState<string | null>(null);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  const load = useCallback(
    async (text: string) => {
      const listed = await run(() => getBridge().listPracticeUsers({ search: text }));
      if (listed !== null) {
        setUsers(listed);
        setListedSearch(text);
      }
    },
    [run],
  );

  useEffect(() => {
    void load('');
  }, [load]);

  function replaceUser(user: PracticeUserSummary) {
    setUsers((current) => current.map((item) => (item.id === user.id ? user : item)));
  }

  return (
    <section className="card card-wide" aria-labelledby="users-heading">
      <h1 id="users-heading" ref={headingRef} tabIndex={-1}>
        Users
      </h1>
      <form
        className="field"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          void load(search);
        }}
      >
        <label htmlFor="user-search">Search by name or username</label>
        <input
          id="user-search"
          value={search}
          maxLength={64}
          aria-describedby={error === null ? undefined : 'users-error'}
          onChange={(event) => setSearch(event.target.value)}
        />
        <button type="submit" className="button-secondary" disabled={isBusy}>
          Search
        </button>
      </form>
      <ErrorAlert id="users-error" error={error} />
      {listedSearch !== null && users.length === 0 && (
        <p role="status" className="notice">
          {describeEmptyUserList(listedSearch)}
        </p>
      )}
      <ul className="workstation-list" aria-label="Practice users">
        {users.map((user) => (
          <PracticeUserCard key={user.id} user={user} onUserChanged={replaceUser} />
        ))}
      </ul>
      <NewUserForm onCreated={(created) => setUsers((current) => [...current, created])} />
      <div className="actions">
        <button type="button" className="button-secondary" onClick={() => showView('home')}>
          Back
        </button>
      </div>
    </section>
  );
}
