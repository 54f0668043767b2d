/**
 * `/v1/till.js`: the script tag a merchant adds. It stays tiny and framework-free; the checkout
 * itself runs in an iframe on the worker's origin so card data never touches the merchant page.
 */
import { defineCheckoutElement } from './checkout-element.ts';
import { type CheckoutHandle, type MountOptions, mountFrame } from './mount.ts';

export interface TillApi {
  mount(target: Element | string, options: MountOptions): CheckoutHandle;
}

declare global {
  interface Window {
    Till?: TillApi;
  }
}

/** The frame is served by the worker that served this script; captured now, while it is known. */
function findWorkerOrigin(): string {
  const script = (document.currentScript ??
    [...document.scripts].find((candidate) => /\/v1\/till\.js/.test(candidate.src))) as HTMLScriptElement | undefined;
  return new URL(script?.src || location.href).origin;
}

if (!window.Till) {
  const workerOrigin = findWorkerOrigin();
  window.Till = {
    mount(target, options) {
      const element = typeof target === 'string' ? document.querySelector(target) : target;
      if (!element) throw new TypeError(`Till.mount: no element matches ${String(target)}`);
      return mountFrame(element, options, workerOrigin);
    },
  };
  defineCheckoutElement(workerOrigin);
}
