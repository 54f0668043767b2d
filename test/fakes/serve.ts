/**
 * Serves a Fetch-style handler on a local port with node:http, so each channel fake is written
 * as `(request: Request) => Response` and runs in node, where the vendors' SDKs run.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningFake {
  /** e.g. http://127.0.0.1:8811 */
  url: string;
  close(): Promise<void>;
}

async function toRequest(message: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const method = message.method ?? 'GET';
  return new Request(new URL(message.url ?? '/', base), {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
  });
}

async function send(response: Response, out: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  out.writeHead(response.status, headers);
  out.end(Buffer.from(await response.arrayBuffer()));
}

/** Listens on 127.0.0.1:`port` (0 picks a free port). A handler that throws answers 500 with the message. */
export async function serve(
  port: number,
  handler: (request: Request) => Promise<Response> | Response,
): Promise<RunningFake> {
  let base = '';
  const server = createServer((message, out) => {
    void (async () => {
      try {
        await send(await handler(await toRequest(message, base)), out);
      } catch (error) {
        console.error('fake channel error', error);
        if (!out.headersSent) out.writeHead(500, { 'content-type': 'text/plain' });
        out.end(String((error as Error)?.stack ?? error));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
