/**
 * What models cost, as data: US dollars per million tokens, for a few well-known models. A model
 * not in the table is priced at 0 and says so, so that a USD budget never silently trusts a guess.
 * Prices as published by the providers in 2025; providers change them, so check before relying on
 * a dollar budget.
 */

export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
}

export interface PricingLookup {
  pricing: Pricing;
  /** False when the model is not in the table and its price is taken as 0. */
  known: boolean;
  /** A sentence to show a person when the price is not known. */
  note?: string;
}

/** Keyed by `provider:model`. */
export const PRICING: Readonly<Record<string, Pricing>> = {
  'openai:gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'openai:gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'openai:gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'openai:gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'openai:gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'anthropic:claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  'anthropic:claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'anthropic:claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'anthropic:claude-3-5-haiku-latest': { inputPerMTok: 0.8, outputPerMTok: 4 },
};

const FREE: Pricing = { inputPerMTok: 0, outputPerMTok: 0 };

/**
 * The price of a model; `overrides` are the person's own prices (`pricing` in the user config). `freeProvider` is for providers that run on the person's own machine
 * (Ollama), whose models cost nothing per token.
 */
export function pricingFor(id: string, options: { freeProvider?: boolean; overrides?: Readonly<Record<string, Pricing>> } = {}): PricingLookup {
  // The person's own prices (from their config file) win over the built-in table.
  const known = options.overrides?.[id] ?? PRICING[id];
  if (known) return { pricing: known, known: true };
  if (options.freeProvider) return { pricing: FREE, known: true };
  return {
    pricing: FREE,
    known: false,
    note: `no price is known for ${id}: its calls are counted as costing $0, so a USD budget does not limit it (token and call budgets still do)`,
  };
}

/** The provider a bare model name most likely belongs to, for a did-you-mean (`gpt-4o` → `openai:gpt-4o`). */
export function knownModelId(bareModel: string): string | undefined {
  return Object.keys(PRICING).find((id) => id.slice(id.indexOf(':') + 1) === bareModel);
}
