// Which tools an imported app may use: what the tool registry can run (src/tools/refs.ts).
export { toolLabel, unsupportedToolReason } from "../tools/refs";
export type { ToolRef } from "../tools/types";
