import type { ShopperContext } from '../../shared/schemas.ts';

/** Phones get the methods that fit a phone (H5 redirects rather than a QR code to scan). */
export function detectShopperContext(): ShopperContext {
  const phoneUserAgent = /Mobi|Android|iPhone|iPod|HarmonyOS/i.test(navigator.userAgent);
  const smallTouchScreen =
    matchMedia('(pointer: coarse)').matches && Math.min(screen.width, screen.height) < 600;
  return phoneUserAgent || smallTouchScreen ? 'mobile' : 'desktop';
}
