/**
 * What every answer must be, whatever was sent: no 5xx, a documented status, the one error
 * envelope with a code the operation documents for that status (and the status and type the
 * code itself declares), and a success body that matches its documented schema.
 */
import { ERROR_CODES } from '../../../shared/errors.ts';
import type { JsonSchema, SchemaSet } from './json-schema.ts';
import type { Operation } from './operations.ts';

export interface Answer {
  status: number;
  /** The parsed body, or the text when it is not JSON. */
  body: unknown;
  requestId: string | null;
  /** `Idempotent-Replayed: true`: the stored answer to an earlier request, its request_id included. */
  replayed: boolean;
  /** Where a redirect sends the caller. */
  location: string | null;
}

const ERROR_SCHEMA: JsonSchema = { $ref: '#/components/schemas/Error' };

export const errorCodeOf = (body: unknown): string | null => {
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === 'string' ? error.code : null;
};

export function answerProblems(operation: Operation, answer: Answer, schemas: SchemaSet): string[] {
  const { status, body } = answer;
  if (status >= 200 && status < 300) {
    if (!operation.successes.has(status)) return [`${status} is not a documented success`];
    const schema = operation.successes.get(status);
    if (!schema) return [];
    return schemas.errors(schema, body).map((error) => `the ${status} body does not match its schema: ${error}`);
  }
  if (status === 101 && operation.successes.has(101)) return [];
  // A documented redirect answers with where to go, nothing more.
  if (status >= 300 && status < 400 && operation.successes.has(status)) {
    return answer.location !== null && URL.canParse(answer.location) ? [] : [`${status} without a Location URL`];
  }
  const problems: string[] = [];
  if (status >= 500) problems.push(`server error ${status}`);
  const envelopeErrors = schemas.errors(ERROR_SCHEMA, body);
  if (envelopeErrors.length > 0) return [...problems, `not the error envelope: ${envelopeErrors.join('; ')}`];
  const error = (body as { error: { type: string; code: keyof typeof ERROR_CODES; request_id: string } }).error;
  const documented = operation.errors.get(status);
  if (!documented) problems.push(`${status} is not documented for ${operation.id}`);
  else if (!documented.has(error.code))
    problems.push(
      `${status} ${error.code} is not documented for ${operation.id} (documented: ${[...documented].join(', ')})`,
    );
  const declared = ERROR_CODES[error.code];
  if (declared.status !== status)
    problems.push(`${error.code} is declared with status ${declared.status}, sent with ${status}`);
  if (declared.type !== error.type)
    problems.push(`${error.code} is declared of type ${declared.type}, sent as ${error.type}`);
  if (!answer.replayed && answer.requestId !== error.request_id)
    problems.push(`request_id ${error.request_id} differs from the request-id header ${answer.requestId}`);
  return problems;
}
