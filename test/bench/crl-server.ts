/**
 * A loopback HTTP server that serves the benchmark's CRLs and counts the requests, to show that one run
 * fetches each CRL once.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CrlServer {
  readonly baseUrl: string;
  /** Sets the bytes served at a path, e.g. "/issuing.crl". */
  serve(path: string, body: Uint8Array): void;
  requests(path: string): number;
  close(): Promise<void>;
}

export async function startCrlServer(): Promise<CrlServer> {
  const bodies = new Map<string, Uint8Array>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const body = bodies.get(path);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/pkix-crl", "content-length": body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    serve: (path, body) => void bodies.set(path, body),
    requests: (path) => counts.get(path) ?? 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
