/**
 * The `gen_ai.provider.name` of every known provider, in the registry's order,
 * for validating configuration without loading the provider readers.
 */
export const providerNames: readonly string[] = Object.freeze([
  'openai',
  'anthropic',
  'cohere',
  'azure.ai.openai',
  'mistral_ai',
  'groq',
  'deepseek',
  'x_ai',
  'openrouter',
  'together',
  'fireworks',
  'gcp.gemini',
  'gcp.vertex_ai',
  'aws.bedrock',
]);
