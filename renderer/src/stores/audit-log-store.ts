/**
 * The audit viewer's state: filters, sort, the current page and the cursors of earlier pages.
 * The audit log screen creates one store when it opens and drops it when it closes, so no audit
 * row stays in the renderer after the person leaves the screen or the session locks.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AuditEventQuery, AuditEventRecord, AuditSortColumn } from '../../../electron/shared/api';
import type { AuditExport, BridgeError, BridgeResult, ClinicGateBridge } from '../../../electron/shared/bridge';
import { errorCatalogue } from '../../../electron/shared/error-codes';

export const auditPageSize = 50;

export function createAuditLogStore(bridge: ClinicGateBridge): AuditLogStore {
  // Bumped by every new load, so a reply for a page the person already left is dropped.
  let requestNumber = 0;

  return createStore<AuditLogState>()((set, get) => {
    async function loadPage(pageIndex: number, cursors: Array<string | null>): Promise<void> {
      requestNumber += 1;
      const thisRequest = requestNumber;
      const cursor = cursors[pageIndex] ?? null;
      set({ isLoading: true, error: null });

      const result = await callBridge(() =>
        bridge.listAuditEvents({ ...requestQuery(get()), pageSize: auditPageSize, ...(cursor === null ? {} : { cursor }) }),
      );
      if (thisRequest !== requestNumber) {
        return;
      }

      if (!result.ok) {
        set({ isLoading: false, error: result.error });
        return;
      }
      const nextCursors = cursors.slice(0, pageIndex + 1);
      if (result.value.nextCursor !== null) {
        nextCursors.push(result.value.nextCursor);
      }
      set({ isLoading: false, events: result.value.events, pageIndex, cursors: nextCursors, hasLoaded: true });
    }

    return {
      query: {},
      sort: 'occurredAt',
      order: 'desc',
      events: [],
      pageIndex: 0,
      cursors: [null],
      isLoading: false,
      isExporting: false,
      hasLoaded: false,
      error: null,

      applyFilters: (query) => {
        set({ query });
        return loadPage(0, [null]);
      },

      sortBy: (column) => {
        const { sort, order } = get();
        // Sorting the same column again flips the order. A new column starts newest first for time, A to Z for text.
        const reversedOrder = order === 'desc' ? 'asc' : 'desc';
        const firstOrder = column === 'occurredAt' ? 'desc' : 'asc';
        const nextOrder = column === sort ? reversedOrder : firstOrder;
        set({ sort: column, order: nextOrder });
        return loadPage(0, [null]);
      },

      showNextPage: () => {
        const { pageIndex, cursors } = get();
        if (cursors[pageIndex + 1] === undefined) {
          return Promise.resolve();
        }
        return loadPage(pageIndex + 1, cursors);
      },

      showPreviousPage: () => {
        const { pageIndex, cursors } = get();
        if (pageIndex === 0) {
          return Promise.resolve();
        }
        return loadPage(pageIndex - 1, cursors);
      },

      reload: () => loadPage(get().pageIndex, get().cursors),

      exportCsv: async () => {
        if (get().isExporting) {
          return null;
        }
        set({ isExporting: true, error: null });
        const result = await callBridge(() => bridge.exportAuditEvents(requestQuery(get())));
        set({ isExporting: false });
        if (!result.ok) {
          set({ error: result.error });
          return null;
        }
        return result.value;
      },

      showError: (error) => {
        set({ error });
      },
    };
  });
}

export function hasNextAuditPage(state: Pick<AuditLogState, 'pageIndex' | 'cursors'>): boolean {
  return state.cursors[state.pageIndex + 1] !== undefined;
}

function requestQuery(state: AuditLogState): AuditEventQuery {
  return { ...state.query, sort: state.sort, order: state.order };
}

async function callBridge<T>(call: () => Promise<BridgeResult<T>>): Promise<BridgeResult<T>> {
  try {
    return await call();
  } catch {
    return { ok: false, error: { code: 'INTERNAL_ERROR', message: errorCatalogue.INTERNAL_ERROR.message } };
  }
}

export interface AuditLogState {
  /** The filters last applied; the form's unsaved edits stay in the form. */
  query: AuditEventQuery;
  sort: AuditSortColumn;
  order: 'asc' | 'desc';
  events: AuditEventRecord[];
  pageIndex: number;
  /** Cursor of each page reached so far; index 0 is the first page (null), and a last entry past `pageIndex` means a next page exists. */
  cursors: Array<string | null>;
  isLoading: boolean;
  isExporting: boolean;
  hasLoaded: boolean;
  error: BridgeError | null;
  applyFilters(query: AuditEventQuery): Promise<void>;
  sortBy(column: AuditSortColumn): Promise<void>;
  showNextPage(): Promise<void>;
  showPreviousPage(): Promise<void>;
  reload(): Promise<void>;
  /** Fetches the CSV of every row that matches the applied filters; null after a failure, which `error` then describes. */
  exportCsv(): Promise<AuditExport | null>;
  showError(error: BridgeError): void;
}

export type AuditLogStore = StoreApi<AuditLogState>;
