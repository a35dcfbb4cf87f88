// The question classifier's few-shot prompt (the protocol of graphon's question_classifier
// template_prompts.py, worded here on our own): a system message with the job and the chat history,
// two worked examples, then the input as JSON {input_text, categories [{category_id, category_name}],
// classification_instructions}; the model answers {keywords, category_id, category_name}. Completion
// models get the same as one prompt with the examples inline. Text values go in as they are, not
// JSON-escaped, as Dify formats them.
import { text, type PromptMessage } from "./messages";

export interface ClassifierInput {
  histories: string;
  input: string;
  /** The categories as JSON text. */
  categories: string;
  instruction: string;
}

const JOB = [
  "You are a text classification engine. You read a text and assign it one of the given categories.",
  "### Task",
  "Assign exactly one category to the input text; return that category only.",
  "Also pick out the key words of the text that the classification rests on.",
  "### Format",
  "The input text is in the variable input_text. The categories are a list in the variable categories, each with the fields category_id and category_name. The variable classification_instructions may hold instructions that make the classification more accurate.",
  "### Constraint",
  "Reply with the JSON object only, and nothing else.",
].join("\n");

const memory = (histories: string) =>
  ["### Memory", "The chat history between the human and the assistant is inside the <histories></histories> XML tags.", "<histories>", histories, "</histories>"].join("\n");

const EXAMPLES = [
  {
    user: '{"input_text": ["The parcel came two days early and the courier was very polite."], "categories": [{"category_id":"3c6f0d52-8a41-4e0b-9f7a-1d2b5c8e4a90","category_name":"Delivery"},{"category_id":"b7e21f04-5d39-4c8a-a6f1-0e9d3b7c2f18","category_name":"Billing"},{"category_id":"e4a98c3d-21b7-4f6e-8d05-7c1a9b3e6d42","category_name":"Product quality"}], "classification_instructions": ["classify the message by what the customer talks about"]}',
    assistant: '{"keywords": ["parcel", "two days early", "courier", "polite"], "category_id": "3c6f0d52-8a41-4e0b-9f7a-1d2b5c8e4a90", "category_name": "Delivery"}',
  },
  {
    user: '{"input_text": ["I was charged twice for the same order"], "categories": [{"category_id":"91d4b6a2-7e3c-4f58-b0a9-5c2e8d1f7b36","category_name":"Payments"},{"category_id":"0f8c2e7a-4b19-4d6e-9a3c-6e5b1d8f2c07","category_name":"Shipping"},{"category_id":"5a3e9d1c-6f27-4b80-8e4d-2c7f0a9b3e15","category_name":"Account"}], "classification_instructions": []}',
    assistant: '{"keywords": ["charged twice", "same order"], "category_id": "91d4b6a2-7e3c-4f58-b0a9-5c2e8d1f7b36", "category_name": "Payments"}',
  },
];

const inputJson = (input: ClassifierInput) =>
  `{"input_text": ["${input.input}"], "categories": ${input.categories}, "classification_instructions": ["${input.instruction}"]}`;

/** Chat models: system, two example exchanges, the input. */
export function classifierChatPrompt(input: ClassifierInput): PromptMessage[] {
  return [
    text("system", `${JOB}\n${memory(input.histories)}\n`),
    ...EXAMPLES.flatMap((example) => [text("user", example.user), text("assistant", `\`\`\`json\n${example.assistant}\n\`\`\``)]),
    text("user", inputJson(input)),
  ];
}

/** Completion models: one prompt that ends where the answer starts. */
export function classifierCompletionPrompt(input: ClassifierInput): string {
  const examples = EXAMPLES.map((example) => `User:${example.user}\nAssistant:${example.assistant}`).join("\n");
  return [
    JOB,
    "### Example",
    "An example conversation between a human and the assistant is inside the <example></example> XML tags.",
    "<example>",
    examples,
    "</example>",
    memory(input.histories),
    "### User Input",
    inputJson(input),
    "### Assistant Output",
    "",
  ].join("\n");
}
