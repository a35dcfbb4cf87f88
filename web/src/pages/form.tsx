// The standalone human-input form, /form/<form_token> — the link a form's e-mail carries (spec
// dify-web-client.md §5.6; dify-web-api.md §4.28, §4.29). No app session: GET the form by its token,
// show it under the app's name and icon, POST the answer. The API's refusals pick the screen:
// already submitted, expired (412), not found (404), too many requests (429); a 400
// invalid_form_data message stays on the form.
import { useState } from "hono/jsx/dom";
import { AppIcon } from "../components/common";
import { HumanInputForm } from "../components/human-input-form";
import { ApiFailure, api } from "../lib/api";
import { applySite, type Site } from "../lib/app-data";
import { type PendingForm, pendingForm, submissionInputs, submitForm } from "../lib/human-input";
import { type Strings, t } from "../lib/i18n";

type Screen = "form" | "done" | "submitted" | "expired" | "notFound" | "rateLimited";

const SCREENS: Record<Exclude<Screen, "form">, { title: keyof Strings; text: keyof Strings }> = {
  done: { title: "formDoneTitle", text: "formDone" },
  submitted: { title: "formSubmittedTitle", text: "formSubmitted" },
  expired: { title: "formExpiredTitle", text: "formExpired" },
  notFound: { title: "formNotFoundTitle", text: "formNotFound" },
  rateLimited: { title: "formRateLimitedTitle", text: "formRateLimited" },
};

/** The screen an API refusal means (as Dify's form page reads the codes), or null to show its message. */
function screenOf(err: unknown): Screen | null {
  if (!(err instanceof ApiFailure)) return null;
  if (err.code === "human_input_form_submitted") return "submitted";
  if (err.code === "human_input_form_expired") return "expired";
  if (err.code === "web_form_rate_limit_exceeded" || err.status === 429) return "rateLimited";
  if (err.status === 404) return "notFound";
  return null;
}

interface FormResponse {
  form_content: string;
  inputs: unknown[];
  resolved_default_values: Record<string, string>;
  user_actions: unknown[];
  expiration_time: number;
  site: { site: Site };
}

function FormPage({ token, form, site, initial }: { token: string; form: PendingForm | null; site: Site | null; initial: Screen }) {
  const [screen, setScreen] = useState<Screen>(initial);
  const submit = async (action: string, values: Parameters<typeof submissionInputs>[1]) => {
    try {
      await submitForm(token, action, submissionInputs(form!, values));
      setScreen("done");
    } catch (err) {
      const next = screenOf(err);
      if (next && next !== "rateLimited") return setScreen(next);
      throw err; // shown on the form: invalid_form_data, the rate limit, the network
    }
  };
  const info = screen === "form" ? null : SCREENS[screen];
  return (
    <main class="form-page">
      {site && (
        <header class="app-header">
          <AppIcon site={site} />
          <h1>{site.title}</h1>
        </header>
      )}
      {info ? (
        <section class="card form-screen" role={screen === "done" ? "status" : "alert"}>
          <h2>{t(info.title)}</h2>
          <p>{t(info.text)}</p>
        </section>
      ) : (
        <div class="card">
          <HumanInputForm form={form!} idPrefix="form" linksOnly lockAfterSubmit={false} onSubmit={submit} />
        </div>
      )}
    </main>
  );
}

/** Loads the form of the token in the path; a refusal is a screen of its own, not "app unavailable". */
export async function startFormPage() {
  const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).at(-1) ?? "");
  try {
    const res = await api<FormResponse>(`/form/human_input/${encodeURIComponent(token)}`, { noRedirect: true });
    applySite(res.site.site);
    document.title = `${t("formTitle")} · ${res.site.site.title}`;
    const form = pendingForm({ ...res, node_title: "", form_token: token, actions: res.user_actions });
    return <FormPage token={token} form={form} site={res.site.site} initial="form" />;
  } catch (err) {
    const screen = screenOf(err);
    if (!screen) throw err;
    document.title = t(SCREENS[screen as Exclude<Screen, "form">].title);
    return <FormPage token={token} form={null} site={null} initial={screen} />;
  }
}
