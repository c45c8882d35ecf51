import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBrowserShell, type BrowserShell } from '../../electron/browser-shell/browser-shell';
import {
  agentEventsPath,
  bridgeMethods,
  bridgeSecretHeader,
  type AgentEvent,
  type AgentEventListener,
  type ClinicGateBridge,
} from '../../electron/shared/bridge';

let workDir: string;
let shell: BrowserShell;
let listeners: Set<AgentEventListener>;

function createEventOnlyAgent(): ClinicGateBridge {
  const methods = Object.fromEntries(bridgeMethods.map((method) => [method, async () => ({ ok: true, value: null })]));
  return {
    ...methods,
    onAgentEvent(listener: AgentEventListener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as ClinicGateBridge;
}

function emit(event: AgentEvent): void {
  for (const listener of listeners) {
    listener(event);
  }
}

/** Opens the event stream and collects its text until `until` matches or the stream ends. */
function openEventStream(headers: Record<string, string>): Promise<{ status: number; request: http.ClientRequest; text: () => string; waitFor: (pattern: RegExp) => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: shell.port, method: 'GET', path: agentEventsPath, headers: { Host: `127.0.0.1:${shell.port}`, ...headers } },
      (response) => {
        let text = '';
        const waiters: Array<{ pattern: RegExp; done: () => void }> = [];
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          for (const waiter of waiters.filter((entry) => entry.pattern.test(text))) {
            waiter.done();
          }
        });
        resolve({
          status: response.statusCode ?? 0,
          request,
          text: () => text,
          waitFor: (pattern) =>
            new Promise<void>((done) => {
              if (pattern.test(text)) {
                done();
              } else {
                waiters.push({ pattern, done });
              }
            }),
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

function secretFromUrl(url: string): string {
  return new URL(url).hash.replace('#bridge=', '');
}

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-shell-events-'));
  listeners = new Set();
  shell = await startBrowserShell({ agent: createEventOnlyAgent(), rendererDir: workDir });
});

afterEach(async () => {
  await shell.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('browser shell agent events', () => {
  it('streams agent events to a page that holds the secret', async () => {
    const stream = await openEventStream({ [bridgeSecretHeader]: secretFromUrl(shell.url) });
    await stream.waitFor(/: connected/);

    emit({ type: 'idle_warning', locksAt: '2026-01-05T09:15:00.000Z' });
    await stream.waitFor(/idle_warning/);

    expect(stream.status).toBe(200);
    expect(stream.text()).toContain('data: {"type":"idle_warning","locksAt":"2026-01-05T09:15:00.000Z"}\n\n');
    stream.request.destroy();
  });

  it('rejects a stream request without the secret', async () => {
    const stream = await openEventStream({});
    await stream.waitFor(/BRIDGE_UNAUTHORIZED/);

    expect(stream.status).toBe(403);
    expect(listeners.size).toBe(0);
  });

  it('unsubscribes when the page closes the stream', async () => {
    const stream = await openEventStream({ [bridgeSecretHeader]: secretFromUrl(shell.url) });
    await stream.waitFor(/: connected/);
    expect(listeners.size).toBe(1);

    stream.request.destroy();
    for (let attempt = 0; attempt < 100 && listeners.size > 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    expect(listeners.size).toBe(0);
  });
});
