// The message box: text (Enter sends, Shift+Enter breaks the line, IME composition respected),
// attachments within the app's policy, voice input when the app enables it, send and stop.
import { useRef, useState } from "hono/jsx/dom";
import { transcribe, WavRecorder } from "../lib/audio";
import type { Attachment, FilePolicy } from "../lib/files";
import { t } from "../lib/i18n";
import { IconButton } from "./common";
import { FilePicker } from "./file-picker";

interface Props {
  responding: boolean;
  onSend: (text: string, files: Attachment[]) => boolean;
  onStop: () => void;
  policy: FilePolicy;
  voice: boolean;
  onNotice: (text: string) => void;
}

export function Composer({ responding, onSend, onStop, policy, voice, onNotice }: Props) {
  const [text, setText] = useState("");
  const [files, setFiles] = useState<Attachment[]>([]);
  const [recording, setRecording] = useState(false);
  const recorder = useRef<WavRecorder | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const uploading = files.some((f) => f.status === "uploading");

  const submit = (e?: Event) => {
    e?.preventDefault();
    if (responding || uploading || !text.trim()) return;
    if (onSend(text, files.filter((f) => f.status === "done"))) {
      setText("");
      setFiles([]);
    }
  };

  const toggleVoice = async () => {
    if (!recording) {
      try {
        recorder.current = new WavRecorder();
        await recorder.current.start();
        setRecording(true);
      } catch (err) {
        onNotice((err as Error).message);
      }
      return;
    }
    setRecording(false);
    try {
      const heard = await transcribe(await recorder.current!.stop());
      setText((before) => (before ? `${before} ${heard}` : heard));
      area.current?.focus();
    } catch (err) {
      onNotice((err as Error).message);
    }
  };

  return (
    <form class="composer" onSubmit={submit}>
      {policy.enabled && <FilePicker policy={policy} files={files} onChange={setFiles} idPrefix="composer" compact disabled={responding} />}
      <label class="sr-only" for="message">
        {t("messagePlaceholder")}
      </label>
      <span class="sr-only" id="message-hint">
        {t("messageHint")}
      </span>
      <textarea
        id="message"
        ref={area}
        rows={1}
        aria-describedby="message-hint"
        placeholder={t("messagePlaceholder")}
        value={text}
        onInput={(e: Event) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e: KeyboardEvent) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
        }}
      />
      {voice && <IconButton label={recording ? t("stopRecording") : t("voiceInput")} icon={recording ? "stop" : "mic"} pressed={recording} onClick={toggleVoice} class={recording ? "recording" : ""} />}
      {responding ? (
        <button type="button" class="btn stop" onClick={onStop}>
          {t("stop")}
        </button>
      ) : (
        <button type="submit" class="btn primary" disabled={!text.trim() || uploading}>
          {t("send")}
        </button>
      )}
    </form>
  );
}
