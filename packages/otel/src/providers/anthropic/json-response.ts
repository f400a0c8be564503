import type { JsonShape } from '../json-reader.js';
import type { JsonRecord } from '../wire-values.js';
import { messagesUsage } from './usage.js';

/** The Messages JSON body: usage at the top, generated text in `content` blocks. */
export const messagesJsonShape: JsonShape = Object.freeze({
  usage: messagesUsage,
  output: (body: JsonRecord) => body['content'],
});
