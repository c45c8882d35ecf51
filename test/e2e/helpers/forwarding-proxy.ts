import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** An HTTPS reverse proxy on loopback that plays the part of a clinic's proxy in front of the server. */
export interface ForwardingProxy {
  url: string;
  /**
   * Address the proxy writes into `X-Forwarded-For`, as if the client connected from it; null
   * sends no header. Only the header carries it: no traffic goes to that address.
   */
  forwardedFor: string | null;
  close(): Promise<void>;
}

/**
 * Starts the proxy with the server's own certificate and key, so a workstation confirms the same
 * fingerprint. Upstream, it verifies the server against that certificate.
 */
export async function startForwardingProxy(options: { serverUrl: string; serverDataDir: string }): Promise<ForwardingProxy> {
  const cert = await readFile(path.join(options.serverDataDir, 'tls', 'server.crt'), 'utf8');
  const key = await readFile(path.join(options.serverDataDir, 'tls', 'server.key'), 'utf8');
  const upstream = new URL(options.serverUrl);
  const upstreamAgent = new https.Agent({ ca: cert, keepAlive: true });

  const proxy: ForwardingProxy = {
    url: '',
    forwardedFor: null,
    close: () => new Promise<void>((resolve) => {
      upstreamAgent.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };

  const server = https.createServer({ cert, key, minVersion: 'TLSv1.2' }, (request, response) => {
    const headers: Record<string, string | string[] | undefined> = { ...request.headers, host: upstream.host };
    delete headers['x-forwarded-for'];
    if (proxy.forwardedFor !== null) {
      headers['x-forwarded-for'] = proxy.forwardedFor;
    }
    const forwarded = https.request(
      { hostname: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers, agent: upstreamAgent },
      (upstreamResponse) => {
        upstreamResponse.on('error', () => response.destroy());
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    forwarded.on('error', () => {
      if (response.headersSent) {
        response.destroy();
      } else {
        response.writeHead(502).end();
      }
    });
    // A workstation that stops mid-request resets its connection; that ends this exchange only.
    request.on('error', () => forwarded.destroy());
    response.on('error', () => forwarded.destroy());
    request.pipe(forwarded);
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
