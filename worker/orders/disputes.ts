/**
 * The `disputes` table and the only code that writes it: shoppers' disputes of the order's
 * payments (chargebacks, and banks' inquiries before one), one row per processor dispute, moved
 * along as the processor reports. Synchronous: callers compose these inside the order object's
 * transactions, and append the `dispute.*` event each change asks for.
 */
import { CLOSED_DISPUTE_STATUSES, type DisputeReason, type DisputeStatus } from '../../shared/order-model.ts';
import type { Dispute } from '../../shared/schemas.ts';
import { now } from '../base/clock.ts';
import { newDisputeId } from '../base/ids.ts';
import type { DisputeFacts } from '../channels/types.ts';
import type { AttemptRow } from './order-store.ts';

export interface DisputeRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  attempt_id: string;
  processor: string;
  processor_dispute_id: string;
  amount: number;
  currency: Dispute['currency'];
  status: DisputeStatus;
  reason: DisputeReason;
  processor_reason: string;
  evidence_due_by: number | null;
  created_at: number;
  updated_at: number;
}

export type DisputeChange = 'dispute.created' | 'dispute.updated' | 'dispute.closed';

/** How far along a dispute is; news of an earlier stage (a late or resent event) is not applied. */
const STAGE: Readonly<Record<DisputeStatus, number>> = {
  inquiry: 0,
  needs_response: 1,
  under_review: 2,
  won: 3,
  lost: 3,
  inquiry_closed: 3,
};

/**
 * Whether news of `next` moves a dispute at `current` on: a later stage, the same stage with other
 * figures, or an ending overturned (Adyen's CHARGEBACK_REVERSED after a chargeback was taken, a
 * second chargeback or pre-arbitration after one was won).
 */
const movesOn = (current: DisputeStatus, next: DisputeStatus): boolean =>
  STAGE[next] > STAGE[current] ||
  (STAGE[next] === STAGE[current] && (next === current || (current !== 'inquiry_closed' && next !== 'inquiry_closed')));

export const allDisputes = (sql: SqlStorage): DisputeRow[] =>
  sql.exec<DisputeRow>('SELECT * FROM disputes ORDER BY seq').toArray();

const findByProcessorId = (sql: SqlStorage, processorDisputeId: string): DisputeRow | undefined =>
  sql.exec<DisputeRow>('SELECT * FROM disputes WHERE processor_dispute_id = ?', processorDisputeId).toArray()[0];

/**
 * Records what the processor says of a dispute of `attempt`: a new dispute, or a change of status,
 * amount or deadline of one seen before. Answers the row and the event the change asks for, or
 * null when the news was not new (a resent notice, or a stage already passed).
 */
export function recordDispute(
  sql: SqlStorage,
  attempt: AttemptRow,
  facts: DisputeFacts,
): { dispute: DisputeRow; change: DisputeChange } | null {
  const at = now();
  const known = findByProcessorId(sql, facts.processorDisputeId);
  if (!known) {
    sql.exec(
      `INSERT INTO disputes (id, attempt_id, processor, processor_dispute_id, amount, currency, status, reason,
         processor_reason, evidence_due_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      newDisputeId(),
      attempt.id,
      attempt.channel,
      facts.processorDisputeId,
      facts.amount,
      facts.currency,
      facts.status,
      facts.reason,
      facts.processorReason,
      facts.evidenceDueBy,
      at,
      at,
    );
    const dispute = findByProcessorId(sql, facts.processorDisputeId) as DisputeRow;
    return { dispute, change: CLOSED_DISPUTE_STATUSES.has(facts.status) ? 'dispute.closed' : 'dispute.created' };
  }
  const unchanged =
    known.status === facts.status && known.amount === facts.amount && known.evidence_due_by === facts.evidenceDueBy;
  if (unchanged || !movesOn(known.status, facts.status)) return null;
  sql.exec(
    'UPDATE disputes SET status = ?, amount = ?, evidence_due_by = ?, updated_at = ? WHERE id = ?',
    facts.status,
    facts.amount,
    facts.evidenceDueBy,
    at,
    known.id,
  );
  const dispute = findByProcessorId(sql, facts.processorDisputeId) as DisputeRow;
  const closing = CLOSED_DISPUTE_STATUSES.has(facts.status) && known.status !== facts.status;
  return { dispute, change: closing ? 'dispute.closed' : 'dispute.updated' };
}

export function disputeView(row: DisputeRow, orderId: string): Dispute {
  return {
    id: row.id,
    object: 'dispute',
    order_id: orderId,
    attempt_id: row.attempt_id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    reason: row.reason,
    processor: row.processor,
    processor_reason: row.processor_reason,
    processor_dispute_id: row.processor_dispute_id,
    evidence_due_by: row.evidence_due_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
