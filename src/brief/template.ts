/**
 * The brief `baton init` writes: a complete, working example whose comments explain every field.
 * It parses and lints clean (a test holds it to that), so a new user starts from a brief that
 * shows what "good" looks like rather than from blanks.
 */

const TEMPLATE = `---
# A Baton brief. The YAML between the two \`---\` lines is what you decide; the Markdown after the
# second \`---\` is context the models read. Run \`baton lint <file>\` after every edit.

# intent: why this matters, and for whom. The models use it to choose between answers that all
# meet the criteria, so name the people and what changes for them.
intent: Help first-time visitors to a small-town museum feel at home, so they come back with their friends.

# question: what this should become. Ask it as a question, not a command: a question leaves room to
# explore, a command only gets obeyed.
question: What opening line for the museum's audio guide would make a first-time visitor smile and keep listening?

# constraints: hard limits. A candidate that breaks one scores 0.
#   - a sentence is judged pass/fail by the judge model;
#   - a mapping is checked by code: min_words, max_words, must_include, must_not_include,
#     regex (with regex_flags), json_schema (inline or a path), module (a JS file exporting check).
constraints:
  - max_words: 60
  - must_not_include: ["welcome to"]
  - No jokes at the expense of the town or the people who live there.

# criteria: what success means. Each is scored 0–10, by the judge model (text) or by code (check).
#   id: a short stable name (derived from the text when absent)
#   weight: how much it counts next to the others (default 1)
#   min: the score at which it counts as met (default 7)
criteria:
  - id: surprising-detail
    text: Names one concrete, surprising detail of the museum that a visitor could repeat to a friend.
    weight: 3
  - text: Read aloud, it takes under 20 seconds and has no word a ten-year-old would stumble over.
    weight: 2
  - check: { must_include: museum }

# lenses: framings the exploration goes through. \`auto\` lets Baton choose four; or list built-in
#   ids (challenge-assumption, new-genre, emotional-arc, invert, change-audience, borrow-field,
#   extreme, constraint-flip, minimal, first-principles) and sentences that define your own lens.
lenses: auto

# budget: limits checked before every model call. Each lens needs about 6 calls (an opening and
#   two deepenings, each written and judged) and about 1,500 tokens per call.
budget:
  calls: 60
  tokens: 200000
  usd: 2

# attention: how many checkpoints you are willing to see; Baton batches lesser reasons to stop.
attention: 5

# model: the model that writes candidates, as \`provider:model\` (e.g. openai:gpt-4o-mini).
#   \`rehearsal\` is Baton's offline model for trying things out: free, deterministic, labelled.
model: rehearsal
# judge: the model that scores candidates; defaults to \`model\`. A list is a jury (each juror is
#   one more call per candidate): each criterion gets the median, and jurors further apart than
#   jury_spread (default 3 points) flag the candidate unclear.
# judge: anthropic:claude-3-5-haiku-latest
# judge: [openai:gpt-4o-mini, anthropic:claude-haiku-4-5]
# jury_spread: 3

# pairwise: true ranks the board's contenders by comparing them in pairs, both orders, at each
#   checkpoint (2 judge calls per new pair, at most 12 a checkpoint; a pair is never asked twice).
# pairwise: true

# pilot: open this many candidates, judge them, and stop to show how each criterion scored and
#   why, so you can sharpen the criteria before the rest of the budget is spent.
# pilot: 4
---

# Context

Everything below the front matter is context for the models: background, examples you like or
dislike, notes on tone. Replace this with what you know.

The museum is in a former railway station. Its favourite object is a station clock that stopped
at 4:17 on the day the last train left, and has been kept at that time ever since.
`;

/**
 * A commented brief template that parses and lints clean, for `baton init`.
 *
 * @example
 * await writeFile('brief.md', briefTemplate());
 */
export function briefTemplate(): string {
  return TEMPLATE;
}
