// The programs a TaskRunner can host, by the spec's kind. A new kind of run is a new entry here,
// never a second way to stream, stop, save or end.
import { generationProgram } from "./generation";
import type { Program } from "./program";
import { workflowProgram } from "../workflow/program";
import { agentProgram } from "../agent/program";

const PROGRAMS: Record<string, Program<any>> = {
  generation: generationProgram,
  workflow: workflowProgram,
  agent: agentProgram,
};

/** Adds a program (the workflow engine registers itself here). */
export function registerProgram(kind: string, program: Program<any>): void {
  PROGRAMS[kind] = program;
}

export function programFor(kind: string): Program {
  const program = PROGRAMS[kind];
  if (!program) throw new Error(`no task program for kind "${kind}"`);
  return program;
}
