import { callBySuffix } from '../call-suffix.js';
import { lastValueOf } from '../json-tail.js';
import { MAX_IMAGE_BYTES } from '../openai/media-readers.js';
import type { BilledUnits, ProviderCall } from '../types.js';
import { type UnitAnswer, type UnitCalls, UnitsJsonReader, unitRequest } from '../unit-calls.js';
import { countAt, isRecord, type JsonRecord, recordAt, stringAt } from '../wire-values.js';

const OCR_CALL: ProviderCall = Object.freeze({ operation: 'ocr', api: 'ocr' });

/**
 * Mistral's OCR (`POST /v1/ocr`), billed per page read
 * (https://docs.mistral.ai/api/#tag/ocr): `usage_info.pages_processed`,
 * counted as `document_pages`, and all of them as `annotated_document_pages`
 * (a part of them) when the answer carries annotations (a
 * `document_annotation`, or an image's `image_annotation`): priced at the
 * price data's `input_document_kpages`, the annotated ones at
 * `input_annotated_document_kpages` instead.
 *
 * @example
 * mistralOcrCalls.match('POST', '/v1/ocr') // { operation: 'ocr', api: 'ocr' }
 */
export const mistralOcrCalls: UnitCalls = Object.freeze({
  catalog: [{ operation: 'OCR', endpoint: 'POST /v1/ocr', streaming: 'no' as const }],
  match: (method: string, path: string) => callBySuffix(method, path, [['/v1/ocr', OCR_CALL]]),
  apis: new Set(['ocr']),
  readRequest: unitRequest,
  // Page images come back inlined as base64 when asked for: parse bodies as large as image answers.
  createReader: () => new UnitsJsonReader(ocrAnswer, ocrTail, MAX_IMAGE_BYTES),
});

/**
 * The model and pages of an OCR answer.
 *
 * @example
 * ocrAnswer({ model: 'mistral-ocr-2505', pages: [], usage_info: { pages_processed: 3 }, document_annotation: null })
 * // { model: 'mistral-ocr-2505', units: { document_pages: 3 } }
 */
export function ocrAnswer(body: JsonRecord): UnitAnswer {
  return { model: stringAt(body, 'model'), units: pageUnits(recordAt(body, 'usage_info'), annotated(body)) };
}

function ocrTail(tail: string): UnitAnswer {
  const model = lastValueOf(tail, 'model');
  const usage = lastValueOf(tail, 'usage_info');
  const annotation = lastValueOf(tail, 'document_annotation');
  return { model: typeof model === 'string' ? model : undefined, units: pageUnits(isRecord(usage) ? usage : undefined, typeof annotation === 'string') };
}

function pageUnits(usage: JsonRecord | undefined, withAnnotations: boolean): BilledUnits | undefined {
  const pages = countAt(usage, 'pages_processed');
  if (pages === undefined) return undefined;
  // Pages read with annotations are a part of the pages read, priced at their own rate.
  return withAnnotations ? { document_pages: pages, annotated_document_pages: pages } : { document_pages: pages };
}

function annotated(body: JsonRecord): boolean {
  if (typeof body['document_annotation'] === 'string') return true;
  const pages = body['pages'];
  if (!Array.isArray(pages)) return false;
  return pages.some((page) => {
    const images = isRecord(page) ? page['images'] : undefined;
    return Array.isArray(images) && images.some((image) => isRecord(image) && typeof image['image_annotation'] === 'string');
  });
}
