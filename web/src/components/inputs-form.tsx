// The app's inputs form from /api/parameters user_input_form (spec dify-web-api.md §8): every
// input type, required and length rules checked before sending, as the server checks them again.
import type { InputField } from "../lib/app-data";
import { type Attachment, filePolicy, toFileMapping } from "../lib/files";
import { t } from "../lib/i18n";
import { FilePicker } from "./file-picker";

export type InputValues = Record<string, unknown>;

export function initialValues(fields: InputField[], prefill: Record<string, string> = {}): InputValues {
  const values: InputValues = {};
  for (const field of fields) {
    const given = prefill[field.variable];
    if (field.type === "checkbox") values[field.variable] = given !== undefined ? /^(true|1|yes|on)$/i.test(given) : field.default === true;
    else if (field.type === "file") values[field.variable] = null;
    else if (field.type === "file-list") values[field.variable] = [];
    else if (given !== undefined) values[field.variable] = given;
    else values[field.variable] = field.default === undefined || field.default === null ? "" : typeof field.default === "string" ? field.default : JSON.stringify(field.default);
  }
  return values;
}

const isBlank = (v: unknown) => v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);

/** The first rule the values break, as a message; null when they are fine. */
export function validateInputs(fields: InputField[], values: InputValues): string | null {
  for (const field of fields) {
    const value = values[field.variable];
    const label = field.label || field.variable;
    if (field.required && field.type !== "checkbox" && isBlank(value)) return t("required", { label });
    if (isBlank(value)) continue;
    if ((field.type === "text-input" || field.type === "paragraph") && field.max_length && String(value).length > field.max_length) return t("tooLong", { label, n: field.max_length });
    if (field.type === "number" && !Number.isFinite(Number(value))) return t("notNumber", { label });
    if (field.type === "json_object") {
      try {
        const parsed = JSON.parse(String(value));
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return t("notJson", { label });
      } catch {
        return t("notJson", { label });
      }
    }
    if (Array.isArray(value) && (value as Attachment[]).some((a) => a.status !== "done")) return t("uploading");
  }
  return null;
}

/** The `inputs` object of a request body, typed as the server expects. */
export function toRequestInputs(fields: InputField[], values: InputValues): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.variable];
    if (field.type === "number") inputs[field.variable] = value === "" ? null : Number(value);
    else if (field.type === "checkbox") inputs[field.variable] = !!value;
    else if (field.type === "json_object") inputs[field.variable] = value === "" ? null : JSON.parse(String(value));
    else if (field.type === "file") inputs[field.variable] = value ? toFileMapping(value as Attachment) : null;
    else if (field.type === "file-list") inputs[field.variable] = (value as Attachment[]).map(toFileMapping);
    else inputs[field.variable] = value;
  }
  return inputs;
}

interface FormProps {
  fields: InputField[];
  values: InputValues;
  onChange: (name: string, value: unknown) => void;
  system: Record<string, number>;
  disabled?: boolean;
  idPrefix: string;
}

export function InputsForm({ fields, values, onChange, system, disabled, idPrefix }: FormProps) {
  return (
    <div class="inputs-form">
      {fields
        .filter((field) => !field.hide)
        .map((field) => {
          const id = `${idPrefix}-${field.variable}`;
          const value = values[field.variable];
          const label = (
            <label for={id}>
              {field.label || field.variable}
              {!field.required && field.type !== "checkbox" && <span class="optional"> ({t("optional")})</span>}
            </label>
          );
          const common = { id, name: field.variable, disabled, required: !!field.required && field.type !== "checkbox", "aria-required": field.required ? "true" : undefined };
          const text = (e: Event) => onChange(field.variable, (e.target as HTMLInputElement).value);
          switch (field.type) {
            case "paragraph":
              return (
                <div class="field" key={id}>
                  {label}
                  <textarea {...common} rows={3} maxLength={field.max_length || undefined} value={String(value ?? "")} onInput={text} placeholder={field.placeholder ?? ""} />
                </div>
              );
            case "select":
              return (
                <div class="field" key={id}>
                  {label}
                  <select {...common} value={String(value ?? "")} onChange={text}>
                    <option value="">{t("select")}</option>
                    {(field.options ?? []).map((o) => (
                      <option value={o} selected={o === value}>
                        {o}
                      </option>
                    ))}
                  </select>
                </div>
              );
            case "number":
              return (
                <div class="field" key={id}>
                  {label}
                  <input {...common} type="number" step="any" value={String(value ?? "")} onInput={text} />
                </div>
              );
            case "checkbox":
              return (
                <div class="field check" key={id}>
                  <input {...common} type="checkbox" checked={!!value} onChange={(e: Event) => onChange(field.variable, (e.target as HTMLInputElement).checked)} />
                  {label}
                </div>
              );
            case "json_object":
              return (
                <div class="field" key={id}>
                  {label}
                  <textarea {...common} class="mono" rows={4} value={String(value ?? "")} onInput={text} placeholder='{"key": "value"}' />
                </div>
              );
            case "file":
            case "file-list": {
              const policy = filePolicy(
                { enabled: true, allowed_file_types: field.allowed_file_types, allowed_file_extensions: field.allowed_file_extensions, allowed_file_upload_methods: field.allowed_file_upload_methods, number_limits: field.type === "file" ? 1 : field.max_length || 5 },
                system,
              );
              const list = field.type === "file" ? (value ? [value as Attachment] : []) : (value as Attachment[]);
              return (
                <div class="field" key={id} role="group" aria-labelledby={`${id}-label`}>
                  <span id={`${id}-label`} class="label">
                    {field.label || field.variable}
                  </span>
                  <FilePicker policy={policy} files={list} disabled={disabled} idPrefix={id} onChange={(files) => onChange(field.variable, field.type === "file" ? (files[0] ?? null) : files)} />
                </div>
              );
            }
            default:
              return (
                <div class="field" key={id}>
                  {label}
                  <input {...common} type="text" maxLength={field.max_length || undefined} value={String(value ?? "")} onInput={text} placeholder={field.placeholder ?? ""} />
                </div>
              );
          }
        })}
    </div>
  );
}
