// Attaching files within a policy: pick local files (uploaded at once) or add one by URL; shows
// each file's state and lets it be removed. The server checks the same policy again. `linksOnly`
// is for a page without an app session (the standalone form): files are named by URL only and the
// server fetches them when the form is sent.
import { useRef, useState } from "hono/jsx/dom";
import { ApiFailure } from "../lib/api";
import { type Attachment, acceptAttribute, type FilePolicy, refuse, typeFor, uploadLocal, uploadRemote } from "../lib/files";
import { t } from "../lib/i18n";
import { Icon } from "./icons";

let counter = 0;

interface Props {
  policy: FilePolicy;
  files: Attachment[];
  onChange: (files: Attachment[]) => void;
  disabled?: boolean;
  idPrefix: string;
  compact?: boolean;
  linksOnly?: boolean;
}

export function FilePicker({ policy, files, onChange, disabled, idPrefix, compact, linksOnly }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [urlOpen, setUrlOpen] = useState(false);
  const [url, setUrl] = useState("");
  const [error, setError] = useState("");
  // Uploads finish after re-renders: always update the latest list.
  const latest = useRef(files);
  latest.current = files;
  const update = (key: string, patch: Partial<Attachment>) => onChange(latest.current.map((f) => (f.key === key ? { ...f, ...patch } : f)));
  const room = policy.limit - files.length;
  const canLocal = !linksOnly && policy.methods.includes("local_file");
  const canUrl = policy.methods.includes("remote_url");

  const add = (attachment: Attachment) => {
    latest.current = [...latest.current, attachment];
    onChange(latest.current);
  };

  const pickLocal = async (e: Event) => {
    setError("");
    const picked = [...((e.target as HTMLInputElement).files ?? [])];
    (e.target as HTMLInputElement).value = "";
    if (picked.length > room) return setError(t("tooManyFiles", { n: policy.limit }));
    for (const file of picked) {
      const refused = refuse(policy, file);
      if (refused) {
        setError(`${file.name}: ${refused}`);
        continue;
      }
      const key = `f${++counter}`;
      const previewUrl = file.type.startsWith("image/") ? URL.createObjectURL(file) : undefined;
      add({ key, name: file.name, type: typeFor(policy, file.name)!, transfer_method: "local_file", url: "", upload_file_id: "", status: "uploading", previewUrl });
      uploadLocal(file).then(
        (res) => update(key, { status: "done", upload_file_id: res.id }),
        (err) => update(key, { status: "error", error: err instanceof ApiFailure ? err.message : t("uploadFailed") }),
      );
    }
  };

  const addUrl = async (e: Event) => {
    e.preventDefault();
    setError("");
    const value = url.trim();
    if (!/^https?:\/\//i.test(value)) return;
    if (room <= 0) return setError(t("tooManyFiles", { n: policy.limit }));
    const name = decodeURIComponent(new URL(value).pathname.split("/").pop() || value);
    const key = `f${++counter}`;
    const type = typeFor(policy, name) ?? policy.types[0] ?? "custom";
    setUrl("");
    setUrlOpen(false);
    if (linksOnly) return add({ key, name, type, transfer_method: "remote_url", url: value, upload_file_id: "", status: "done" });
    add({ key, name, type, transfer_method: "remote_url", url: value, upload_file_id: "", status: "uploading" });
    try {
      const res = await uploadRemote(value);
      const type = typeFor(policy, res.name);
      if (!type) update(key, { status: "error", error: t("fileTypeNotAllowed"), name: res.name });
      else update(key, { status: "done", upload_file_id: res.id, name: res.name, type, previewUrl: type === "image" ? res.url : undefined });
    } catch (err) {
      update(key, { status: "error", error: err instanceof ApiFailure ? err.message : t("uploadFailed") });
    }
  };

  return (
    <div class={`file-picker ${compact ? "compact" : ""}`}>
      {files.length > 0 && (
        <ul class="attachments" aria-label={t("attachFile")}>
          {files.map((f) => (
            <li class={`attachment ${f.status}`} key={f.key}>
              {f.previewUrl ? <img src={f.previewUrl} alt="" /> : <span class="file-badge"><Icon name="file" /></span>}
              <span class="file-name">{f.name}</span>
              <span class="file-status" role={f.status === "error" ? "alert" : undefined}>
                {f.status === "uploading" ? t("uploading") : f.status === "error" ? f.error : ""}
              </span>
              <button type="button" class="icon-btn" aria-label={`${t("remove")} ${f.name}`} onClick={() => onChange(files.filter((x) => x.key !== f.key))}>
                <Icon name="close" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="file-actions">
        {canLocal && (
          <>
            <input ref={input} id={`${idPrefix}-file`} class="sr-only" type="file" multiple={policy.limit > 1} accept={acceptAttribute(policy)} disabled={disabled || room <= 0} onChange={pickLocal} />
            <button type="button" class="icon-btn" aria-label={t("attachFile")} title={t("attachFile")} disabled={disabled || room <= 0} onClick={() => input.current?.click()}>
              <Icon name="clip" />
            </button>
          </>
        )}
        {canUrl && (
          <button type="button" class="icon-btn" aria-label={t("addByUrl")} title={t("addByUrl")} aria-expanded={String(urlOpen)} disabled={disabled || room <= 0} onClick={() => setUrlOpen(!urlOpen)}>
            <Icon name="link" />
          </button>
        )}
      </div>
      {urlOpen && (
        <form class="url-form" onSubmit={addUrl}>
          <label class="sr-only" for={`${idPrefix}-url`}>
            {t("fileUrl")}
          </label>
          <input id={`${idPrefix}-url`} type="url" placeholder="https://…" value={url} onInput={(e: Event) => setUrl((e.target as HTMLInputElement).value)} />
          <button type="submit" class="btn small">
            {t("add")}
          </button>
        </form>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
