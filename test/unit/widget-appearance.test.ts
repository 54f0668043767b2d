/** The merchant's `appearance` option, applied to the checkout frame's root element. */
import { describe, expect, it } from 'vitest';
import { applyAppearance } from '../../widget/app/appearance.ts';

/** Just what applyAppearance touches: `dataset` and the CSSOM's setProperty / removeProperty. */
function fakeRoot() {
  const properties = new Map<string, string>();
  const dataset: Record<string, string> = {};
  const style = {
    setProperty: (name: string, value: string) => void properties.set(name, value),
    removeProperty: (name: string) => {
      const old = properties.get(name) ?? '';
      properties.delete(name);
      return old;
    },
  };
  return { root: { dataset, style } as unknown as HTMLElement, dataset, properties };
}

/** A stand-in for CSS.supports that knows a few values of each kind. */
const VALID: Record<string, string[]> = {
  color: ['#635bff', 'rgb(10 20 30)', 'white', 'transparent', 'hsl(0 0% 10%)'],
  width: ['6px', '1.5rem', '.9em', '10%', 'auto'],
  'font-family': ['Inter, sans-serif', '"IBM Plex Sans"'],
};
const supports = (property: string, value: string): boolean => VALID[property]?.includes(value) ?? false;
/** Says yes to everything, as a browser would to some injections: our own checks must refuse them. */
const supportsAll = (): boolean => true;

const apply = (input: unknown, support = supports) => {
  const fake = fakeRoot();
  const refused = applyAppearance(input, fake.root, support);
  return { ...fake, refused };
};

describe('applyAppearance', () => {
  it('sets the theme, light when none or nothing is given', () => {
    expect(apply({ theme: 'dark' }).dataset.theme).toBe('dark');
    // `auto` is resolved on the root (widget-theme.test.ts): light where no dark preference is known.
    expect(apply({ theme: 'auto' }).dataset.theme).toBe('light');
    expect(apply({ theme: 'light' }).dataset.theme).toBe('light');
    for (const input of [{}, null, undefined, { variables: {} }]) {
      const { dataset, refused, properties } = apply(input);
      expect(dataset.theme).toBe('light');
      expect(refused).toEqual([]);
      expect(properties.size).toBe(0);
    }
  });

  it('refuses an unknown theme and falls back to light', () => {
    for (const theme of ['night', 'DARK', 1, { dark: true }, '']) {
      const { dataset, refused } = apply({ theme });
      expect(dataset.theme).toBe('light');
      expect(refused).toEqual(['theme: not light, dark or auto']);
    }
  });

  it('maps every public variable to the custom property styles.css reads', () => {
    const { properties, refused } = apply({
      theme: 'dark',
      variables: {
        colorPrimary: '#635bff',
        colorPrimaryText: 'white',
        colorBackground: 'transparent',
        colorSurface: 'rgb(10 20 30)',
        colorText: 'hsl(0 0% 10%)',
        colorTextSecondary: 'rgb(10 20 30)',
        colorBorder: 'white',
        colorDanger: '#635bff',
        colorSuccess: 'white',
        fontFamily: '"IBM Plex Sans"',
        fontSizeBase: '1.5rem',
        borderRadius: '6px',
      },
    });
    expect(refused).toEqual([]);
    expect(Object.fromEntries(properties)).toEqual({
      '--till-accent': '#635bff',
      '--till-accent-contrast': 'white',
      '--till-background': 'transparent',
      '--till-surface': 'rgb(10 20 30)',
      '--till-text': 'hsl(0 0% 10%)',
      '--till-muted': 'rgb(10 20 30)',
      '--till-border': 'white',
      '--till-danger': '#635bff',
      '--till-success': 'white',
      '--till-font': '"IBM Plex Sans"',
      '--till-font-size': '1.5rem',
      '--till-radius': '6px',
    });
  });

  it('refuses bad values and unknown names, says which, and applies the rest', () => {
    const { properties, refused, dataset } = apply({
      theme: 'dark',
      variables: {
        colorPrimary: 'bluish',
        colorText: 42,
        colorBorder: null,
        fontFamily: 'Comic Sans; x',
        fontSizeBase: '10%',
        borderRadius: 'auto',
        spacingUnit: '4px',
        colorSuccess: '#635bff',
        toString: 'red',
      },
    });
    expect(dataset.theme).toBe('dark');
    expect(Object.fromEntries(properties)).toEqual({ '--till-success': '#635bff' });
    expect(refused).toEqual([
      'variables.colorPrimary: not a colour',
      'variables.colorText: not a colour',
      'variables.colorBorder: not a colour',
      'variables.fontFamily: not a font family',
      'variables.fontSizeBase: not a length in px, rem or em',
      'variables.borderRadius: not a length in px, rem or em',
      'variables.spacingUnit: unknown',
      'variables.toString: unknown',
    ]);
  });

  it('checks `__proto__` and other inherited names as unknown, never as variables', () => {
    const { refused, properties } = apply(JSON.parse('{"variables":{"__proto__":"red","constructor":"red"}}'));
    expect(refused).toEqual(['variables.__proto__: unknown', 'variables.constructor: unknown']);
    expect(properties.size).toBe(0);
  });

  it('refuses anything that could leave its property, even where the browser would accept it', () => {
    const attempts = [
      'red; background:url(x)',
      'url(https://evil.example/x.png)',
      'var(--x)',
      'VAR(--till-text)',
      '}',
      'red}body{color:red',
      '{',
      'expression(alert(1))',
      'r\\65 d',
      'red !important',
      'inherit',
      ' initial ',
      'unset',
      'revert-layer',
      'a'.repeat(201),
    ];
    for (const value of attempts) {
      const { refused, properties } = apply({ variables: { colorPrimary: value, fontFamily: value } }, supportsAll);
      expect(refused, value).toEqual([
        'variables.colorPrimary: not a colour',
        'variables.fontFamily: not a font family',
      ]);
      expect(properties.size, value).toBe(0);
    }
    // Lengths are px, rem or em numbers only, whatever else `width` would take.
    for (const value of ['calc(1px + 2px)', '10%', '-4px', '4', 'auto', '1e3px', '4 px']) {
      expect(apply({ variables: { borderRadius: value } }, supportsAll).refused, value).toEqual([
        'variables.borderRadius: not a length in px, rem or em',
      ]);
    }
    expect(apply({ variables: { borderRadius: '0px', fontSizeBase: '.875rem' } }, supportsAll).refused).toEqual([]);
    expect(apply({ variables: { colorPrimary: 'a'.repeat(200) } }, supportsAll).refused).toEqual([]);
  });

  it('refuses input of the wrong shape', () => {
    expect(apply('dark').refused).toEqual(['appearance: not an object']);
    expect(apply(['dark']).refused).toEqual(['appearance: not an object']);
    expect(apply({ variables: ['red'] }).refused).toEqual(['variables: not an object']);
    expect(apply({ theme: 'dark', variables: 'red' })).toMatchObject({
      refused: ['variables: not an object'],
      dataset: { theme: 'dark' },
    });
  });

  it('removes what a previous call set before applying the next', () => {
    const { root, dataset, properties } = fakeRoot();
    applyAppearance(
      { theme: 'dark', variables: { colorPrimary: '#635bff', borderRadius: '6px', fontFamily: 'Inter, sans-serif' } },
      root,
      supports,
    );
    expect(properties.size).toBe(3);

    expect(applyAppearance({ variables: { colorText: 'white' } }, root, supports)).toEqual([]);
    expect(dataset.theme).toBe('light');
    expect(Object.fromEntries(properties)).toEqual({ '--till-text': 'white' });

    // A refused value does not keep the previous one either: the palette's own comes back.
    expect(applyAppearance({ variables: { colorText: 'nope' } }, root, supports)).toEqual([
      'variables.colorText: not a colour',
    ]);
    expect(properties.size).toBe(0);

    applyAppearance({ theme: 'auto', variables: { colorPrimary: 'white' } }, root, supports);
    applyAppearance(null, root, supports);
    expect(dataset.theme).toBe('light');
    expect(properties.size).toBe(0);
  });
});
