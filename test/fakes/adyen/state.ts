/**
 * What the fake Adyen remembers: merchant accounts (each with its API key, HMAC key, webhook URL,
 * faults and notification log), payments by pspReference, idempotency records, 3-D Secure
 * challenges and the redirectResults they hand out, and a clock tests can move forward.
 */
import { randomBytes } from 'node:crypto';
import { ADYEN_TEST_API_KEY, ADYEN_TEST_HMAC_KEY, ADYEN_TEST_MERCHANT_ACCOUNT } from './account.ts';

export interface Amount {
  value: number;
  currency: string;
}

/** The fake's own view of a payment; Adyen's is spread over its Customer Area and webhooks. */
export type PaymentStatus = 'authorised' | 'refused' | 'error' | 'redirect_pending' | 'cancelled' | 'expired';

export interface Card {
  brand: string;
  bin: string;
  last4: string;
  expiryMonth: string;
  expiryYear: string;
}

export interface Payment {
  pspReference: string;
  merchantAccount: string;
  reference: string;
  amount: Amount;
  returnUrl: string;
  card: Card;
  holderName: string;
  status: PaymentStatus;
  /** Manual capture (additionalData.manualCapture) or a delayed automatic one (captureDelayHours > 0). */
  manualCapture: boolean;
  /** Epoch ms of the fake clock when a delayed automatic capture happens; null for none. */
  captureAt: number | null;
  captured: number;
  refunded: number;
  /** An explicit capture was asked for: after it the payment can no longer be cancelled. */
  captureRequested: boolean;
  refusalReason: string | null;
  refusalReasonCode: string | null;
  authCode: string | null;
  createdAt: number;
  shopperReference: string | null;
  metadata: Record<string, string>;
  modifications: Modification[];
}

export type ModificationKind = 'CAPTURE' | 'CANCELLATION' | 'REFUND' | 'TECHNICAL_CANCEL';

export interface Modification {
  kind: ModificationKind;
  pspReference: string;
  reference: string | null;
  amount: Amount;
  success: boolean;
  reason: string;
}

export interface Delivery {
  /** The NotificationRequestItem as sent. */
  item: Record<string, unknown>;
  url: string | null;
  attempts: Array<{ status: number | null; body: string }>;
  accepted: boolean;
  dropped: boolean;
}

export type FaultKind = 'server_error' | 'down' | 'slow' | 'drop_notifications';

export interface Fault {
  kind: FaultKind;
  /** How many more calls (or notifications) it applies to; null: until reset. */
  remaining: number | null;
  delayMs: number;
}

export interface Account {
  apiKey: string;
  merchantAccount: string;
  hmacKey: string;
  webhookUrl: string | null;
  faults: Fault[];
  deliveries: Delivery[];
  /** Idempotency-Key → the request it answered and the answer. */
  idempotency: Map<string, { fingerprint: string; status: number; body: string }>;
}

export interface Challenge {
  token: string;
  pspReference: string;
  /** additionalData.RequestedTestAcquirerResponseCode, applied once the shopper is authenticated. */
  requestedCode: string | undefined;
  done: boolean;
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export const randomCode = (length: number, alphabet = ALPHANUMERIC): string =>
  Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');

/** Adyen's 16-character pspReference. */
export const newPspReference = (): string => randomCode(16);

export const opaqueToken = (): string => randomBytes(24).toString('base64url');

export class AdyenState {
  readonly accounts = new Map<string, Account>();
  readonly payments = new Map<string, Payment>();
  readonly challenges = new Map<string, Challenge>();
  /** redirectResult → pspReference; deleted when /payments/details redeems it. */
  readonly redirectResults = new Map<string, string>();
  private clockOffsetMs = 0;

  constructor() {
    this.addAccount(ADYEN_TEST_API_KEY, ADYEN_TEST_MERCHANT_ACCOUNT, ADYEN_TEST_HMAC_KEY);
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advance(seconds: number): void {
    this.clockOffsetMs += seconds * 1000;
  }

  addAccount(apiKey: string, merchantAccount: string, hmacKey: string): Account {
    const account: Account = {
      apiKey,
      merchantAccount,
      hmacKey,
      webhookUrl: null,
      faults: [],
      deliveries: [],
      idempotency: new Map(),
    };
    this.accounts.set(apiKey, account);
    return account;
  }

  accountOf(merchantAccount: string): Account | undefined {
    for (const account of this.accounts.values()) if (account.merchantAccount === merchantAccount) return account;
    return undefined;
  }

  /** Uses up one call of the first fault of `kind`, if armed. */
  takeFault(account: Account, kind: FaultKind): Fault | null {
    const fault = account.faults.find((candidate) => candidate.kind === kind);
    if (!fault) return null;
    if (fault.remaining !== null && --fault.remaining <= 0) account.faults.splice(account.faults.indexOf(fault), 1);
    return fault;
  }

  paymentsByReference(merchantAccount: string, reference: string): Payment[] {
    return [...this.payments.values()].filter(
      (payment) => payment.merchantAccount === merchantAccount && payment.reference === reference,
    );
  }
}
