import { describe, expect, it } from 'vitest';
import { barChart } from './chart.js';
import { usd } from './format.js';

const lengthOf = (line: string) => [...line.matchAll(/[█▉▊▋▌▍▎▏]/g)].reduce((sum, [block]) => sum + (block === '█' ? 8 : 8 - '█▉▊▋▌▍▎▏'.indexOf(block!)), 0);

describe('barChart', () => {
  it('scales the largest value to the space the labels and values leave, in eighths of a block', () => {
    const chart = barChart(
      [
        { label: '2026-11-01', value: 4, note: '8 calls' },
        { label: '2026-11-02', value: 1, note: '1 call' },
        { label: '2026-11-03', value: 0, note: '0 calls' },
      ],
      { width: 60, format: usd },
    );
    const lines = chart.trimEnd().split('\n');
    // 60 columns, less the label (10), the value (5), the note (2 + 7) and the gaps between them (4): 32 of bar.
    expect(lines[0]).toBe(`2026-11-01  ${'█'.repeat(32)}  $4.00  8 calls`);
    expect(lengthOf(lines[1]!)).toBe(8 * 8);
    expect(lines[2]).toBe(`2026-11-03  ${' '.repeat(32)}     $0  0 calls`);
    expect(lines.every((line) => line.length <= 60)).toBe(true);
  });

  it('draws any spend above zero as at least an eighth of a block, so it never reads as none', () => {
    const lines = barChart(
      [
        { label: 'a', value: 1000 },
        { label: 'b', value: 0.001 },
      ],
      { width: 40, format: String },
    ).split('\n');
    expect(lines[1]).toMatch(/^b  ▏ +0\.001$/);
  });

  it('keeps a readable bar on a narrow terminal, and draws nothing when all is zero', () => {
    const narrow = barChart([{ label: 'a long label for a day', value: 1 }], { width: 10, format: usd });
    expect(lengthOf(narrow)).toBe(10 * 8);
    expect(barChart([{ label: 'a', value: 0 }], { width: 40, format: usd })).not.toMatch(/[█▉▊▋▌▍▎▏]/);
  });
});
