/**
 * Starts Till on wrangler dev (offline, fresh local state) for the browser tests, exactly as
 * `npm start` does, and hands the URL to the tests.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { type DevServer, startDevServer } from '../../scripts/dev-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    tillUrl: string;
    /** The local stand-ins the demo merchant's test mode talks to. */
    fakeUrls: { alipay: string; wechatpay: string; stripe: string; adyen: string };
    /** The demo merchant's test secret key, for reading orders as its server would. */
    merchantSecretKey: string;
  }
}

let server: DevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  const persistTo = '.wrangler/e2e-state';
  rmSync(persistTo, { recursive: true, force: true });
  const port = Number(process.env.TILL_E2E_PORT ?? 8790);
  server = await startDevServer({ port, persistTo, merchantFile: `${persistTo}/merchant.json` });
  project.provide('tillUrl', server.url);
  const { alipay, wechatpay, stripe, adyen } = server.fakes;
  project.provide('fakeUrls', { alipay: alipay.url, wechatpay: wechatpay.url, stripe: stripe.url, adyen: adyen.url });
  project.provide('merchantSecretKey', server.merchant.secret_key);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
