/**
 * @module An image state change as Image Builder publishes it to SNS: a Notification envelope
 * whose `Message` is the image as GetImage returns it, and the HMAC-SHA256 signature Ingot adds
 * (`X-Ingot-Signature: sha256=HEX` of the request body, keyed with the webhook's secret).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { ImageEvent } from '../store/types.ts';

export const SIGNATURE_HEADER = 'x-ingot-signature';

export function snsNotification(event: ImageEvent, topicArn: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: topicArn,
    Subject: `Image Builder image ${event.doc['name'] ?? ''} ${event.status ?? ''}`.trim(),
    Message: JSON.stringify(event.doc),
    Timestamp: event.at,
    SignatureVersion: 'ingot-hmac-sha256',
    MessageAttributes: {
      ingotEventSeq: { Type: 'Number', Value: String(event.seq) },
      imageState: { Type: 'String', Value: event.status ?? '' },
    },
  });
}

export const signBody = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
