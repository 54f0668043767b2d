/**
 * The merchant's `appearance` option (widget/loader/mount.ts) applied to the frame: the theme
 * through theme.ts, and each variable as a --till-* custom property set through the CSSOM, which
 * the frame's `style-src 'self'` allows. The input is the host page's JSON, so a value must parse
 * as what it claims to be and may not reach beyond its own property. Whatever is refused is
 * skipped and described in the returned list.
 */
import { applyTheme, type DarkDevice, isTheme } from './theme.ts';

/**
 * Public variable name (documented; do not rename) → the --till-* custom property styles.css
 * reads. A Map, so `__proto__`, `toString` and other inherited names are simply unknown.
 */
const VARIABLES = new Map([
  ['colorPrimary', 'accent'],
  ['colorPrimaryText', 'accent-contrast'],
  ['colorBackground', 'background'],
  ['colorSurface', 'surface'],
  ['colorText', 'text'],
  ['colorTextSecondary', 'muted'],
  ['colorBorder', 'border'],
  ['colorDanger', 'danger'],
  ['colorSuccess', 'success'],
  ['fontFamily', 'font'],
  ['fontSizeBase', 'font-size'],
  ['borderRadius', 'radius'],
]);

/** What could close the declaration, fetch something, refer to another property, or is a CSS-wide keyword. */
const UNSAFE = /url\(|var\(|expression|[;{}\\!]|^\s*(inherit|initial|unset|revert(-layer)?)\s*$/i;
const LENGTH = /^(\d+\.?\d*|\.\d+)(px|r?em)$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Applies `{ theme?, variables? }` to `root`, first undoing a previous call (the host may update
 * the appearance). Returns one line per refused item, e.g. `variables.colorPrimary: not a colour`.
 */
export function applyAppearance(
  input: unknown,
  root: HTMLElement = document.documentElement,
  supports = (property: string, value: string): boolean => CSS.supports(property, value),
  device?: DarkDevice | null,
): string[] {
  const refused: string[] = [];
  const { style } = root;
  for (const property of VARIABLES.values()) style.removeProperty(`--till-${property}`);

  if (input !== null && input !== undefined && !isRecord(input)) refused.push('appearance: not an object');
  const { theme = 'light', variables = {} } = isRecord(input) ? input : {};
  const known = isTheme(theme);
  if (!known) refused.push('theme: not light, dark or auto');
  applyTheme(known ? theme : 'light', root, device);

  if (!isRecord(variables)) return [...refused, 'variables: not an object'];
  for (const [name, value] of Object.entries(variables)) {
    const property = VARIABLES.get(name);
    const kind = name[0] === 'c' ? 'color' : name === 'fontFamily' ? 'font-family' : 'width';
    if (!property) refused.push(`variables.${name}: unknown`);
    else if (
      typeof value === 'string' &&
      value.length <= 200 &&
      !UNSAFE.test(value) &&
      (kind !== 'width' || LENGTH.test(value)) &&
      supports(kind, value)
    ) {
      style.setProperty(`--till-${property}`, value);
    } else {
      const what = kind === 'color' ? 'a colour' : kind === 'width' ? 'a length in px, rem or em' : 'a font family';
      refused.push(`variables.${name}: not ${what}`);
    }
  }
  return refused;
}
