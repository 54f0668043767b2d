import { type Appearance, type CheckoutHandle, mountFrame, type UpdatableOptions } from './mount.ts';

/** Attributes the checkout takes in place; any other attribute change mounts it again. */
const IN_PLACE = ['locale', 'theme', 'appearance'];

/**
 * `<till-checkout token="…" locale="…" theme="dark" appearance='{"variables":{…}}' return-url="…"
 * wechat-open-id="…" android-interface="…">`: the declarative way to embed the checkout. Each
 * event bubbles out of the element as a DOM event named `till:<type>` with the payload as `detail`.
 */
export function defineCheckoutElement(workerOrigin: string): void {
  if (customElements.get('till-checkout')) return;

  class TillCheckoutElement extends HTMLElement {
    static get observedAttributes(): string[] {
      return ['token', 'return-url', 'wechat-open-id', 'android-interface', ...IN_PLACE];
    }
    private handle: CheckoutHandle | null = null;
    /** Set once connected: attributes reported while the element upgrades must not mount it each time. */
    private connected = false;
    // The frame lives in a shadow root so page styles and scripts don't reach into it by accident.
    private readonly root = this.attachShadow({ mode: 'open' });

    connectedCallback(): void {
      if (getComputedStyle(this).display === 'inline') this.style.display = 'block';
      this.connected = true;
      this.remount();
    }

    disconnectedCallback(): void {
      this.connected = false;
      this.handle?.destroy();
      this.handle = null;
    }

    attributeChangedCallback(name: string): void {
      if (!this.connected) return;
      if (this.handle && IN_PLACE.includes(name)) this.handle.update(this.updatable());
      else this.remount();
    }

    private option(name: string): string | undefined {
      return this.getAttribute(name) ?? undefined;
    }

    /**
     * `theme` is a shorthand for `appearance.theme`; bad JSON in `appearance` counts as none. A
     * removed `locale` ('') goes back to the shopper's languages; with neither `theme` nor
     * `appearance` the default look is kept (and its checks are never fetched).
     */
    private updatable(): UpdatableOptions {
      let appearance: Appearance | undefined;
      try {
        appearance = JSON.parse(this.option('appearance') ?? 'null') ?? undefined;
      } catch {
        console.error('till-checkout: appearance must be JSON');
      }
      const theme = this.option('theme') as Appearance['theme'];
      return { locale: this.option('locale') ?? '', appearance: theme ? { ...appearance, theme } : appearance };
    }

    private remount(): void {
      this.handle?.destroy();
      this.handle = null;
      const token = this.option('token');
      if (!token) return;
      // Each attribute mirrors the mount option of the same name; mountFrame ignores empty ones.
      this.handle = mountFrame(
        this.root,
        {
          token,
          ...this.updatable(),
          returnUrl: this.option('return-url'),
          wechatOpenId: this.option('wechat-open-id'),
          androidInterface: this.option('android-interface'),
          onEvent: ({ type, payload }) => {
            this.dispatchEvent(new CustomEvent(`till:${type}`, { detail: payload, bubbles: true, composed: true }));
          },
        },
        workerOrigin,
      );
    }
  }

  customElements.define('till-checkout', TillCheckoutElement);
}
