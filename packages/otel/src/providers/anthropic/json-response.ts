import type { JsonShape } from '../json-reader.js';
import type { JsonRecord } from '../wire-values.js';
import { messagesExtras, messagesUsage } from './usage.js';

/** The Messages JSON body: usage at the top, generated text in `content` blocks. */
export const messagesJsonShape: JsonShape = Object.freeze({
  usage: messagesUsage,
  extras: messagesExtras,
  output: (body: JsonRecord) => body['content'],
  // messagesExtras reads the usage only.
  bodyKeys: Object.freeze([]),
});
