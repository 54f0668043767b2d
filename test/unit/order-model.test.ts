import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ATTEMPT_STATUSES,
  ATTEMPT_TRANSITIONS,
  acceptsAttempts,
  canTransition,
  canTransitionAttempt,
  EVENT_FOR_STATUS,
  isTerminal,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  orderStatusForAttempt,
} from '../../shared/order-model.ts';

describe('order model', () => {
  it('lists a transition row for every status, naming only known statuses', () => {
    for (const status of ORDER_STATUSES) {
      for (const next of ORDER_TRANSITIONS[status]) expect(ORDER_STATUSES).toContain(next);
    }
    for (const status of ATTEMPT_STATUSES) {
      for (const next of ATTEMPT_TRANSITIONS[status]) expect(ATTEMPT_STATUSES).toContain(next);
    }
  });

  it('makes paid, failed, canceled and expired final', () => {
    for (const status of ['paid', 'failed', 'canceled', 'expired'] as const) expect(isTerminal(status)).toBe(true);
    for (const status of ['open', 'requires_action', 'processing', 'authorized'] as const)
      expect(isTerminal(status)).toBe(false);
  });

  it('allows the walking-skeleton paths and refuses the rest', () => {
    expect(canTransition('open', 'processing')).toBe(true);
    expect(canTransition('processing', 'paid')).toBe(true);
    expect(canTransition('processing', 'open')).toBe(true);
    expect(canTransition('requires_action', 'paid')).toBe(true);
    expect(canTransition('paid', 'open')).toBe(false);
    expect(canTransition('canceled', 'paid')).toBe(false);
    expect(canTransition('processing', 'canceled')).toBe(false);
    expect(canTransitionAttempt('succeeded', 'failed')).toBe(false);
    expect(canTransitionAttempt('canceled', 'succeeded')).toBe(true);
  });

  it('accepts new attempts only while waiting for money', () => {
    expect(ORDER_STATUSES.filter(acceptsAttempts)).toEqual(['open', 'requires_action']);
  });

  it('maps attempt outcomes onto order statuses the table allows from processing', () => {
    for (const attempt of ATTEMPT_STATUSES) {
      const target = orderStatusForAttempt(attempt);
      expect(target === 'processing' || canTransition('processing', target)).toBe(true);
    }
  });

  it('names an event for every status, so every transition is on the timeline', () => {
    expect(EVENT_FOR_STATUS.paid).toBe('order.paid');
    expect(EVENT_FOR_STATUS.open).toBe('order.payment_failed');
    expect(EVENT_FOR_STATUS.processing).toBe('order.processing');
    expect(new Set(Object.values(EVENT_FOR_STATUS)).size).toBe(ORDER_STATUSES.length);
  });

  it('never leaves a final status, whatever sequence is tried (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORDER_STATUSES), { maxLength: 30 }), (targets) => {
        let status: (typeof ORDER_STATUSES)[number] = 'open';
        let paidCount = 0;
        for (const target of targets) {
          if (target !== status && canTransition(status, target)) {
            if (isTerminal(status)) throw new Error('left a final status');
            status = target;
            if (status === 'paid') paidCount++;
          }
        }
        expect(paidCount).toBeLessThanOrEqual(1);
      }),
    );
  });
});
