/**
 * Script tag → enabled Pay button, in Chromium on a slow phone: a merchant page on its own
 * origin (test/e2e/merchant-page.ts: nonce CSP, `<script src=…/v1/till.js>`, `Till.mount`) is
 * loaded with 4× CPU throttling and DevTools' "Slow 4G" network, and the time runs from the
 * page's navigation start (its performance.timeOrigin) to the moment the frame's Pay button
 * exists and is enabled (not aria-disabled, not busy). A MutationObserver inside the frame
 * sees that moment and reports it as performance.timeOrigin + performance.now() — wall-clock
 * milliseconds, the same clock as the page's timeOrigin.
 *
 * The checkout frame is on another site than the page (Till on localhost, the page on
 * 127.0.0.1), so Chromium runs it out of process, as a target of its own: CPU throttling and
 * network emulation are per target and must be set on the frame too, before it runs. Playwright
 * cannot address such a child session, so this speaks the DevTools protocol itself: the page
 * auto-attaches its frames paused (waitForDebuggerOnStart), each is throttled and given the
 * observer, then resumed.
 *
 * Cold: a fresh browser context (empty cache, no connections) with the cache disabled. Warm:
 * the same context once the cache holds the files (till.js for 5 minutes, hashed assets for a
 * year, the frame page revalidated), a new order each time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../test/e2e/browser.ts';
import { merchantApi, startMerchantPage } from '../test/e2e/merchant-page.ts';

/**
 * Chrome DevTools' "Slow 4G" preset (devtools-frontend, front_end/core/sdk/NetworkManager.ts,
 * `Slow4GConditions`, called "Fast 3G" until May 2024, crbug.com/342406608): ~1.6 Mbps down and
 * ~750 kbps up at 90 %, and 150 ms RTT × 3.75 as the request latency DevTools applies.
 */
export const SLOW_4G = {
  offline: false,
  latency: 150 * 3.75, // 562.5 ms
  downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9, // 180,000 B/s
  uploadThroughput: ((750 * 1000) / 8) * 0.9, // 84,375 B/s
} as const;
export const CPU_SLOWDOWN = 4;

export interface Request {
  url: string;
  /** Bytes over the wire (headers and compressed body). */
  bytes: number;
  /** Monotonic seconds (DevTools' timestamp) when it was sent. */
  start: number;
  /** Sent → finished, in ms. */
  ms: number;
}

export interface LoadRun {
  /** Navigation start → Pay enabled in the frame. */
  payEnabled: number;
  /** Navigation start → the page heard `ready` (on the page's own clock). */
  ready: number;
  /** Navigation start → till.js downloaded (resource timing). */
  loader: number;
  /** Bytes over the wire from Till (loader, frame page, its scripts and styles, the API). */
  tillBytes: number;
}

export interface LoadResult {
  cold: LoadRun[];
  warm: LoadRun[];
  /** What the first measured cold load fetched, in order. */
  coldRequests: Request[];
}

// ——— A minimal DevTools protocol client over the browser's WebSocket ———

type Params = Record<string, unknown>;
interface CdpMessage {
  id?: number;
  method?: string;
  params?: Params;
  result?: Params;
  error?: { message: string };
  sessionId?: string;
}

class Cdp {
  private next = 1;
  private readonly pending = new Map<number, { resolve(value: Params): void; reject(error: Error): void }>();
  private readonly listeners = new Set<(message: CdpMessage) => void>();

  private readonly socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as CdpMessage;
      if (message.id !== undefined) {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error.message));
        else waiter?.resolve(message.result ?? {});
        return;
      }
      for (const listener of [...this.listeners]) listener(message);
    });
  }

  static async connect(url: string): Promise<Cdp> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    return new Cdp(socket);
  }

  send<T = Params>(method: string, params: Params = {}, sessionId?: string): Promise<T> {
    const id = this.next++;
    this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise<T>((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as (value: Params) => void, reject }),
    );
  }

  on(listener: (message: CdpMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.socket.close();
  }
}

async function launchChromium(): Promise<{ cdp: Cdp; child: ChildProcess; profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'till-bench-chromium-'));
  // The flags of the browser tests, headless, with the DevTools protocol on a free port.
  const child = spawn(
    CHROMIUM_PATH,
    ['--headless', ...CHROMIUM_FLAGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${output}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const address = /DevTools listening on (ws:\/\/\S+)/.exec(output)?.[1];
      if (address) {
        clearTimeout(timer);
        resolve(address);
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}):\n${output}`)));
  });
  return { cdp: await Cdp.connect(url), child, profile };
}

// ——— One load ———

const BINDING = '__tillBenchPayEnabled';

/** Runs in every document of the frame's target before its scripts: reports the enabled Pay button once. */
const OBSERVER = `(() => {
  if (!location.pathname.startsWith('/v1/frame')) return;
  globalThis.__tillBenchObserver = 1;
  const report = globalThis[${JSON.stringify(BINDING)}];
  const check = () => {
    const button = document.querySelector('.pay button.primary, form button[type="submit"]');
    if (!button || button.disabled || button.getAttribute('aria-disabled') === 'true' ||
      button.getAttribute('aria-busy') === 'true') return;
    observer.disconnect();
    report(String(performance.timeOrigin + performance.now()));
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['disabled', 'aria-disabled', 'aria-busy']
  });
})();`;

interface Throttle {
  cold: boolean;
}

/** What every target of the page gets: the phone's CPU and network, the cache switch. */
async function throttle(cdp: Cdp, sessionId: string, options: Throttle): Promise<void> {
  await cdp.send('Network.enable', {}, sessionId);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: options.cold }, sessionId);
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G, sessionId);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN }, sessionId);
}

async function load(
  cdp: Cdp,
  sessionId: string,
  pageUrl: string,
  tillUrl: string,
  options: Throttle,
): Promise<{ run: LoadRun; requests: Request[] }> {
  await throttle(cdp, sessionId, options);
  const frameSessions = new Set<string>();
  const requests = new Map<string, Request>();
  // When the frame first reported an enabled Pay button (later reports are ignored: a promise settles once).
  let resolveEnabled!: (at: number) => void;
  const enabled = new Promise<number>((resolve) => (resolveEnabled = resolve));

  const off = cdp.on((message) => {
    const params = message.params ?? {};
    if (message.method === 'Target.attachedToTarget' && message.sessionId === sessionId) {
      const child = params.sessionId as string;
      const type = (params.targetInfo as { type: string }).type;
      void (async () => {
        if (type === 'iframe') {
          frameSessions.add(child);
          await throttle(cdp, child, options);
          await cdp.send('Runtime.enable', {}, child);
          await cdp.send('Runtime.addBinding', { name: BINDING }, child);
          await cdp.send('Page.enable', {}, child);
          await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: OBSERVER }, child);
        }
        await cdp.send('Runtime.runIfWaitingForDebugger', {}, child);
      })().catch((error: unknown) => console.error('bench: could not set up the frame target:', error));
    }
    if (message.method === 'Runtime.bindingCalled' && params.name === BINDING) resolveEnabled(Number(params.payload));
    if (message.sessionId && (message.sessionId === sessionId || frameSessions.has(message.sessionId))) {
      // A frame's document is asked for in the page's session and finishes in the frame's.
      const key = String(params.requestId);
      if (message.method === 'Network.requestWillBeSent') {
        const url = (params.request as { url: string }).url;
        if (!url.startsWith('data:')) requests.set(key, { url, bytes: 0, start: Number(params.timestamp), ms: NaN });
      }
      if (message.method === 'Network.loadingFinished') {
        const request = requests.get(key);
        if (request) {
          request.bytes = Number(params.encodedDataLength);
          request.ms = (Number(params.timestamp) - request.start) * 1000;
        }
      }
    }
  });
  try {
    await cdp.send(
      'Target.setAutoAttach',
      { autoAttach: true, waitForDebuggerOnStart: true, flatten: true },
      sessionId,
    );
    await cdp.send('Page.navigate', { url: pageUrl }, sessionId);
    const payEnabledAt = await Promise.race([
      enabled,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no enabled Pay button within 60 s')), 60_000),
      ),
    ]).catch(async (error: unknown): Promise<never> => {
      for (const frame of frameSessions) {
        const state = await cdp
          .send<{ result: { value: unknown } }>(
            'Runtime.evaluate',
            {
              expression:
                `({ url: location.href, binding: typeof globalThis.${BINDING}, ` +
                'observer: globalThis.__tillBenchObserver, button: ' +
                `document.querySelector('.pay button.primary, form button[type="submit"]')?.outerHTML })`,
              returnByValue: true,
            },
            frame,
          )
          .catch((failure: unknown) => ({ result: { value: String(failure) } }));
        console.error('bench: frame state', JSON.stringify(state.result.value));
      }
      throw error;
    });
    // The page's side: its time origin, when till.js arrived, when it heard `ready`.
    const { result } = await cdp.send<{ result: { value: { origin: number; loader: number; ready: number } } }>(
      'Runtime.evaluate',
      {
        expression: `new Promise((resolve) => {
          const done = () => {
            const ready = (window.__events || []).find((event) => event.type === 'ready');
            if (!ready) return setTimeout(done, 20);
            const loader = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('/v1/till.js'));
            resolve({
              origin: performance.timeOrigin,
              loader: loader ? loader.responseEnd : NaN,
              ready: ready.at - performance.timeOrigin
            });
          };
          done();
        })`,
        awaitPromise: true,
        returnByValue: true,
      },
      sessionId,
    );
    const list = [...requests.values()].filter((request) => !Number.isNaN(request.ms));
    return {
      run: {
        payEnabled: payEnabledAt - result.value.origin,
        ready: result.value.ready,
        loader: result.value.loader,
        tillBytes: list
          .filter((request) => request.url.startsWith(tillUrl))
          .reduce((sum, request) => sum + request.bytes, 0),
      },
      requests: list,
    };
  } finally {
    off();
  }
}

export async function measureWidgetLoad(
  setup: { url: string; secretKey: string },
  rounds: number,
): Promise<LoadResult> {
  const merchant = await startMerchantPage(setup.url);
  const api = merchantApi(setup.url, setup.secretKey);
  await api.allowOrigins(merchant.origin);
  const pageFor = async () =>
    merchant.checkoutUrl(
      (await api.createOrder({ amount: 2900, currency: 'USD', description: 'Bench load' })).client_token,
    );
  const { cdp, child, profile } = await launchChromium();
  const result: LoadResult = { cold: [], warm: [], coldRequests: [] };
  try {
    // One round unmeasured first: wrangler compiles and warms up on its first requests.
    for (let round = -1; round < rounds; round++) {
      const { browserContextId } = await cdp.send<{ browserContextId: string }>('Target.createBrowserContext', {
        disposeOnDetach: true,
      });
      const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', {
        url: 'about:blank',
        browserContextId,
      });
      const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
      try {
        await cdp.send('Runtime.enable', {}, sessionId);
        await cdp.send(
          'Emulation.setDeviceMetricsOverride',
          { width: 412, height: 915, deviceScaleFactor: 2, mobile: true },
          sessionId,
        );
        const cold = await load(cdp, sessionId, await pageFor(), setup.url, { cold: true });
        // Fill the cache (the cold load bypassed it), then the measured warm load.
        await load(cdp, sessionId, await pageFor(), setup.url, { cold: false });
        const warm = await load(cdp, sessionId, await pageFor(), setup.url, { cold: false });
        if (round >= 0) {
          result.cold.push(cold.run);
          result.warm.push(warm.run);
          if (!result.coldRequests.length) result.coldRequests = cold.requests;
        }
      } finally {
        await cdp.send('Target.closeTarget', { targetId }).catch(() => undefined);
        await cdp.send('Target.disposeBrowserContext', { browserContextId }).catch(() => undefined);
      }
    }
  } finally {
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    await cdp.send('Browser.close').catch(() => undefined);
    cdp.close();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    // Its helper processes may still be writing the profile for a moment.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    await merchant.close();
  }
  return result;
}
