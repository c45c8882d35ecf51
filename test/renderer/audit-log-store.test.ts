import { describe, expect, it } from 'vitest';
import type { AuditEventRecord } from '../../electron/shared/api';
import { createAuditLogStore, hasNextAuditPage } from '../../renderer/src/stores/audit-log-store';
import { toAuditQuery } from '../../renderer/src/format/audit-text';
import { createScriptedBridge, fail, succeed } from './scripted-bridge';

function record(id: number): AuditEventRecord {
  return { id, occurredAt: '2026-03-02T15:00:00.000Z', event: 'otp.sent', outcome: 'success', username: 'dana', ip: '192.0.2.1', device: null, reason: null, details: '{}' };
}

describe('audit log store', () => {
  it('walks forward with the cursor and back with the saved one', async () => {
    const scripted = createScriptedBridge();
    scripted.reply(
      'listAuditEvents',
      succeed({ events: [record(3)], nextCursor: 'page-2' }),
      succeed({ events: [record(2)], nextCursor: 'page-3' }),
      succeed({ events: [record(3)], nextCursor: 'page-2' }),
    );
    const store = createAuditLogStore(scripted.bridge);

    await store.getState().applyFilters({ outcome: 'failure' });
    await store.getState().showNextPage();
    const secondPage = store.getState().events.map((event) => event.id);
    await store.getState().showPreviousPage();

    const calls = scripted.callsTo('listAuditEvents');
    expect(calls[0]).toEqual({ outcome: 'failure', sort: 'occurredAt', order: 'desc', pageSize: 50 });
    expect(calls[1]).toMatchObject({ outcome: 'failure', cursor: 'page-2' });
    expect(calls[2]).not.toHaveProperty('cursor');
    expect(secondPage).toEqual([2]);
    expect(store.getState().pageIndex).toBe(0);
    expect(hasNextAuditPage(store.getState())).toBe(true);
  });

  it('toggles the order when the same column is sorted again', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('listAuditEvents', succeed({ events: [], nextCursor: null }), succeed({ events: [], nextCursor: null }));
    const store = createAuditLogStore(scripted.bridge);

    await store.getState().sortBy('username');
    await store.getState().sortBy('username');

    expect(scripted.callsTo('listAuditEvents').map((call) => [call.sort, call.order])).toEqual([
      ['username', 'asc'],
      ['username', 'desc'],
    ]);
    expect(hasNextAuditPage(store.getState())).toBe(false);
  });

  it('exports with the applied filters and sort', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('listAuditEvents', succeed({ events: [], nextCursor: null }));
    scripted.reply('exportAuditEvents', succeed({ fileName: 'clinicgate-audit-2026-03-02.csv', csv: 'id\r\n' }));
    const store = createAuditLogStore(scripted.bridge);
    await store.getState().applyFilters({ event: 'otp.sent' });

    const file = await store.getState().exportCsv();

    expect(file?.fileName).toBe('clinicgate-audit-2026-03-02.csv');
    expect(scripted.callsTo('exportAuditEvents')).toEqual([{ event: 'otp.sent', sort: 'occurredAt', order: 'desc' }]);
  });

  it('keeps the error of a refused request', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('listAuditEvents', fail('AUTH_FORBIDDEN'));
    const store = createAuditLogStore(scripted.bridge);

    await store.getState().applyFilters({});

    expect(store.getState().error?.code).toBe('AUTH_FORBIDDEN');
    expect(store.getState().events).toEqual([]);
  });
});

describe('audit filter form', () => {
  it('turns local times into UTC and drops empty fields', () => {
    const parsed = toAuditQuery({ user: '  dana ', event: '', outcome: 'failure', from: '2026-03-02T08:00', to: '' });

    expect(parsed).toEqual({ ok: true, query: { user: 'dana', outcome: 'failure', from: new Date('2026-03-02T08:00').toISOString() } });
  });

  it('rejects a range that ends before it starts', () => {
    const parsed = toAuditQuery({ user: '', event: '', outcome: '', from: '2026-03-02T08:00', to: '2026-03-01T08:00' });

    expect(parsed).toMatchObject({ ok: false, field: 'to' });
  });
});
