/**
 * Stripe's v1 request bodies: `application/x-www-form-urlencoded` with nested objects in brackets
 * (`metadata[order]=…`) and arrays indexed (`payment_method_types[0]=card`).
 */
export type FormValue = string | number | boolean | undefined | readonly FormValue[] | { [key: string]: FormValue };

export function stripeForm(params: Record<string, FormValue>): string {
  const pairs: string[] = [];
  const add = (name: string, value: FormValue): void => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) add(`${name}[${index}]`, item);
    } else if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) add(`${name}[${key}]`, item);
    } else {
      pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
    }
  };
  for (const [name, value] of Object.entries(params)) add(name, value);
  return pairs.join('&');
}
