/** Reads a channel configuration request: the channel must exist and its credentials pass its own schema. */
import type { Context } from 'hono';
import { z } from 'zod';
import { TillError } from '../../shared/errors.ts';
import { ConfigureChannelRequestSchema } from '../../shared/schemas.ts';
import { channelOf, isChannelId, type ChannelId } from '../channels/registry.ts';
import { parseWith, readJson } from '../http.ts';

export async function channelConfiguration(
  c: Pick<Context, 'req'>,
  channel: string,
): Promise<{ channel: ChannelId; enabled: boolean; credentials: Record<string, unknown> | undefined }> {
  if (!isChannelId(channel)) throw new TillError('channel_not_available', `Unknown channel: ${channel}`, 'channel');
  const request = await readJson(c, ConfigureChannelRequestSchema);
  if (request.credentials === undefined) return { channel, enabled: request.enabled, credentials: undefined };
  const schema = channelOf(channel).credentials;
  if (!schema) throw new TillError('invalid_parameter', `The ${channel} channel takes no credentials`, 'credentials');
  // Wrapped so an error names the full parameter, e.g. `credentials.app_id`.
  const { credentials } = parseWith(z.strictObject({ credentials: schema }), { credentials: request.credentials });
  return { channel, enabled: request.enabled, credentials };
}
