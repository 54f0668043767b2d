/**
 * RSA keys as merchants paste them and as channels sign with them (SHA256withRSA, i.e.
 * RSASSA-PKCS1-v1_5 over SHA-256, base64 signatures). Alipay and WeChat Pay both use it.
 *
 * Keys arrive as PEM or bare base64 DER, private keys as PKCS#8 or PKCS#1 (Alipay's tools
 * produce both), public keys as SPKI or inside an X.509 certificate (WeChat platform
 * certificates). `describeRsaKey` reads the DER structure synchronously so a configuration
 * request gets an exact error before anything is stored; WebCrypto then imports the key.
 */
import { fromBase64, toBase64, utf8 } from '../../shared/encoding.ts';
import { promiseCache } from '../base/promise-cache.ts';

export class RsaKeyError extends Error {
  override name = 'RsaKeyError';
}

export type RsaKeyKind = 'pkcs8' | 'pkcs1' | 'spki' | 'certificate';

export interface RsaKeyInfo {
  kind: RsaKeyKind;
  /** Modulus length in bits. */
  bits: number;
  /** The DER WebCrypto imports: PKCS#8 for private keys (PKCS#1 wrapped), SPKI for public ones. */
  der: Uint8Array<ArrayBuffer>;
}

/** The smallest key the channels accept; both require 2048-bit keys. */
export const MIN_RSA_BITS = 2048;

// ---- DER reading: just enough to tell the key formats apart and find the modulus --------------

interface Tlv {
  tag: number;
  start: number;
  /** Offset of the value. */
  body: number;
  end: number;
}

/** A byte the parser's bounds checks have put inside the input; a read past its end is a truncated key. */
function byteAt(der: Uint8Array, at: number): number {
  const byte = der[at];
  if (byte === undefined) throw new RsaKeyError('is truncated');
  return byte;
}

function readTlv(der: Uint8Array, at: number, limit = der.length): Tlv {
  if (at + 2 > limit) throw new RsaKeyError('is truncated');
  const tag = byteAt(der, at);
  let length = byteAt(der, at + 1);
  let body = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count < 1 || count > 4 || body + count > limit) throw new RsaKeyError('has a malformed length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + byteAt(der, body + i);
    body += count;
  }
  const end = body + length;
  if (end > limit) throw new RsaKeyError('is truncated');
  return { tag, start: at, body, end };
}

/** The children of a constructed TLV (SEQUENCE, context tag, or a BIT STRING's content). */
function children(der: Uint8Array, parent: Tlv, skip = 0): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.body + skip; at < parent.end; ) {
    const child = readTlv(der, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const OID = 0x06;
// 1.2.840.113549.1.1.1
const RSA_ENCRYPTION = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

function integerBits(der: Uint8Array, tlv: Tlv | undefined): number {
  if (tlv?.tag !== INTEGER) throw new RsaKeyError('is not an RSA key');
  let at = tlv.body;
  while (at < tlv.end && der[at] === 0) at++;
  if (at === tlv.end) return 0;
  return (tlv.end - at - 1) * 8 + (32 - Math.clz32(byteAt(der, at)));
}

function isRsaAlgorithm(der: Uint8Array, algorithm: Tlv | undefined): boolean {
  if (algorithm?.tag !== SEQUENCE) return false;
  const oid = children(der, algorithm)[0];
  return (
    oid?.tag === OID &&
    oid.end - oid.body === RSA_ENCRYPTION.length &&
    RSA_ENCRYPTION.every((byte, i) => der[oid.body + i] === byte)
  );
}

function sequence(der: Uint8Array, tlv: Tlv | undefined, what: string): Tlv[] {
  if (tlv?.tag !== SEQUENCE) throw new RsaKeyError(`is not ${what}`);
  return children(der, tlv);
}

/** PKCS#1 RSAPrivateKey: SEQUENCE { version, n, e, d, p, q, … } */
function pkcs1PrivateBits(der: Uint8Array, tlv: Tlv): number {
  const fields = sequence(der, tlv, 'an RSA private key');
  if (fields.length < 9) throw new RsaKeyError('is not an RSA private key');
  return integerBits(der, fields[1]);
}

/** SubjectPublicKeyInfo: SEQUENCE { algorithm, BIT STRING { RSAPublicKey { n, e } } } */
function spkiBits(der: Uint8Array, tlv: Tlv): number {
  const [algorithm, key] = sequence(der, tlv, 'a public key');
  if (!isRsaAlgorithm(der, algorithm) || key?.tag !== BIT_STRING) throw new RsaKeyError('is not an RSA public key');
  const [rsaKey] = children(der, key, 1);
  const [modulus] = sequence(der, rsaKey, 'an RSA public key');
  return integerBits(der, modulus);
}

function inspect(der: Uint8Array<ArrayBuffer>): RsaKeyInfo {
  const outer = readTlv(der, 0);
  if (outer.tag !== SEQUENCE || outer.end !== der.length) throw new RsaKeyError('is not a DER key');
  const fields = children(der, outer);
  const [first, second, third] = fields;
  // PKCS#8 PrivateKeyInfo: SEQUENCE { version INTEGER, algorithm, OCTET STRING { PKCS#1 } }
  if (first?.tag === INTEGER && second?.tag === SEQUENCE && third?.tag === OCTET_STRING) {
    if (!isRsaAlgorithm(der, second)) throw new RsaKeyError('is a PKCS#8 key but not an RSA key');
    return { kind: 'pkcs8', bits: pkcs1PrivateBits(der, readTlv(der, third.body, third.end)), der };
  }
  if (first?.tag === INTEGER && fields.length >= 9) {
    return { kind: 'pkcs1', bits: pkcs1PrivateBits(der, outer), der: wrapPkcs1(der) };
  }
  if (first?.tag === SEQUENCE && second?.tag === BIT_STRING) {
    return { kind: 'spki', bits: spkiBits(der, outer), der };
  }
  // Certificate: SEQUENCE { tbsCertificate { [0] version?, serial, signature, issuer, validity, subject, spki, … }, … }
  if (first?.tag === SEQUENCE && second?.tag === SEQUENCE && third?.tag === BIT_STRING) {
    const tbs = children(der, first);
    const offset = tbs[0]?.tag === 0xa0 ? 1 : 0;
    const spki = tbs[offset + 5];
    if (!spki) throw new RsaKeyError('is a certificate without a public key');
    return { kind: 'certificate', bits: spkiBits(der, spki), der: der.slice(spki.start, spki.end) };
  }
  throw new RsaKeyError('is not an RSA key in a format Till reads (PKCS#8, PKCS#1, SPKI or an X.509 certificate)');
}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

/** Puts a PKCS#1 RSAPrivateKey into the PKCS#8 envelope WebCrypto imports. */
function wrapPkcs1(pkcs1: Uint8Array): Uint8Array<ArrayBuffer> {
  const algorithm = [SEQUENCE, 13, OID, 9, ...RSA_ENCRYPTION, 0x05, 0x00];
  const inner = [INTEGER, 1, 0, ...algorithm, OCTET_STRING, ...derLength(pkcs1.length)];
  const head = [SEQUENCE, ...derLength(inner.length + pkcs1.length), ...inner];
  const out = new Uint8Array(head.length + pkcs1.length);
  out.set(head);
  out.set(pkcs1, head.length);
  return out;
}

// ---- text → DER --------------------------------------------------------------------------------

const PEM = /^-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----$/;

/** Base64 as keys are pasted: line breaks and spaces allowed. */
function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  const compact = text.replace(/\s+/g, '');
  try {
    if (compact === '') throw new TypeError('empty');
    return fromBase64(compact);
  } catch {
    throw new RsaKeyError('is neither PEM nor base64');
  }
}

/**
 * Reads a key or certificate and says what it is. Throws RsaKeyError with a message that
 * completes "<field> …", e.g. "is truncated".
 */
export function describeRsaKey(text: string): RsaKeyInfo & { label: string | null } {
  const trimmed = text.trim();
  const pem = PEM.exec(trimmed);
  if (trimmed.startsWith('-----') && !pem) throw new RsaKeyError('is a PEM block without a matching END line');
  const label = pem?.[1] ?? null;
  if (label === 'ENCRYPTED PRIVATE KEY') throw new RsaKeyError('is encrypted: export the key without a passphrase');
  return { ...inspect(base64Bytes(pem?.[2] ?? trimmed)), label };
}

/** Checks a private key for signing; answers the error message, or null when the key is fine. */
export function privateKeyProblem(text: string): string | null {
  try {
    const key = describeRsaKey(text);
    if (key.kind === 'spki' || key.kind === 'certificate')
      return 'is a public key or certificate: paste the private key';
    if (key.label === 'RSA PRIVATE KEY' && key.kind !== 'pkcs1')
      return 'is labelled PKCS#1 (RSA PRIVATE KEY) but holds a PKCS#8 key';
    if (key.label === 'PRIVATE KEY' && key.kind !== 'pkcs8')
      return 'is labelled PKCS#8 (PRIVATE KEY) but holds a PKCS#1 key';
    if (key.bits < MIN_RSA_BITS) return `must be a ${MIN_RSA_BITS}-bit RSA key (RSA2), got ${key.bits}-bit`;
    return null;
  } catch (error) {
    if (error instanceof RsaKeyError) return error.message;
    throw error;
  }
}

/** Checks a public key (SPKI or certificate); answers the error message, or null when fine. */
export function publicKeyProblem(text: string): string | null {
  try {
    const key = describeRsaKey(text);
    if (key.kind === 'pkcs8' || key.kind === 'pkcs1')
      return 'is a private key: paste the public key (it must never be shared this way)';
    if (key.bits < MIN_RSA_BITS) return `must be a ${MIN_RSA_BITS}-bit RSA key, got ${key.bits}-bit`;
    return null;
  } catch (error) {
    if (error instanceof RsaKeyError) return error.message;
    throw error;
  }
}

// ---- WebCrypto ---------------------------------------------------------------------------------

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

// Imported keys are reused by the isolate: importing costs more than signing with the key.
const imported = promiseCache<CryptoKey>(256);
const cached = (text: string, usage: 'sign' | 'verify', load: () => Promise<CryptoKey>): Promise<CryptoKey> =>
  imported(`${usage}:${text}`, load);

export function importRsaPrivateKey(text: string): Promise<CryptoKey> {
  return cached(text, 'sign', async () => {
    const key = describeRsaKey(text);
    if (key.kind !== 'pkcs8' && key.kind !== 'pkcs1') throw new RsaKeyError('is not a private key');
    return crypto.subtle.importKey('pkcs8', key.der, ALGORITHM, false, ['sign']);
  });
}

export function importRsaPublicKey(text: string): Promise<CryptoKey> {
  return cached(text, 'verify', async () => {
    const key = describeRsaKey(text);
    if (key.kind !== 'spki' && key.kind !== 'certificate') throw new RsaKeyError('is not a public key');
    return crypto.subtle.importKey('spki', key.der, ALGORITHM, false, ['verify']);
  });
}

/** SHA256withRSA over the UTF-8 bytes of `message`, base64 (standard alphabet, padded). */
export async function signRsaSha256(privateKey: string, message: string): Promise<string> {
  const signature = await crypto.subtle.sign(ALGORITHM, await importRsaPrivateKey(privateKey), utf8(message));
  return toBase64(new Uint8Array(signature));
}

/** Whether `signature` (base64) is SHA256withRSA over `message` by `publicKey`; false for anything malformed. */
export async function verifyRsaSha256(publicKey: string, message: string, signature: string): Promise<boolean> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = base64Bytes(signature);
  } catch {
    return false;
  }
  return crypto.subtle.verify(ALGORITHM, await importRsaPublicKey(publicKey), bytes, utf8(message));
}
