// Pieces every page shows: the app icon, the loading and "unavailable" screens, the footer with
// copyright, privacy link and disclaimer, icon buttons, and a short-lived notice.
import { useEffect, useState } from "hono/jsx/dom";
import type { Site } from "../lib/app-data";
import { t } from "../lib/i18n";
import { Icon, type IconName } from "./icons";

export function AppIcon({ site, size = "md" }: { site: Pick<Site, "icon_type" | "icon" | "icon_background" | "icon_url">; size?: "sm" | "md" | "lg" }) {
  if (site.icon_type === "image" && site.icon_url) return <img class={`app-icon ${size}`} src={site.icon_url} alt="" />;
  return (
    <span class={`app-icon ${size}`} style={{ background: site.icon_background ?? "#D5F5F6" }} aria-hidden="true">
      {site.icon ?? "🤖"}
    </span>
  );
}

export function Loading() {
  return (
    <div class="boot" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span class="sr-only">{t("loading")}</span>
    </div>
  );
}

export function Unavailable({ message }: { message?: string }) {
  return (
    <main class="unavailable" role="alert">
      <h1>{t("appUnavailable")}</h1>
      <p>{message || t("appUnavailableHint")}</p>
    </main>
  );
}

export function SiteFooter({ site }: { site: Site }) {
  if (!site.copyright && !site.privacy_policy && !site.custom_disclaimer) return null;
  return (
    <footer class="site-footer">
      {site.custom_disclaimer && <p class="disclaimer">{site.custom_disclaimer}</p>}
      <p>
        {site.copyright && <span>© {new Date().getFullYear()} {site.copyright}</span>}
        {site.privacy_policy && /^https?:\/\//i.test(site.privacy_policy) && (
          <a href={site.privacy_policy} target="_blank" rel="noopener noreferrer">
            {t("privacyPolicy")}
          </a>
        )}
      </p>
    </footer>
  );
}

export function IconButton(props: { label: string; icon: IconName; filled?: boolean; onClick: (e: Event) => void; pressed?: boolean; disabled?: boolean; class?: string }) {
  return (
    <button
      type="button"
      class={`icon-btn ${props.class ?? ""}`}
      aria-label={props.label}
      title={props.label}
      aria-pressed={props.pressed === undefined ? undefined : String(props.pressed)}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <Icon name={props.icon} filled={props.filled} />
    </button>
  );
}

/** A notice that disappears after a few seconds (announced to screen readers). */
export function Notice({ text, onDone }: { text: string; onDone: () => void }) {
  useEffect(() => {
    const timer = setTimeout(onDone, 4000);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <div class="notice" role="status" aria-live="polite">
      {text}
    </div>
  );
}

export function useNotice(): [string, (text: string) => void, () => void] {
  const [text, setText] = useState("");
  return [text, setText, () => setText("")];
}

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}
