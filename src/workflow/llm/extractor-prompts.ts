// The parameter-extractor's prompt-engineering prompts (the structure of graphon's
// parameter_extractor prompts.py, worded here on our own): chat models get a system message with the
// chat history and the instruction, two worked examples, then the schema and the text; completion
// models get one prompt that ends where the JSON starts. Schemas are written as Python's json.dumps
// writes them (ASCII only), as Dify sends them.
import { pyJson, type Json } from "../segments";
import { text, type PromptMessage } from "./messages";

export interface ExtractorInput {
  histories: string;
  instruction: string;
  schema: Json;
  query: string;
}

/** json.dumps with its defaults: ", " and ": " separators, every non-ASCII character escaped. */
export function asciiJson(value: unknown): string {
  return pyJson(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const history = (histories: string) =>
  ["### Memory", "The chat history between the human and the assistant is inside the <histories></histories> XML tags.", "<histories>", histories, "</histories>"].join("\n");

const userMessage = (schema: string, query: string) =>
  [
    "### Structure",
    "The JSON object must follow this structure.",
    "<structure>",
    schema,
    "</structure>",
    "",
    "### Text to be converted to JSON",
    "The text to turn into a JSON object is inside the <text></text> XML tags.",
    "<text>",
    query,
    "</text>",
  ].join("\n");

const EXAMPLES: { query: string; schema: Json; answer: Json }[] = [
  {
    query: "Will it rain in Oslo tomorrow?",
    schema: { type: "object", properties: { city: { description: "The city to get the weather for", type: "string" } }, required: ["city"] },
    answer: { city: "Oslo" },
  },
  {
    query: "Please put two cartons of oat milk on my shopping list.",
    schema: { type: "object", properties: { item: { description: "The item to add to the shopping list", type: "string" } }, required: ["item"] },
    answer: { item: "oat milk" },
  },
];

/** Chat models: system, the examples, then the schema and the text (the last user message). */
export function extractorChatPrompt(input: ExtractorInput): { system: PromptMessage; examples: PromptMessage[]; user: PromptMessage } {
  const system = [
    "Always follow the instructions and reply with one valid JSON object.",
    "The instructions say what the JSON object must look like.",
    "",
    history(input.histories),
    "",
    "### Instructions:",
    "Extra instructions follow; follow them as closely as you can.",
    "<instructions>",
    input.instruction,
    "</instructions>",
  ].join("\n");
  return {
    system: text("system", system),
    examples: EXAMPLES.flatMap((e) => [text("user", userMessage(asciiJson(e.schema), e.query)), text("assistant", asciiJson(e.answer))]),
    user: text("user", userMessage(asciiJson(input.schema), input.query)),
  };
}

/** Completion models: one prompt. */
export function extractorCompletionPrompt(input: ExtractorInput): string {
  return [
    "### Instructions:",
    "Extra instructions follow; I follow them as closely as I can.",
    "<instructions>",
    input.instruction,
    "</instructions>",
    "",
    "### Extract parameter Workflow",
    "I extract the following information from the input text. The <information to be extracted> tag gives the 'type', 'description' and 'required' of each item.",
    "<information to be extracted>",
    asciiJson(input.schema),
    "</information to be extracted>",
    "",
    "Step 1: Read the input and understand the structure the output must have.",
    "Step 2: Take the parameters from the text by the name and description of each.",
    "Step 3: Put the parameters into a JSON object as the structure says.",
    "Step 4: Make sure the JSON object is complete and valid. The output has no XML tags, only the JSON object.",
    "",
    history(input.histories),
    "",
    "### Structure",
    "The output always has this structure:",
    "  'parameter1': 'the text taken from the input',",
    "  'parameter2': 'the text taken from the input',",
    "",
    "### Input Text",
    "The text to take the parameters from and turn into a JSON object is inside the <text></text> XML tags.",
    "<text>",
    input.query,
    "</text>",
    "",
    "### Answer",
    "I always output one valid JSON object and nothing else.",
    "```JSON",
  ].join("\n");
}
