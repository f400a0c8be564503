import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { parseBillCsv, parseCsv } from './csv-bill.js';
import { ReportShapeError } from './report-shape.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('CSV', () => {
  it('reads quoted fields holding commas, doubled quotes and line breaks, and CRLF lines', () => {
    expect(parseCsv('a,"b, c"\r\n1,"say ""hi"""\n"two\nlines",\n')).toEqual([['a', 'b, c'], ['1', 'say "hi"'], ['two\nlines', ''], ['']]);
  });
});

describe('bills exported as CSV', () => {
  it("reads OpenAI's cost export: USD per UTC day and line item, models without their snapshot, empty days skipped", () => {
    const bill = parseBillCsv(fixture('openai-costs.csv'), 'costs.csv');
    expect(bill).toMatchObject({ provider: 'openai', format: 'OpenAI cost export', wholeDays: false });
    expect(bill.costs).toEqual([
      { day: '2025-11-20', model: 'gpt-4o-mini', usd: 0.12, item: 'gpt-4o-mini-2024-07-18, input' },
      { day: '2025-11-20', model: 'gpt-4o-mini', usd: 0.3, item: 'gpt-4o-mini-2024-07-18, output' },
      { day: '2025-11-20', model: null, usd: 0.05, item: 'Web search tool calls' },
      { day: '2025-11-21', model: 'gpt-4o', usd: 1, item: 'gpt-4o-2024-08-06, input' },
    ]);
  });

  it("reads Bedrock's usage from an AWS Cost and Usage Report, Marketplace models included; other services, taxes and credits left out", () => {
    const bill = parseBillCsv(fixture('aws-cur-bedrock.csv'), 'cur.csv');
    expect(bill).toMatchObject({ provider: 'aws.bedrock', format: 'AWS Cost and Usage Report', wholeDays: true });
    expect(bill.costs.map(({ day, usd, item }) => [day, usd, item])).toEqual([
      ['2025-11-20', 0.0864, 'USE1-Llama3-3-70B-input-tokens'],
      ['2025-11-20', 0.0288, 'USE1-Llama3-3-70B-output-tokens'],
      ['2025-11-20', 0.0105, 'USE1-MP:USE1_InputTokenCount-Units'],
      ['2025-11-21', 0.36, 'USE1-Llama3-3-70B-input-tokens'],
    ]);
    expect(bill.costs.every((cost) => cost.model === '(all models)')).toBe(true);
  });

  it('reads the CUR 2.0 columns, their times as UTC whatever the machine zone', () => {
    // East of UTC, a midnight read as local time falls on the day before.
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    let bill: ReturnType<typeof parseBillCsv>;
    try {
      bill = parseBillCsv(fixture('aws-cur2-bedrock.csv'), 'cur2.csv');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(bill.costs).toEqual([{ day: '2025-11-20', model: '(all models)', usd: 0.0864, item: 'USE1-Llama3-3-70B-input-tokens' }]);
  });

  it('reads a Google Cloud billing export for the one provider it bills, or the one asked for when it bills two', () => {
    const both = fixture('gcp-billing.csv');
    expect(() => parseBillCsv(both, 'gcp.csv')).toThrow(
      new UsageError(
        '--bill gcp.csv: this Google Cloud billing export holds charges of gcp.vertex_ai and gcp.gemini; give --provider gcp.vertex_ai or gcp.gemini to say whose to reconcile',
      ),
    );
    const vertex = parseBillCsv(both, 'gcp.csv', 'gcp.vertex_ai');
    expect(vertex).toMatchObject({ provider: 'gcp.vertex_ai', format: 'Google Cloud billing export', wholeDays: true });
    expect(vertex.costs).toEqual([
      { day: '2025-11-20', model: '(all models)', usd: 0.42, item: 'Gemini 2.5 Flash Input Text Tokens' },
      { day: '2025-11-20', model: '(all models)', usd: 1.05, item: 'Gemini 2.5 Flash Output Text Tokens' },
    ]);
    expect(parseBillCsv(both, 'gcp.csv', 'gcp.gemini').costs.map(({ day, usd }) => [day, usd])).toEqual([['2025-11-21', 0.3]]);
    // One service billed: no --provider needed.
    const [header, vertexRow] = both.split('\n');
    expect(parseBillCsv(`${header}\n${vertexRow}\n`, 'vertex.csv').provider).toBe('gcp.vertex_ai');
  });

  it('refuses an unknown header in one line naming the formats it reads, and says what OpenAI export to take instead of the activity one', () => {
    const unknown = () => parseBillCsv('date,service,cost\n2025-11-20,Vertex AI,1.5\n', 'gcp.csv');
    expect(unknown).toThrow(UsageError);
    expect(unknown).toThrow(
      /^--bill gcp\.csv: not a bill costctl reads \(columns date, service, cost\); --bill takes OpenAI cost export .*; or AWS Cost and Usage Report .*; or Google Cloud billing export/,
    );
    expect(() => parseBillCsv('', 'empty.csv')).toThrow(/not a bill costctl reads \(an empty file\)/);
    expect(() => parseBillCsv('start_time,end_time,num_model_requests,model,input_tokens,output_tokens\n', 'activity.csv')).toThrow(
      "--bill activity.csv: this is OpenAI's activity export (tokens, no cost); export the Cost data tab instead (Usage → Export → Cost data, group by line item, 1 day)",
    );
  });

  it('names the line of a value that does not read, and refuses other currencies, instead of reading a charge as $0', () => {
    const header = 'start_time,end_time,amount_value,amount_currency,line_item\n';
    expect(() => parseBillCsv(`${header}1763596800,1763683200,0.1,usd,"gpt-4o, input"\n1763596800,1763683200,abc,usd,"gpt-4o, input"\n`, 'x.csv')).toThrow(
      new ReportShapeError('OpenAI cost export, line 3: amount_value "abc" is not an amount'),
    );
    expect(() => parseBillCsv(`${header}yesterday,,0.1,usd,x\n`, 'x.csv')).toThrow('OpenAI cost export, line 2: start_time "yesterday" is not a time');
    expect(() => parseBillCsv(`${header}1763596800,1763683200,0.1,eur,x\n`, 'x.csv')).toThrow(
      'OpenAI cost export, line 2: a charge in eur; costctl reconciles USD bills only',
    );
  });
});
