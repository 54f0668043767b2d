/**
 * Reads the order id out of a client token. The token is a compact JWS whose payload's `sub`
 * is the order id; the worker checks the signature, so the loader only needs to read it.
 */
export function orderIdFromToken(token: string): string | null {
  try {
    const [, payload = ''] = token.split('.');
    // atob forgives missing padding; it only needs the URL-safe alphabet mapped back.
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub ? sub : null;
  } catch {
    return null;
  }
}
