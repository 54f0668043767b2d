/**
 * A per-isolate cache of work worth doing once, such as importing a CryptoKey (which costs more
 * than using it): at most `max` entries, the oldest dropped first, and a promise that rejects is
 * forgotten so the next call tries again.
 */
export function promiseCache<V>(max: number): (id: string, load: () => Promise<V>) => Promise<V> {
  const entries = new Map<string, Promise<V>>();
  return (id, load) => {
    let value = entries.get(id);
    if (!value) {
      // A Map iterates in insertion order, so the first keys are the oldest.
      for (const oldest of entries.keys()) {
        if (entries.size < max) break;
        entries.delete(oldest);
      }
      value = load();
      entries.set(id, value);
      value.catch(() => entries.delete(id));
    }
    return value;
  };
}
