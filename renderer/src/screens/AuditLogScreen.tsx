import { useEffect, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { auditSortColumns, type AuditEventRecord, type AuditSortColumn } from '../../../electron/shared/api';
import type { AuditExport } from '../../../electron/shared/bridge';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import {
  auditColumnLabels,
  auditEventLabels,
  describeAuditEvent,
  emptyAuditFilters,
  formatAuditDetails,
  toAuditQuery,
  type AuditFilterForm,
} from '../format/audit-text';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { createAuditLogStore, hasNextAuditPage, type AuditLogStore } from '../stores/audit-log-store';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'audit-error';
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function AuditLogScreen() {
  // One store per visit: closing the screen or locking the session drops every row it loaded.
  const [store] = useState<AuditLogStore>(() => createAuditLogStore(getBridge()));
  const showView = useSignInStore((state) => state.showView);
  const refreshSession = useSignInStore((state) => state.refreshSession);
  const error = useStore(store, (state) => state.error);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  useEffect(() => {
    void store.getState().applyFilters({});
  }, [store]);

  // A session error means the session ended on the server; the sign-in store then shows sign-in.
  useEffect(() => {
    if (error?.code === 'SESSION_EXPIRED' || error?.code === 'SESSION_INVALID' || error?.code === 'SESSION_DEVICE_MISMATCH') {
      void refreshSession();
    }
  }, [error, refreshSession]);

  return (
    <section className="card card-wide" aria-labelledby="audit-heading">
      <h1 id="audit-heading" ref={headingRef} tabIndex={-1}>
        Audit log
      </h1>
      <p className="hint">Sign-in events of your practice. Times are shown in this computer&apos;s time zone and exported in UTC.</p>
      <AuditFilters store={store} />
      <ErrorAlert id={errorId} error={error} />
      <AuditTable store={store} />
      <AuditPager store={store} />
      <div className="actions">
        <ExportButton store={store} />
        <button type="button" className="button-secondary" onClick={() => showView('home')}>
          Back
        </button>
      </div>
    </section>
  );
}

function AuditFilters({ store }: { store: AuditLogStore }) {
  const [form, setForm] = useState<AuditFilterForm>(emptyAuditFilters);
  const isLoading = useStore(store, (state) => state.isLoading);

  function update<K extends keyof AuditFilterForm>(field: K, value: AuditFilterForm[K]) {
    setForm((current) => ({ ...current, [field]: value }));
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = toAuditQuery(form);
    if (!parsed.ok) {
      store.getState().showError({ code: 'VALIDATION_FAILED', message: parsed.message, field: `/${parsed.field}` });
      return;
    }
    void store.getState().applyFilters(parsed.query);
  }

  return (
    <form className="filters" noValidate onSubmit={handleSubmit} aria-label="Filter the audit log">
      <div className="field">
        <label htmlFor="audit-user">User</label>
        <input id="audit-user" type="text" autoComplete="off" spellCheck={false} maxLength={64} value={form.user} onChange={(event) => update('user', event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="audit-event">Event</label>
        <select id="audit-event" value={form.event} onChange={(event) => update('event', event.target.value)}>
          <option value="">All events</option>
          {auditEventLabels.map((entry) => (
            <option key={entry.event} value={entry.event}>
              {entry.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-outcome">Outcome</label>
        <select id="audit-outcome" value={form.outcome} onChange={(event) => update('outcome', event.target.value as AuditFilterForm['outcome'])}>
          <option value="">Any outcome</option>
          <option value="success">Success</option>
          <option value="failure">Failure</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-from">From</label>
        <input id="audit-from" type="datetime-local" step={1} value={form.from} onChange={(event) => update('from', event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="audit-to">To</label>
        <input id="audit-to" type="datetime-local" step={1} value={form.to} onChange={(event) => update('to', event.target.value)} />
      </div>
      <div className="filter-actions">
        <button type="submit" className="button-primary" disabled={isLoading}>
          Apply filters
        </button>
        <button
          type="button"
          className="button-link"
          onClick={() => {
            setForm(emptyAuditFilters);
            void store.getState().applyFilters({});
          }}
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}

function AuditTable({ store }: { store: AuditLogStore }) {
  const events = useStore(store, (state) => state.events);
  const sort = useStore(store, (state) => state.sort);
  const order = useStore(store, (state) => state.order);
  const isLoading = useStore(store, (state) => state.isLoading);
  const hasLoaded = useStore(store, (state) => state.hasLoaded);

  return (
    <div className="table-scroll">
      <table className="audit-table" aria-busy={isLoading}>
        <caption className="visually-hidden">Audit events, sorted by {auditColumnLabels[sort]}</caption>
        <thead>
          <tr>
            {auditSortColumns.map((column) => (
              <SortableHeader key={column} column={column} sort={sort} order={order} onSort={() => void store.getState().sortBy(column)} />
            ))}
            <th scope="col">Device</th>
            <th scope="col">Reason</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((record) => (
            <AuditRow key={record.id} record={record} />
          ))}
          {hasLoaded && events.length === 0 && (
            <tr>
              <td colSpan={8}>No audit events match these filters.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function SortableHeader(props: { column: AuditSortColumn; sort: AuditSortColumn; order: 'asc' | 'desc'; onSort(): void }) {
  const isSorted = props.column === props.sort;
  const direction = props.order === 'asc' ? 'ascending' : 'descending';
  const ariaSort = isSorted ? direction : 'none';
  const arrow = props.order === 'asc' ? ' ▲' : ' ▼';
  return (
    <th scope="col" aria-sort={ariaSort}>
      <button type="button" className="sort-button" onClick={props.onSort}>
        {auditColumnLabels[props.column]}
        <span aria-hidden="true">{isSorted ? arrow : ''}</span>
      </button>
    </th>
  );
}

function AuditRow({ record }: { record: AuditEventRecord }) {
  const details = formatAuditDetails(record.details);
  return (
    <tr>
      <td className="no-wrap">
        <time dateTime={record.occurredAt}>{timeFormat.format(new Date(record.occurredAt))}</time>
      </td>
      <td>{describeAuditEvent(record.event)}</td>
      <td>{record.outcome === 'success' ? 'Success' : 'Failure'}</td>
      <td className="no-wrap">{record.username ?? ''}</td>
      <td className="no-wrap">{record.ip ?? ''}</td>
      <td>{record.device ?? ''}</td>
      <td>{record.reason ?? ''}</td>
      <td className="break-anywhere">{details}</td>
    </tr>
  );
}

function AuditPager({ store }: { store: AuditLogStore }) {
  const pageIndex = useStore(store, (state) => state.pageIndex);
  const hasNext = useStore(store, hasNextAuditPage);
  const isLoading = useStore(store, (state) => state.isLoading);

  return (
    <nav className="pager" aria-label="Audit log pages">
      <button type="button" className="button-secondary" disabled={isLoading || pageIndex === 0} onClick={() => void store.getState().showPreviousPage()}>
        Previous page
      </button>
      <span aria-live="polite">Page {pageIndex + 1}</span>
      <button type="button" className="button-secondary" disabled={isLoading || !hasNext} onClick={() => void store.getState().showNextPage()}>
        Next page
      </button>
    </nav>
  );
}

function ExportButton({ store }: { store: AuditLogStore }) {
  const isExporting = useStore(store, (state) => state.isExporting);

  async function handleExport() {
    const file = await store.getState().exportCsv();
    if (file !== null) {
      saveFile(file);
    }
  }

  return (
    <button type="button" className="button-primary" disabled={isExporting} onClick={() => void handleExport()}>
      {isExporting ? 'Exporting…' : 'Export CSV'}
    </button>
  );
}

/**
 * Saves the CSV through a Blob URL and a download link. The page's Content Security Policy does
 * not govern downloads, so this works in the desktop window and in the browser shell alike.
 */
function saveFile(file: AuditExport) {
  const url = URL.createObjectURL(new Blob([file.csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the Blob when the download starts, so the URL can go after this turn.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}
