import { mountFrame, type CheckoutHandle } from './mount.ts';

/**
 * `<till-checkout token="…" locale="…" return-url="…" wechat-open-id="…">`: the declarative way
 * to embed the checkout. Each event bubbles out of the element as a DOM event named
 * `till:<type>` with the payload as `detail`.
 */
export function defineCheckoutElement(workerOrigin: string): void {
  if (customElements.get('till-checkout')) return;

  class TillCheckoutElement extends HTMLElement {
    static get observedAttributes(): string[] {
      return ['token', 'locale', 'return-url', 'wechat-open-id'];
    }
    private handle: CheckoutHandle | null = null;
    // The frame lives in a shadow root so page styles and scripts don't reach into it by accident.
    private readonly root = this.attachShadow({ mode: 'open' });

    connectedCallback(): void {
      if (getComputedStyle(this).display === 'inline') this.style.display = 'block';
      this.remount();
    }

    disconnectedCallback(): void {
      this.handle?.destroy();
      this.handle = null;
    }

    attributeChangedCallback(): void {
      if (this.isConnected) this.remount();
    }

    private remount(): void {
      this.handle?.destroy();
      this.handle = null;
      const token = this.getAttribute('token');
      if (!token) return;
      // Each attribute mirrors the mount option of the same name; mountFrame ignores empty ones.
      const option = (name: string): string | undefined => this.getAttribute(name) ?? undefined;
      this.handle = mountFrame(
        this.root,
        {
          token,
          locale: option('locale'),
          returnUrl: option('return-url'),
          wechatOpenId: option('wechat-open-id'),
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
