/**
 * A local HTTP server on 127.0.0.1 for the download tests (never the internet): serves generated
 * bytes per path, honours `Range: bytes=N-` with 206 answers, and can be told to cut a response
 * short, answer with a status, redirect, or ignore ranges. It records every request.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  body?: Uint8Array;
  /** Close the connection after sending this many body bytes (the headers promise the whole body). */
  cutAfter?: number;
  status?: number;
  redirect?: string;
  /** Answer 200 with the whole body even when a Range is asked for. */
  ignoreRange?: boolean;
  /** Send `cutAfter` bytes (default 0), then nothing more while keeping the connection open. */
  stall?: boolean;
}

export interface TestServer {
  url: (routePath: string) => string;
  routes: Map<string, Route>;
  requests: { path: string; range: string | undefined }[];
  close: () => Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const requests: TestServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const routePath = req.url ?? '/';
    const range = req.headers.range;
    requests.push({ path: routePath, range });
    const route = routes.get(routePath);
    if (route === undefined) return void res.writeHead(404).end('not found');
    if (route.redirect !== undefined) return void res.writeHead(302, { location: route.redirect }).end();
    if (route.status !== undefined) return void res.writeHead(route.status).end();
    const body = route.body ?? new Uint8Array(0);
    let start = 0;
    const match = range === undefined || route.ignoreRange ? null : /^bytes=(\d+)-$/.exec(range);
    if (match) {
      start = Number(match[1]);
      if (start >= body.length) return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    const rest = body.subarray(start);
    if (route.stall) return void res.write(rest.subarray(0, route.cutAfter ?? 0));
    if (route.cutAfter !== undefined && route.cutAfter < rest.length) {
      res.write(rest.subarray(0, route.cutAfter), () => res.socket?.destroy());
      return;
    }
    res.end(rest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (routePath) => `http://127.0.0.1:${port}${routePath}`,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Deterministic pseudo-random bytes (so gzip or tar cannot shrink them to nothing). */
export function noiseBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    bytes[i] = s & 0xff;
  }
  return bytes;
}

export function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}
