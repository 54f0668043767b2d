/** Entry of the checkout frame (`/v1/frame`). */
import { render } from 'preact';
import { hostMessageOf } from '../protocol/messages.ts';
import { App } from './app.tsx';
import { getCheckout } from './checkout-api.ts';
import { createHostBridge, reportHeight } from './host-bridge.ts';
import { createI18n, I18nContext } from './i18n.ts';
import { readLaunchParams } from './launch-params.ts';
import { cardFormChunk } from './lazy-chunks.ts';
import { chooseLocale, isRightToLeft, type Locale, loadMessages } from './messages.ts';
import { detectShopperContext, webviewOf } from './shopper-context.ts';
import { applyTheme, themeOf } from './theme.ts';

const params = readLaunchParams();
// frame.html's own element: it is always there.
const root = document.getElementById('root') as HTMLElement;
const html = document.documentElement;
// Embedded, the frame grows to fit its content, so it must never show a scrollbar of its own.
if (window.parent !== window) html.classList.add('embedded');
// Read back by inWebview(): in an app's webview nothing may open a new window.
const webview = webviewOf(navigator.userAgent, params?.nativeHost ?? false);
if (webview) html.dataset.webview = webview;

const post = createHostBridge(params?.hostOrigin ?? null, params?.androidInterface ?? null);

/**
 * The merchant's appearance, when there is one: its checks load as their own small chunk, so a
 * checkout in the default look never fetches them. Bad values are the merchant's to fix: say
 * which in their console, and go on.
 */
const appearance = async (input: unknown): Promise<void> => {
  // The palette at once, so the loading screen shows it; the variables once their checks load.
  applyTheme(themeOf(input));
  const { applyAppearance } = await import('./appearance.ts');
  const refused = applyAppearance(input);
  if (refused.length) console.warn(`Till: appearance ignored: ${refused.join('; ')}`);
};
const appearanceApplied = params?.appearance == null ? null : appearance(params.appearance).catch(() => undefined);

// The order, the strings and the card form travel in parallel: none waits for another.
const firstCheckout = params ? getCheckout(params.orderId, params.token, detectShopperContext()) : null;
firstCheckout?.catch(() => undefined);
void cardFormChunk.load().catch(() => undefined);

let shown: Locale | null = null;
/** The latest locale asked for: an older request that resolves later must not win. */
let wanted: Locale | null = null;
async function show(requested: string | null): Promise<void> {
  const locale = chooseLocale(requested);
  if (locale === (wanted ?? shown)) return;
  wanted = locale;
  let loaded: Awaited<ReturnType<typeof loadMessages>>;
  try {
    // The first paint waits for the merchant's look too, so it does not flash the default one.
    [loaded] = await Promise.all([loadMessages(locale), appearanceApplied]);
  } catch {
    if (wanted !== locale) return;
    wanted = null;
    // Not even English could be fetched. A checkout already shown keeps its language; a frame
    // with nothing shown yet can only ask for a reload.
    if (!shown) root.textContent = 'The checkout could not load. Check your connection and reload the page.';
    return;
  }
  if (wanted !== locale) return;
  wanted = null;
  // The first render takes the place of the page's static spinner (render would keep it).
  if (!shown) root.replaceChildren();
  shown = loaded.locale;
  html.lang = loaded.locale;
  html.dir = isRightToLeft(loaded.locale) ? 'rtl' : 'ltr';
  render(
    <I18nContext.Provider value={createI18n(loaded.locale, loaded.messages)}>
      <App params={params} post={post} firstCheckout={firstCheckout} />
    </I18nContext.Provider>,
    root,
  );
}

void show(params?.locale ?? null);
reportHeight(root, post);

// The merchant may change the language or the look of a mounted checkout (`handle.update`).
const hostOrigin = params?.hostOrigin;
if (hostOrigin) {
  addEventListener('message', (event) => {
    const message = hostMessageOf(event, window.parent, hostOrigin);
    if (message?.type !== 'update') return;
    const { options } = message;
    // An empty locale goes back to the shopper's own languages.
    if (options.locale !== undefined) void show(options.locale || null);
    if (options.appearance !== undefined) void appearance(options.appearance).catch(() => undefined);
  });
}
