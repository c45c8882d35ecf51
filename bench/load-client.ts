import https from 'node:https';

/**
 * The load generator: Node's own HTTPS client with keep-alive, one connection per concurrent
 * client, certificate verified against the bench server's CA. It runs in the driver process,
 * never in the server's.
 */
export interface LoadTarget {
  baseUrl: string;
  /** PEM of the server's self-signed certificate, trusted as the only CA. */
  caPem: string;
}

export interface JsonRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

export interface LoadResult {
  completed: number;
  /** Responses whose status was not the one expected. */
  unexpected: number;
  durationMs: number;
  requestsPerSecond: number;
  /** Request latencies in milliseconds, in completion order. */
  latenciesMs: number[];
}

export class LoadClient {
  private readonly agent: https.Agent;
  private readonly url: URL;

  constructor(
    private readonly target: LoadTarget,
    maxSockets: number,
  ) {
    this.url = new URL(target.baseUrl);
    this.agent = new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca: target.caPem });
  }

  /** Sends one JSON request and resolves with its status and parsed body. */
  request(request: JsonRequest): Promise<JsonResponse> {
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    return new Promise((resolve, reject) => {
      const outgoing = https.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: request.method,
          path: request.path,
          headers: {
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...request.headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: response.statusCode ?? 0, body: text === '' ? null : (JSON.parse(text) as unknown) });
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /**
   * Opens `count` keep-alive connections (TLS handshakes included) with that many parallel health
   * checks, so a measured run that follows pays for no handshake: a clinic's workstations keep
   * their connections open, and the targets are about requests, not handshakes.
   */
  async openConnections(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.request({ method: 'GET', path: '/api/v1/health' })));
  }

  /**
   * Closed loop: `concurrency` clients each send their next request as soon as the previous one
   * has its response, until `nextRequest` returns undefined or `durationMs` has passed.
   */
  async runClosedLoop(options: {
    concurrency: number;
    durationMs?: number;
    expectedStatus: number;
    nextRequest: () => JsonRequest | undefined;
    onResponse?: (request: JsonRequest, response: JsonResponse) => void;
  }): Promise<LoadResult> {
    const latenciesMs: number[] = [];
    let unexpected = 0;
    const startedAt = performance.now();
    const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : startedAt + options.durationMs;

    const runClient = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const request = options.nextRequest();
        if (request === undefined) {
          return;
        }
        const sentAt = performance.now();
        const response = await this.request(request);
        latenciesMs.push(performance.now() - sentAt);
        if (response.status !== options.expectedStatus) {
          unexpected += 1;
        }
        options.onResponse?.(request, response);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, runClient));
    return summarize(latenciesMs, unexpected, performance.now() - startedAt);
  }

  /**
   * Open loop: starts requests at a fixed rate whether or not earlier ones have their responses, so a
   * slow reply cannot hide queueing (coordinated omission). Latency counts from the scheduled
   * start time.
   */
  async runOpenLoop(options: {
    ratePerSecond: number;
    count: number;
    expectedStatus: number;
    nextRequest: () => JsonRequest | undefined;
  }): Promise<LoadResult> {
    const latenciesMs: number[] = [];
    let unexpected = 0;
    const intervalMs = 1000 / options.ratePerSecond;
    const startedAt = performance.now();
    const inFlight: Promise<void>[] = [];

    for (let index = 0; index < options.count; index += 1) {
      const scheduledAt = startedAt + index * intervalMs;
      const waitMs = scheduledAt - performance.now();
      if (waitMs > 1) {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
      const request = options.nextRequest();
      if (request === undefined) {
        break;
      }
      inFlight.push(
        this.request(request).then((response) => {
          latenciesMs.push(performance.now() - scheduledAt);
          if (response.status !== options.expectedStatus) {
            unexpected += 1;
          }
        }),
      );
    }
    await Promise.all(inFlight);
    return summarize(latenciesMs, unexpected, performance.now() - startedAt);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Returns the p-th percentile (nearest rank) of `values` in milliseconds. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Returns the middle value, or the mean of the two middle values when the count is even. */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function summarize(latenciesMs: number[], unexpected: number, durationMs: number): LoadResult {
  return {
    completed: latenciesMs.length,
    unexpected,
    durationMs,
    requestsPerSecond: (latenciesMs.length / durationMs) * 1000,
    latenciesMs,
  };
}
