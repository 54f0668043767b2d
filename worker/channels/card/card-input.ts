/** The body of a card attempt, the same for every processor and for the router (`channel: 'card'`). */
import { z } from 'zod';
import { CardSchema } from '../../../shared/card-schema.ts';
import { StartAttemptBaseSchema } from '../../../shared/schemas.ts';

export const cardAttemptSchema = <Channel extends string>(channel: Channel) =>
  StartAttemptBaseSchema.extend({ channel: z.literal(channel), method: z.literal('card'), card: CardSchema }).strict();
