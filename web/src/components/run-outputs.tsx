// A workflow run's outputs (workflow_finished data.outputs): text as sanitised Markdown (like chat
// answers; a single text output is the result itself, as in Dify), files (Dify's serialised File,
// dify_model_identity "__dify__file__") as links or images, anything else as JSON.
import { t } from "../lib/i18n";
import { renderMarkdown } from "../lib/markdown";

interface FileValue {
  dify_model_identity: "__dify__file__";
  type?: string;
  filename?: string;
  mime_type?: string;
  url?: string | null;
  remote_url?: string | null;
}

const isFile = (v: unknown): v is FileValue => typeof v === "object" && v !== null && (v as FileValue).dify_model_identity === "__dify__file__";
const isFileList = (v: unknown): v is FileValue[] => Array.isArray(v) && v.length > 0 && v.every(isFile);

/** Only http(s) and same-origin links: a file URL from the run must not become script. */
function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function FileLink({ file }: { file: FileValue }) {
  const url = safeUrl(file.url ?? file.remote_url);
  const name = file.filename || t("file");
  if (!url) return <span class="file-chip">{name}</span>;
  const image = file.type === "image" || file.mime_type?.startsWith("image/");
  return (
    <a class={image ? "output-image" : "output-file"} href={url} target="_blank" rel="noopener noreferrer" download={image ? undefined : name}>
      {image ? <img src={url} alt={name} loading="lazy" /> : name}
    </a>
  );
}

function Value({ value }: { value: unknown }) {
  if (typeof value === "string") return <div class="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(value) }} />;
  if (isFile(value)) return <FileLink file={value} />;
  if (isFileList(value)) {
    return (
      <ul class="output-files">
        {value.map((f, i) => (
          <li key={i}>
            <FileLink file={f} />
          </li>
        ))}
      </ul>
    );
  }
  return <pre class="output-json">{JSON.stringify(value, null, 2)}</pre>;
}

/** The text a Copy button takes: the single text output, or all outputs as JSON. */
export function outputsText(outputs: Record<string, unknown>): string {
  const values = Object.values(outputs);
  return values.length === 1 && typeof values[0] === "string" ? values[0] : JSON.stringify(outputs, null, 2);
}

export function RunOutputs({ outputs }: { outputs: Record<string, unknown> }) {
  const entries = Object.entries(outputs);
  if (entries.length === 0) return <p class="placeholder">{t("noOutputs")}</p>;
  if (entries.length === 1 && typeof entries[0]![1] === "string") return <Value value={entries[0]![1]} />;
  return (
    <dl class="outputs">
      {entries.map(([name, value]) => (
        <div class="output" key={name}>
          <dt>{name}</dt>
          <dd>
            <Value value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
