import { describe, expect, it } from 'vitest';
import { readCohereRequest } from './request.js';

const chat = { operation: 'chat', api: 'chat' } as const;
const embed = { operation: 'embeddings', api: 'embed' } as const;

describe('readCohereRequest', () => {
  it('reads a chat request: model, stream, max_tokens, text of messages and documents', () => {
    const body = {
      model: 'command-a-03-2025',
      stream: true,
      max_tokens: 300,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Who sold more albums?' }] },
      ],
      documents: [{ id: 'doc:1', data: { text: 'NSync sold 2.4 million units in one week.' } }],
    };
    // 9 + 21 characters of messages; the document's text is 41 characters.
    expect(readCohereRequest(chat, body, 400)).toEqual({
      operation: 'chat',
      api: 'chat',
      model: 'command-a-03-2025',
      stream: true,
      maxOutputTokens: 300,
      inputTokenEstimate: Math.ceil((9 + 21 + 41) / 4),
    });
  });

  it('reads a v1 chat request: the message, the preamble and the history turns are its text', () => {
    const body = {
      model: 'command-r-08-2024',
      stream: true,
      max_tokens: 120,
      preamble: 'Be brief.',
      message: 'And who discovered it?',
      chat_history: [
        { role: 'USER', message: 'What is gravity?' },
        { role: 'CHATBOT', message: 'A force of attraction.' },
      ],
    };
    // 9 + 22 + 16 + 22 characters.
    expect(readCohereRequest({ operation: 'chat', api: 'chat_v1' }, body, 300)).toEqual({
      operation: 'chat',
      api: 'chat_v1',
      model: 'command-r-08-2024',
      stream: true,
      maxOutputTokens: 120,
      inputTokenEstimate: Math.ceil((9 + 22 + 16 + 22) / 4),
    });
  });

  it('reads a rerank request: the query and the documents are its text, and it has no output', () => {
    const body = { model: 'rerank-v3.5', query: 'spend caps', documents: ['Budgets block calls.', { text: 'Gates trip.' }], top_n: 2 };
    // 10 + 20 + 11 characters.
    expect(readCohereRequest({ operation: 'rerank', api: 'rerank' }, body, 120)).toMatchObject({
      model: 'rerank-v3.5',
      maxOutputTokens: 0,
      inputTokenEstimate: Math.ceil(41 / 4),
    });
  });

  it('reads an embed request from its texts or inputs, never from image data', () => {
    const texts = readCohereRequest(embed, { model: 'embed-v4.0', texts: ['hello', 'goodbye'], input_type: 'classification', embedding_types: ['float'] }, 90);
    expect(texts).toMatchObject({ model: 'embed-v4.0', stream: false, maxOutputTokens: 0, inputTokenEstimate: 3 });
    const images = readCohereRequest(embed, { model: 'embed-v4.0', images: [`data:image/jpeg;base64,${'A'.repeat(4000)}`], input_type: 'image' }, 4100);
    expect(images.inputTokenEstimate).toBe(0);
    const inputs = readCohereRequest(embed, { model: 'embed-v4.0', inputs: [{ content: [{ type: 'text', text: 'twelve chars' }] }] }, 80);
    expect(inputs.inputTokenEstimate).toBe(3);
  });

  it('falls back to the body size for a body that is not JSON', () => {
    expect(readCohereRequest(chat, undefined, 41)).toMatchObject({ model: undefined, stream: false, inputTokenEstimate: 11 });
  });
});
