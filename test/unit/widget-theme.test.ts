/** The theme on the frame's root: only ever light or dark, `auto` resolved from the device and followed. */
import { describe, expect, it } from 'vitest';
import { applyAppearance } from '../../widget/app/appearance.ts';
import { applyTheme, type DarkDevice, themeOf } from '../../widget/app/theme.ts';

/** A stand-in for matchMedia('(prefers-color-scheme: dark)') whose preference the test turns. */
function fakeDevice(dark: boolean) {
  const device: { -readonly [K in keyof DarkDevice]: DarkDevice[K] } = { matches: dark, onchange: null };
  const turn = (toDark: boolean): void => {
    device.matches = toDark;
    device.onchange?.call(device as MediaQueryList, { matches: toDark } as MediaQueryListEvent);
  };
  return { device, turn };
}

const fakeRoot = () => ({ dataset: {} as Record<string, string> }) as unknown as HTMLElement;

describe('applyTheme', () => {
  it('shows light and dark as they are, whatever the device prefers', () => {
    for (const dark of [false, true]) {
      const { device, turn } = fakeDevice(dark);
      const root = fakeRoot();
      applyTheme('dark', root, device);
      expect(root.dataset.theme).toBe('dark');
      turn(!dark);
      expect(root.dataset.theme).toBe('dark');
      applyTheme('light', root, device);
      turn(true);
      expect(root.dataset.theme).toBe('light');
    }
  });

  it("resolves auto from the device's preference and follows it when it changes", () => {
    const { device, turn } = fakeDevice(true);
    const root = fakeRoot();
    applyTheme('auto', root, device);
    expect(root.dataset.theme).toBe('dark');
    turn(false);
    expect(root.dataset.theme).toBe('light');
    turn(true);
    expect(root.dataset.theme).toBe('dark');
  });

  it('stops following the device once another theme replaces auto', () => {
    const { device, turn } = fakeDevice(false);
    const root = fakeRoot();
    applyTheme('auto', root, device);
    expect(root.dataset.theme).toBe('light');
    applyTheme('light', root, device);
    turn(true);
    expect(root.dataset.theme).toBe('light');
    expect(device.onchange).toBeNull();
  });

  it('shows light for auto where the preference cannot be read', () => {
    const root = fakeRoot();
    applyTheme('auto', root, null);
    expect(root.dataset.theme).toBe('light');
  });

  it('is applied by applyAppearance, auto included', () => {
    const { device, turn } = fakeDevice(true);
    const root = Object.assign(fakeRoot(), { style: { setProperty() {}, removeProperty: () => '' } });
    expect(applyAppearance({ theme: 'auto' }, root, () => true, device)).toEqual([]);
    expect(root.dataset.theme).toBe('dark');
    turn(false);
    expect(root.dataset.theme).toBe('light');
    expect(applyAppearance({ theme: 'night' }, root, () => true, device)).toEqual(['theme: not light, dark or auto']);
    turn(true);
    expect(root.dataset.theme).toBe('light');
  });
});

describe('themeOf', () => {
  it("reads the theme of the merchant's appearance, light when it names none it knows", () => {
    expect(themeOf({ theme: 'dark' })).toBe('dark');
    expect(themeOf({ theme: 'auto', variables: {} })).toBe('auto');
    for (const appearance of [undefined, null, {}, 'dark', ['dark'], { theme: 'DARK' }, { theme: 1 }])
      expect(themeOf(appearance), JSON.stringify(appearance)).toBe('light');
  });
});
