/**
 * Bills exported as CSV files, for `costctl reconcile --bill <file>`: the
 * format is told by the header row, never by the file's name.
 *
 *   OpenAI cost export     Usage dashboard → Export → Cost data, grouped by line item,
 *                          1 day: start_time (Unix s), amount_value, amount_currency, line_item, …
 *   AWS Cost and Usage     CUR (lineItem/UsageStartDate, lineItem/ProductCode,
 *   Report (Bedrock)       lineItem/UnblendedCost, product/ProductName, …) or CUR 2.0
 *                          (line_item_usage_start_date, line_item_product_code, …)
 *   Google Cloud billing   the BigQuery export's columns as CSV: service.description
 *   export (Vertex AI,     (Vertex AI; Gemini API), sku.description, usage_start_time,
 *   Gemini API)            cost, currency
 *
 * A cloud's line items name usage types (`USE1-…-input-tokens`), not the
 * model ids apps send, so its bill is compared per day as a whole.
 */
import { type BilledCost, utcDay } from './bill.js';
import { ALL_MODELS } from './fleet-tally.js';
import { modelOfLineItem } from './openai-bill.js';
import { UsageError } from '../command.js';
import { ReportShapeError } from './report-shape.js';

/** A bill read from a file: whose, and what it charged per UTC day. */
export interface FileBill {
  /** The provider as costctl names it (`openai`, `aws.bedrock`). */
  provider: string;
  /** What the file is, for messages: `OpenAI cost export`. */
  format: string;
  /** True when its line items name no model costctl knows: compared per day, every model together. */
  wholeDays: boolean;
  costs: BilledCost[];
}

/** The formats `--bill` reads, as the error for any other names them. */
export const BILL_FORMATS = [
  'OpenAI cost export (Usage → Export → Cost data: start_time, amount_value, amount_currency, line_item)',
  'AWS Cost and Usage Report (lineItem/UsageStartDate, lineItem/ProductCode, lineItem/UnblendedCost, product/ProductName; or CUR 2.0 line_item_… columns)',
  'Google Cloud billing export (service.description, sku.description, usage_start_time, cost, currency)',
];

interface Format {
  name: string;
  /** Whose bill it is; a bill of several providers (a cloud's) is read for the one `asked`, or says which to ask for. */
  provider(rows: Row[], asked: string | undefined, file: string): string;
  wholeDays: boolean;
  /** Whether the header row is this format's. */
  matches(columns: ReadonlySet<string>): boolean;
  read(rows: Row[], provider: string): BilledCost[];
}

/** One data row by column name, with the line it came from. */
interface Row {
  line: number;
  get(column: string): string;
}

const openaiCosts: Format = {
  name: 'OpenAI cost export',
  provider: () => 'openai',
  wholeDays: false,
  matches: (columns) => columns.has('start_time') && columns.has('amount_value') && columns.has('line_item'),
  read(rows) {
    const costs: BilledCost[] = [];
    for (const row of rows) {
      const value = row.get('amount_value').trim();
      // A day without charges is exported with its amount empty.
      if (value === '') continue;
      const currency = row.get('amount_currency').trim();
      if (currency !== '' && currency.toLowerCase() !== 'usd') throw rowError(this.name, row, `a charge in ${currency}; costctl reconciles USD bills only`);
      const item = row.get('line_item').trim() || null;
      costs.push({
        day: dayOf(this.name, row, 'start_time', seconds(row.get('start_time'))),
        model: modelOfLineItem(item),
        usd: amount(this.name, row, 'amount_value', value),
        item,
      });
    }
    return costs;
  },
};

/** The columns of a CUR (`lineItem/UsageStartDate`) and of a CUR 2.0 export (`line_item_usage_start_date`). */
const CUR = {
  legacy: {
    start: 'lineItem/UsageStartDate',
    code: 'lineItem/ProductCode',
    cost: 'lineItem/UnblendedCost',
    product: 'product/ProductName',
    type: 'lineItem/LineItemType',
    currency: 'lineItem/CurrencyCode',
    usage: 'lineItem/UsageType',
  },
  v2: {
    start: 'line_item_usage_start_date',
    code: 'line_item_product_code',
    cost: 'line_item_unblended_cost',
    product: 'product_product_name',
    type: 'line_item_line_item_type',
    currency: 'line_item_currency_code',
    usage: 'line_item_usage_type',
  },
};
/** Line item types that are usage billed at its price; credits, refunds, taxes and fees are not calls costctl can have seen. */
const USAGE_TYPES = new Set(['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage']);

const awsCur: Format = {
  name: 'AWS Cost and Usage Report',
  provider: () => 'aws.bedrock',
  wholeDays: true,
  matches: (columns) => [CUR.legacy, CUR.v2].some((names) => columns.has(names.start) && columns.has(names.code) && columns.has(names.cost)),
  read(rows) {
    const costs: BilledCost[] = [];
    for (const row of rows) {
      const names = row.get(CUR.legacy.start) === '' && row.get(CUR.v2.start) !== '' ? CUR.v2 : CUR.legacy;
      // Bedrock's own line items, and models sold through AWS Marketplace as "… (Amazon Bedrock Edition)".
      const code = row.get(names.code);
      if (code !== 'AmazonBedrock' && !/\bBedrock\b/.test(row.get(names.product))) continue;
      const type = row.get(names.type);
      if (type !== '' && !USAGE_TYPES.has(type)) continue;
      const currency = row.get(names.currency).trim();
      if (currency !== '' && currency.toUpperCase() !== 'USD') throw rowError(this.name, row, `a charge in ${currency}; costctl reconciles USD bills only`);
      const usd = amount(this.name, row, names.cost, row.get(names.cost));
      costs.push({
        day: dayOf(this.name, row, names.start, utcInstant(row.get(names.start))),
        model: ALL_MODELS,
        usd,
        item: row.get(names.usage) || row.get(names.product) || code,
      });
    }
    return costs;
  },
};

/** The services of a Google Cloud billing export that are a provider costctl meters, by `service.description`. */
const GCP_SERVICES: Record<string, string> = { 'Vertex AI': 'gcp.vertex_ai', 'Gemini API': 'gcp.gemini', 'Generative Language API': 'gcp.gemini' };

const gcpExport: Format = {
  name: 'Google Cloud billing export',
  wholeDays: true,
  matches: (columns) => columns.has('service.description') && columns.has('usage_start_time') && columns.has('cost'),
  provider(rows, asked, file) {
    const billed = [...new Set(rows.map((row) => GCP_SERVICES[row.get('service.description').trim()]).filter((name) => name !== undefined))];
    if (asked !== undefined && Object.values(GCP_SERVICES).includes(asked)) return asked;
    if (billed.length === 1) return billed[0]!;
    const which = billed.length === 0 ? 'no Vertex AI or Gemini API charge' : `charges of ${billed.join(' and ')}`;
    throw new UsageError(
      `--bill ${file}: this ${this.name} holds ${which}; give --provider ${Object.values(GCP_SERVICES)
        .filter((v, i, all) => all.indexOf(v) === i)
        .join(' or ')} to say whose to reconcile`,
    );
  },
  read(rows, provider) {
    const costs: BilledCost[] = [];
    for (const row of rows) {
      if (GCP_SERVICES[row.get('service.description').trim()] !== provider) continue;
      const currency = row.get('currency').trim();
      if (currency !== '' && currency.toUpperCase() !== 'USD') throw rowError(this.name, row, `a charge in ${currency}; costctl reconciles USD bills only`);
      // `cost` is before credits: credits are not calls costctl could have seen.
      const usd = amount(this.name, row, 'cost', row.get('cost'));
      costs.push({
        day: dayOf(this.name, row, 'usage_start_time', utcInstant(row.get('usage_start_time'))),
        model: ALL_MODELS,
        usd,
        item: row.get('sku.description') || null,
      });
    }
    return costs;
  },
};

const FORMATS: readonly Format[] = [openaiCosts, awsCur, gcpExport];

/**
 * The bill in a CSV file's text: its format from the header row, then its
 * USD charges per UTC day. Throws a UsageError naming the accepted formats
 * when the header is none of them, and a ReportShapeError naming the line
 * of any value that does not read (never a charge read as $0).
 *
 * @example
 * parseBillCsv('start_time,end_time,amount_value,amount_currency,line_item\n1763596800,1763683200,0.25,usd,"gpt-4o-mini-2024-07-18, input"\n', 'costs.csv')
 * // { provider: 'openai', format: 'OpenAI cost export', wholeDays: false, costs: [{ day: '2025-11-20', model: 'gpt-4o-mini', usd: 0.25, item: 'gpt-4o-mini-2024-07-18, input' }] }
 */
export function parseBillCsv(text: string, file: string, provider?: string): FileBill {
  const [header, ...records] = parseCsv(text.replace(/^\uFEFF/, ''));
  const columns = (header ?? []).map((name) => name.trim());
  const names = new Set(columns);
  const format = FORMATS.find((candidate) => candidate.matches(names));
  if (format === undefined) {
    const seen = columns.every((name) => name === '') ? 'an empty file' : `columns ${columns.slice(0, 6).join(', ')}${columns.length > 6 ? ', …' : ''}`;
    if (names.has('num_model_requests') && names.has('input_tokens')) {
      throw new UsageError(
        `--bill ${file}: this is OpenAI's activity export (tokens, no cost); export the Cost data tab instead (Usage → Export → Cost data, group by line item, 1 day)`,
      );
    }
    throw new UsageError(`--bill ${file}: not a bill costctl reads (${seen}); --bill takes ${BILL_FORMATS.join('; or ')}`);
  }
  const index = new Map(columns.map((name, i) => [name, i]));
  const rows: Row[] = [];
  records.forEach((cells, i) => {
    // A trailing newline leaves one empty record.
    if (cells.length === 1 && cells[0] === '') return;
    rows.push({ line: i + 2, get: (column) => cells[index.get(column) ?? -1] ?? '' });
  });
  const whose = format.provider(rows, provider, file);
  return { provider: whose, format: format.name, wholeDays: format.wholeDays, costs: format.read(rows, whose) };
}

/**
 * The records of a CSV text (RFC 4180: quoted fields may hold commas,
 * quotes doubled, and line breaks).
 *
 * @example
 * parseCsv('a,"b, c"\n1,"say ""hi"""\n') // [['a', 'b, c'], ['1', 'say "hi"'], ['']]
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') field += text[i++];
      else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += char;
  }
  record.push(field);
  records.push(record);
  return records;
}

/** `2025-11-20T00:00:00Z`, `2025-11-20 00:00:00` as CUR 2.0 writes it, or `2025-11-20 00:00:00 UTC` as BigQuery does: UTC unless it says otherwise, whatever this machine's zone. */
function utcInstant(text: string): number {
  const iso = text
    .trim()
    .replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, '$1T$2')
    .replace(/ ?UTC$/, 'Z');
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(iso) || /^\d{4}-\d{2}-\d{2}$/.test(iso);
  return Date.parse(zoned ? iso : `${iso}Z`);
}

function seconds(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text) * 1000;
}

function dayOf(format: string, row: Row, column: string, at: number): string {
  if (!Number.isFinite(at)) throw rowError(format, row, `${column} "${row.get(column)}" is not a time`);
  return utcDay(at);
}

function amount(format: string, row: Row, column: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw rowError(format, row, `${column} "${text}" is not an amount`);
  return value;
}

function rowError(format: string, row: Row, what: string): ReportShapeError {
  return new ReportShapeError(`${format}, line ${row.line}: ${what}`);
}
