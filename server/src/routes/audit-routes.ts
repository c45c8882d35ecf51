import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { auditDefaultPageSize, auditMaxPageSize, auditSortColumns } from '../../../electron/shared/api';
import { appendAuditEvent } from '../audit/audit-log';
import { auditCsvHeader, formatAuditCsvRow, formatCsvLine } from '../audit/audit-csv';
import { findAuditEventPage, iterateAuditEvents, type AuditQuery } from '../audit/audit-query';
import { permissionsForRole } from '../auth/permissions';
import type { ValidSession } from '../auth/session';
import { runImmediate } from '../db/database';
import { failure, sendFailure, type Result } from '../errors/api-error';
import type { ServerContext } from '../server-context';
import { requestOrigin } from './request-origin';
import { errorReply, sessionHeaders } from './schemas';
import { validateRequestSession } from './session-routes';

export const auditReadPermission = 'audit:read';

const isoTime = Type.String({ format: 'date-time' });
const filterProperties = {
  user: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  event: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z_]+\\.[a-z_]+$' })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
  from: Type.Optional(isoTime),
  to: Type.Optional(isoTime),
  sort: Type.Optional(Type.Union(auditSortColumns.map((column) => Type.Literal(column)))),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
};
const auditListQuery = Type.Object(
  {
    ...filterProperties,
    // Query strings carry text, so the page size is a digit string rather than an integer.
    pageSize: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
);
const auditExportQuery = Type.Object(filterProperties, { additionalProperties: false });
type AuditListQuery = Static<typeof auditListQuery>;
type AuditExportQuery = Static<typeof auditExportQuery>;

const auditEventRecord = Type.Object({
  id: Type.Integer(),
  occurredAt: isoTime,
  event: Type.String(),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  username: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  device: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  details: Type.String(),
});
const auditPageReply = Type.Object({ events: Type.Array(auditEventRecord), nextCursor: Type.Union([Type.String(), Type.Null()]) });
const errorResponses = { 400: errorReply, 401: errorReply, 403: errorReply };

/** Registers the audit viewer's routes, which let practice administrators read and export their own practice's rows. */
export async function registerAuditRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.get<{ Querystring: AuditListQuery }>(
    '/audit/events',
    {
      schema: {
        tags: ['audit'],
        summary: "List the practice's audit rows, newest first by default",
        headers: sessionHeaders,
        querystring: auditListQuery,
        response: { 200: auditPageReply, ...errorResponses },
      },
    },
    async (request, reply) => {
      const admin = authorizeAuditReader(context, request);
      if (!admin.ok) {
        return sendFailure(reply, admin);
      }
      const query = parseAuditQuery(request.query, admin.practice.id);
      if (!query.ok) {
        return sendFailure(reply, query);
      }
      const pageSize = request.query.pageSize === undefined ? auditDefaultPageSize : Number(request.query.pageSize);
      if (pageSize < 1 || pageSize > auditMaxPageSize) {
        return sendFailure(reply, failure('VALIDATION_FAILED', { field: '/pageSize' }));
      }

      const page = findAuditEventPage(context.db, { ...query.query, pageSize, cursor: request.query.cursor });
      if (!page.ok) {
        return sendFailure(reply, page);
      }
      return { events: page.events, nextCursor: page.nextCursor };
    },
  );

  app.get<{ Querystring: AuditExportQuery }>(
    '/audit/events.csv',
    {
      schema: {
        tags: ['audit'],
        summary: 'Export the filtered audit rows as CSV',
        headers: sessionHeaders,
        querystring: auditExportQuery,
        response: { 200: Type.String({ description: 'text/csv; RFC 4180 with a header row' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const admin = authorizeAuditReader(context, request);
      if (!admin.ok) {
        return sendFailure(reply, admin);
      }
      const query = parseAuditQuery(request.query, admin.practice.id);
      if (!query.ok) {
        return sendFailure(reply, query);
      }

      const now = context.clock.now();
      runImmediate(context.db, () =>
        appendAuditEvent(context.db, {
          occurredAt: now,
          origin: requestOrigin(request, admin.session.deviceFingerprint),
          practiceId: admin.practice.id,
          userId: admin.user.id,
          event: 'audit.exported',
          outcome: 'success',
          details: describeFilters(request.query),
        }),
      );
      const fileName = `clinicgate-audit-${new Date(now).toISOString().slice(0, 10)}.csv`;
      return sendCsv(reply, streamAuditCsv(context, query.query), fileName);
    },
  );
}

/** Lets a valid session through only when its role may read the audit log. A refusal is itself audited. */
function authorizeAuditReader(context: ServerContext, request: FastifyRequest): Result<ValidSession> {
  const result = validateRequestSession(context, request);
  if (!result.ok) {
    return result;
  }
  if (!permissionsForRole(result.user.role).includes(auditReadPermission)) {
    runImmediate(context.db, () =>
      appendAuditEvent(context.db, {
        occurredAt: context.clock.now(),
        origin: requestOrigin(request, result.session.deviceFingerprint),
        practiceId: result.practice.id,
        userId: result.user.id,
        event: 'audit.access_denied',
        outcome: 'failure',
        reason: 'missing_permission',
      }),
    );
    return failure('AUTH_FORBIDDEN');
  }
  return result;
}

function parseAuditQuery(
  input: AuditExportQuery,
  practiceId: string,
): Result<{ query: Omit<AuditQuery, 'pageSize' | 'cursor'> }> {
  const fromMs = input.from === undefined ? undefined : Date.parse(input.from);
  const toMs = input.to === undefined ? undefined : Date.parse(input.to);
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) {
    return failure('VALIDATION_FAILED', { field: '/from' });
  }
  return {
    ok: true,
    query: {
      practiceId,
      sort: input.sort ?? 'occurredAt',
      order: input.order ?? 'desc',
      ...(input.user === undefined ? {} : { user: input.user }),
      ...(input.event === undefined ? {} : { event: input.event }),
      ...(input.outcome === undefined ? {} : { outcome: input.outcome }),
      ...(fromMs === undefined ? {} : { fromMs }),
      ...(toMs === undefined ? {} : { toMs }),
    },
  };
}

function describeFilters(input: AuditExportQuery): Record<string, string> {
  const details: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    if (typeof value === 'string') {
      details[name] = value;
    }
  }
  return details;
}

/** Yields the CSV in batches, giving the event loop a turn between batches of a large export. */
async function* streamAuditCsv(context: ServerContext, query: Omit<AuditQuery, 'pageSize' | 'cursor'>): AsyncGenerator<string> {
  yield formatCsvLine(auditCsvHeader);
  for (const batch of iterateAuditEvents(context.db, query)) {
    yield batch.map(formatAuditCsvRow).join('');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function sendCsv(reply: FastifyReply, rows: AsyncGenerator<string>, fileName: string): FastifyReply {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(rows));
}
