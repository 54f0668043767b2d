import { describe, expect, it } from 'vitest';
import { promiseCache } from '../../worker/base/promise-cache.ts';

describe('promiseCache', () => {
  it('loads once per id, keeps at most max entries and drops the oldest first', async () => {
    const loads: string[] = [];
    const cached = promiseCache<string>(2);
    const get = (id: string) =>
      cached(id, async () => {
        loads.push(id);
        return `value of ${id}`;
      });
    expect(await get('a')).toBe('value of a');
    expect(await get('a')).toBe('value of a');
    await get('b');
    await get('c'); // makes room by dropping a, the oldest
    await get('b');
    await get('a');
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
  });

  it('forgets a load that failed, so the next call tries again', async () => {
    const cached = promiseCache<number>(4);
    let tries = 0;
    const load = async () => {
      tries++;
      if (tries === 1) throw new Error('import failed');
      return tries;
    };
    await expect(cached('key', load)).rejects.toThrow('import failed');
    expect(await cached('key', load)).toBe(2);
    expect(await cached('key', load)).toBe(2);
  });
});
