/**
 * The merchant's theme on the root element as `data-theme`, where styles.css picks its palette:
 * always `light` or `dark`, so the dark palette is written once. `auto` is resolved from the
 * device's `prefers-color-scheme` and follows it when it changes. Part of the entry chunk, so the
 * loading screen takes the theme as soon as the frame's script runs, before the appearance checks
 * (appearance.ts, a lazy chunk) have loaded.
 */
export type Theme = 'light' | 'dark' | 'auto';

export const isTheme = (value: unknown): value is Theme => value === 'light' || value === 'dark' || value === 'auto';

/** The theme the merchant's `appearance` (unchecked JSON) names, light when it names none it knows. */
export function themeOf(appearance: unknown): Theme {
  const theme = (appearance as { theme?: unknown } | null | undefined)?.theme;
  return isTheme(theme) ? theme : 'light';
}

/** What applyTheme reads of `matchMedia('(prefers-color-scheme: dark)')`. */
export type DarkDevice = Pick<MediaQueryList, 'matches' | 'onchange'>;

const darkDevice: DarkDevice | null =
  typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;

/**
 * Shows `theme` on `root`, replacing any earlier call's. `onchange` rather than addEventListener:
 * one handler to replace, and an engine whose MediaQueryList is no EventTarget (Safari before 14)
 * merely does not follow a change.
 */
export function applyTheme(
  theme: Theme,
  root: HTMLElement = document.documentElement,
  device: DarkDevice | null = darkDevice,
): void {
  const show = (): void => {
    root.dataset.theme = theme === 'dark' || (theme === 'auto' && device?.matches) ? 'dark' : 'light';
  };
  show();
  if (device) device.onchange = theme === 'auto' ? show : null;
}
