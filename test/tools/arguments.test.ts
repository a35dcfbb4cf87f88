// Argument resolution from Dify's DSL forms: mixed templates, variable selectors, constants, form
// configurations with defaults and options, type coercion and required checks.
import { describe, expect, it } from "vitest";
import { castParameter, type PoolReader, resolveArguments } from "../../src/tools/registry";
import { type Tool, ToolError, toolSchema } from "../../src/tools/types";
import { param } from "../../src/tools/builtin/define";

const pool: Record<string, unknown> = { "start.city": "Paris", "start.n": 7, "start.flag": false, "start.list": ["a", "b"], "start.obj": { k: 1 } };
const reader: PoolReader = {
  value: (selector) => pool[selector.join(".")],
  text: (template) => template.replace(/\{\{#([\w.]+)#\}\}/g, (_, path: string) => (path in pool ? String(pool[path]) : path)),
};

const tool: Tool = {
  provider: "test",
  providerType: "builtin",
  name: "t",
  label: "T",
  description: "",
  parameters: [
    param("query", "string", { required: true }),
    param("count", "number"),
    param("enabled", "boolean"),
    param("items", "array"),
    param("options", "object"),
    param("mode", "select", { form: "form", required: true, options: ["fast", "slow"], default: "fast" }),
    param("label", "string", { form: "form", default: "none" }),
  ],
  call: async () => ({ text: "", json: [], files: [] }),
};

const failure = (fn: () => unknown): ToolError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).errorType).toBe("ToolParameterValidationError");
    return err as ToolError;
  }
  throw new Error("expected a ToolError");
};

describe("resolveArguments in a workflow tool node", () => {
  it("renders mixed templates, reads variables and keeps constants, then casts to the declared types", () => {
    const args = resolveArguments(
      tool,
      {
        toolParameters: {
          query: { type: "mixed", value: "weather in {{#start.city#}}" },
          count: { type: "variable", value: ["start", "n"] },
          enabled: { type: "constant", value: "yes" },
          items: { type: "constant", value: '["x", "y"]' },
          options: { type: "variable", value: ["start", "obj"] },
        },
        toolConfigurations: { mode: "slow" },
      },
      reader,
    );
    expect(args).toEqual({ query: "weather in Paris", count: 7, enabled: true, items: ["x", "y"], options: { k: 1 }, mode: "slow", label: "none" });
  });

  it("coerces template text to numbers and booleans as Dify's cast_parameter_value does", () => {
    const args = resolveArguments(
      tool,
      { toolParameters: { query: { type: "mixed", value: "{{#start.n#}}" }, count: { type: "mixed", value: "{{#start.n#}}.5" }, enabled: { type: "mixed", value: "{{#start.flag#}}" } } },
      reader,
    );
    expect(args).toMatchObject({ query: "7", count: 7.5, enabled: false });
    expect(castParameter(param("n", "number"), "42")).toBe(42);
    expect(castParameter(param("b", "boolean"), "N")).toBe(false);
    expect(castParameter(param("b", "boolean"), "maybe")).toBe(true);
    expect(castParameter(param("s", "string"), 5)).toBe("5");
    expect(castParameter(param("s", "string"), true)).toBe("True");
    expect(castParameter(param("a", "array"), "not json")).toEqual(["not json"]);
    expect(castParameter(param("o", "object"), "not json")).toEqual({});
    expect(castParameter(param("f", "files"), { a: 1 })).toEqual([{ a: 1 }]);
    expect(failure(() => castParameter(param("n", "number"), "abc")).message).toBe("invalid literal for int() with base 10: 'abc'");
    expect(failure(() => castParameter(param("n", "number"), "1.x")).message).toBe("could not convert string to float: '1.x'");
    expect(failure(() => castParameter(param("f", "file"), [1, 2])).message).toBe("This parameter only accepts one file but got multiple files while invoking.");
  });

  it("refuses a missing required variable, a malformed selector and an unknown input type", () => {
    expect(failure(() => resolveArguments(tool, { toolParameters: { query: { type: "variable", value: ["start", "nope"] } } }, reader)).message).toBe(
      "Variable ['start', 'nope'] does not exist",
    );
    expect(failure(() => resolveArguments(tool, { toolParameters: { query: { type: "variable", value: "start.city" } } }, reader)).message).toBe(
      "Variable tool input value must be a list of strings.",
    );
    expect(failure(() => resolveArguments(tool, { toolParameters: { query: { type: "jinja", value: "x" } } }, reader)).message).toBe("Unknown tool input type 'jinja'");
    expect(failure(() => resolveArguments(tool, { toolParameters: {} }, reader)).message).toBe("Missing required parameter query");
  });

  it("skips an optional variable that does not exist and passes unknown parameters as None", () => {
    const args = resolveArguments(tool, { toolParameters: { query: { type: "constant", value: "q" }, count: { type: "variable", value: ["x", "y"] }, extra: { type: "constant", value: 1 } } }, reader);
    expect(args).toEqual({ query: "q", mode: "fast", label: "none", extra: null });
  });

  it("checks form selects against their options and fills empty form values with the default", () => {
    expect(failure(() => resolveArguments(tool, { toolParameters: { query: "q" }, toolConfigurations: { mode: "warp" } }, reader)).message).toBe(
      "tool parameter mode value warp not in options ['fast', 'slow']",
    );
    expect(resolveArguments(tool, { toolParameters: { query: "q" }, toolConfigurations: { mode: "", label: "" } }, reader)).toMatchObject({ mode: "fast", label: "none" });
    // Newer exports write configurations as {type, value} too.
    expect(resolveArguments(tool, { toolParameters: { query: "q" }, toolConfigurations: { mode: { type: "constant", value: "slow" }, label: { type: "mixed", value: "{{#start.city#}}" } } }, reader)).toMatchObject({
      mode: "slow",
      label: "Paris",
    });
    const strict: Tool = { ...tool, parameters: [param("key", "secret-input", { form: "form", required: true })] };
    expect(failure(() => resolveArguments(strict, {}, reader)).message).toBe("tool parameter key not found in tool config");
  });
});

describe("resolveArguments for an agent (no pool)", () => {
  it("takes the model's plain arguments, applies defaults and configuration, keeps dynamic configuration keys", () => {
    const args = resolveArguments(tool, { toolParameters: { query: "hi", count: "3", extra: "kept" }, toolConfigurations: { "voice#p#m": "alloy" } });
    expect(args).toEqual({ query: "hi", count: 3, mode: "fast", label: "none", extra: "kept", "voice#p#m": "alloy" });
    // An argument that looks like a DSL form is a plain value to an agent.
    expect(resolveArguments(tool, { toolParameters: { query: { type: "mixed", value: "x" } } }).query).toBe('{"type":"mixed","value":"x"}');
  });

  it("gives the model only the llm parameters in its schema", () => {
    expect(toolSchema(tool)).toEqual({
      type: "object",
      properties: {
        query: { type: "string", description: "" },
        count: { type: "number", description: "" },
        enabled: { type: "boolean", description: "" },
        items: { type: "array", description: "" },
        options: { type: "object", description: "" },
      },
      required: ["query"],
    });
  });
});
