/** Entry of the checkout frame (`/v1/frame`). */
import { render } from 'preact';
import { App } from './app.tsx';
import { createHostBridge, reportHeight } from './host-bridge.ts';
import { createI18n, I18nContext } from './i18n.ts';
import { readLaunchParams } from './launch-params.ts';
import { chooseLocale } from './messages.ts';

const params = readLaunchParams();
const i18n = createI18n(chooseLocale(params?.locale ?? null));
document.documentElement.lang = i18n.locale;
// Embedded, the frame grows to fit its content, so it must never show a scrollbar of its own.
if (window.parent !== window) document.documentElement.classList.add('embedded');

const post = createHostBridge(params?.hostOrigin ?? null);
const root = document.getElementById('root')!;
render(
  <I18nContext.Provider value={i18n}>
    <App params={params} post={post} />
  </I18nContext.Provider>,
  root,
);
reportHeight(root, post);
