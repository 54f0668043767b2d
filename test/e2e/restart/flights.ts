/**
 * Requests in flight when the server is killed: sent without waiting, the kill timed to catch them
 * mid-way, and sent again after the restart until each converges to one object.
 */
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Order, Refund } from '../../../shared/schemas.ts';
import type { ErrorBody, Reply } from './requests.ts';
import { PERSIST_TO, server } from './server.ts';

export interface Flight {
  label: string;
  kind: 'create' | 'refund' | 'attempt' | 'page';
  /** The order it acts on (index), for creates the order's number. */
  n: number;
  send: () => Promise<Reply<ErrorBody & Record<string, unknown>>>;
  /** Its answer, when one came back before the kill (a 5xx is no answer). */
  answer?: Reply<ErrorBody & Record<string, unknown>>;
  /** Once sent again after the restart and settled: the one object it made. */
  converged?: Order | Refund;
}

/** Order objects in the local state: a new one appears when a create reaches its object. */
export function orderObjectsOnDisk(): number {
  try {
    return readdirSync(`${PERSIST_TO}/v3/do/till-OrderObject`).filter(
      (name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite',
    ).length;
  } catch {
    return 0;
  }
}

/**
 * Sends the flights a few milliseconds apart without waiting for answers, and SIGKILLs the server
 * once `midWay()` says requests are being written (or `first` answers came back): some are
 * answered, some mid-way through the worker and the objects, some never arrived.
 */
export async function killMidFlight(
  flights: Flight[],
  options: { first: number; midWay?: () => boolean; gapMs?: number },
): Promise<void> {
  const { first, midWay = () => false, gapMs = 12 } = options;
  let answered = 0;
  const t0 = Date.now();
  const timings: string[] = [];
  const inFlight = flights.map(async (flight, i) => {
    await sleep(i * gapMs);
    const sent = Date.now() - t0;
    try {
      const reply = await flight.send();
      if (reply.status < 500) flight.answer = reply;
      answered++;
      timings.push(`${flight.label} ${sent}→${Date.now() - t0}`);
    } catch {
      // the connection died with the server: no answer
      timings.push(`${flight.label} ${sent}→✕`);
    }
  });
  const deadline = Date.now() + 5_000;
  let why = 'timeout';
  for (;;) {
    if (midWay()) why = 'requests mid-way';
    else if (answered >= first) why = `${answered} answered`;
    else if (Date.now() < deadline) {
      await sleep(1);
      continue;
    }
    break;
  }
  const killed = Date.now() - t0;
  await server().kill();
  await Promise.all(inFlight);
  const lost = flights.filter((flight) => !flight.answer).map((flight) => flight.label);
  console.log(
    `SIGKILL at ${killed} ms (${why}), ${lost.length} of ${flights.length} requests unanswered. ` +
      `Sent→answered (ms): ${timings.join('; ')}`,
  );
}

/**
 * Sends each create and refund again with its Idempotency-Key. Those that answer 201 converged:
 * an answered one must get its first answer again. Returns how many are still refused as in use
 * (the idempotency record of a request killed mid-way is held for its lease).
 */
export async function converge(flights: Flight[]): Promise<number> {
  let waiting = 0;
  await Promise.all(
    flights
      .filter((flight) => (flight.kind === 'create' || flight.kind === 'refund') && !flight.converged)
      .map(async (flight) => {
        const reply = await flight.send();
        if (reply.status === 409 && reply.body.error?.code === 'idempotency_key_in_use') {
          waiting++;
          return;
        }
        expect(reply.status, `${flight.label} sent again: ${JSON.stringify(reply.body)}`).toBe(201);
        if (flight.answer) {
          expect(
            reply.headers.get('idempotent-replayed'),
            `${flight.label}: answered before the kill, so replayed`,
          ).toBe('true');
          expect(reply.body, `${flight.label}: the replay differs from the answer before the kill`).toEqual(
            flight.answer.body,
          );
        }
        flight.converged = reply.body as unknown as Order | Refund;
        if (!flight.answer) {
          const replayed = reply.headers.get('idempotent-replayed') === 'true';
          console.log(
            `${flight.label}: unanswered before the kill; sent again, ` +
              `${replayed ? 'it had been made before the kill' : 'made now'}`,
          );
        }
      }),
  );
  return waiting;
}
