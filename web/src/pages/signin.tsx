// /webapp-signin for non-public apps (spec dify-web-client.md §4.5, §6 (d)): password, email code
// and forgot-password as /api/system-features allows them, then back to the app. The login token
// is exchanged for the app passport cookie at once and never stored by the page.
import { useState } from "hono/jsx/dom";
import { ApiFailure, api, setShareCode } from "../lib/api";
import { language, t } from "../lib/i18n";
import { issuePassportCookie, signOut } from "../lib/session";

type Step = "password" | "code-email" | "code" | "forgot-email" | "forgot-code" | "forgot-new";

interface Features {
  enable_email_password_login: boolean;
  enable_email_code_login: boolean;
}

const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

/** Where to go back to: a path on this site only (never another origin). */
export function safeRedirect(raw: string | null): string {
  let value = raw ?? "/";
  // Dify's client double-encodes redirect_url; decode once more when it still looks encoded.
  if (/^%2F/i.test(value)) value = decodeURIComponent(value);
  return value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}

export const appCodeOf = (redirect: string) => redirect.split("?")[0]!.split("/").filter(Boolean).at(-1) ?? "";

interface Props {
  features: Features;
  redirect: string;
  code: string;
  denied: string | null;
}

function Field(props: { id: string; label: string; type: string; value: string; onInput: (v: string) => void; autocomplete: string; hint?: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        type={props.type}
        required
        autocomplete={props.autocomplete}
        value={props.value}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e: Event) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function SignInPage({ features, redirect, code, denied }: Props) {
  const [step, setStep] = useState<Step>(features.enable_email_password_login ? "password" : "code-email");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirmPassword, setConfirmPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState("");
  const [info, setInfo] = useState("");
  const [busy, setBusy] = useState(false);

  const run = (action: () => Promise<void>) => async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await action();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : t("errorGeneric"));
    } finally {
      setBusy(false);
    }
  };

  const enter = async (loginToken: string) => {
    await issuePassportCookie({ code, loginToken });
    location.assign(redirect);
  };

  const go = (next: Step) => {
    setError("");
    setInfo("");
    setStep(next);
  };

  if (denied) {
    return (
      <main class="signin card" aria-labelledby="signin-title">
        <h1 id="signin-title">{t("noPermission")}</h1>
        <p role="alert">{denied}</p>
        <button type="button" class="btn primary" onClick={() => signOut(code).then(() => location.assign(`/webapp-signin?redirect_url=${encodeURIComponent(redirect)}`))}>
          {t("logout")}
        </button>
      </main>
    );
  }
  if (!features.enable_email_password_login && !features.enable_email_code_login) {
    return (
      <main class="signin card">
        <h1>{t("signIn")}</h1>
        <p role="alert">{t("noSignInMethod")}</p>
      </main>
    );
  }

  const emailField = <Field id="email" label={t("email")} type="email" value={email} onInput={setEmail} autocomplete="email" />;
  let body;
  switch (step) {
    case "password":
      body = (
        <form onSubmit={run(async () => enter((await api("/login", { body: { email, password: base64(password), language: language(), remember_me: true }, noRedirect: true })).data.access_token))}>
          {emailField}
          <Field id="password" label={t("password")} type="password" value={password} onInput={setPassword} autocomplete="current-password" />
          <button type="submit" class="btn primary wide" disabled={busy}>
            {t("signIn")}
          </button>
          <div class="links">
            <button type="button" class="link" onClick={() => go("forgot-email")}>
              {t("forgotPassword")}
            </button>
            {features.enable_email_code_login && (
              <button type="button" class="link" onClick={() => go("code-email")}>
                {t("useCode")}
              </button>
            )}
          </div>
        </form>
      );
      break;
    case "code-email":
    case "forgot-email": {
      const forgot = step === "forgot-email";
      body = (
        <form
          onSubmit={run(async () => {
            const res = await api(forgot ? "/forgot-password" : "/email-code-login", { body: { email, language: language() }, noRedirect: true });
            setToken(res.data);
            setOtp("");
            setInfo(t("codeSent", { email }));
            setStep(forgot ? "forgot-code" : "code");
          })}
        >
          {forgot && <h2>{t("resetPassword")}</h2>}
          {emailField}
          <button type="submit" class="btn primary wide" disabled={busy}>
            {t("sendCode")}
          </button>
          <div class="links">
            {(forgot || features.enable_email_password_login) && (
              <button type="button" class="link" onClick={() => go("password")}>
                {forgot ? t("backToSignIn") : t("usePassword")}
              </button>
            )}
          </div>
        </form>
      );
      break;
    }
    case "code":
      body = (
        <form onSubmit={run(async () => enter((await api("/email-code-login/validity", { body: { email, code: base64(otp.trim()), token }, noRedirect: true })).data.access_token))}>
          <Field id="code" label={t("code")} type="text" value={otp} onInput={setOtp} autocomplete="one-time-code" />
          <button type="submit" class="btn primary wide" disabled={busy}>
            {t("verify")}
          </button>
          <div class="links">
            <button type="button" class="link" onClick={() => go("code-email")}>
              {t("sendCode")}
            </button>
          </div>
        </form>
      );
      break;
    case "forgot-code":
      body = (
        <form
          onSubmit={run(async () => {
            // The reset validity step takes the code as typed (not base64), as Dify's client sends it.
            const res = await api("/forgot-password/validity", { body: { email, code: otp.trim(), token }, noRedirect: true });
            setToken(res.token);
            setInfo("");
            setStep("forgot-new");
          })}
        >
          <h2>{t("resetPassword")}</h2>
          <Field id="code" label={t("code")} type="text" value={otp} onInput={setOtp} autocomplete="one-time-code" />
          <button type="submit" class="btn primary wide" disabled={busy}>
            {t("verify")}
          </button>
        </form>
      );
      break;
    case "forgot-new":
      body = (
        <form
          onSubmit={run(async () => {
            if (password !== confirmPassword) throw new ApiFailure(400, "password_mismatch", t("passwordMismatch"));
            await api("/forgot-password/resets", { body: { token, new_password: password, password_confirm: confirmPassword }, noRedirect: true });
            setPassword("");
            setConfirmPassword("");
            setStep("password");
            setInfo(t("passwordReset"));
          })}
        >
          <h2>{t("resetPassword")}</h2>
          <Field id="new-password" label={t("newPassword")} type="password" value={password} onInput={setPassword} autocomplete="new-password" hint={t("passwordRule")} />
          <Field id="confirm-password" label={t("confirmPassword")} type="password" value={confirmPassword} onInput={setConfirmPassword} autocomplete="new-password" />
          <button type="submit" class="btn primary wide" disabled={busy}>
            {t("resetPassword")}
          </button>
        </form>
      );
      break;
  }

  return (
    <main class="signin card" aria-labelledby="signin-title">
      <h1 id="signin-title">{t("signIn")}</h1>
      {info && (
        <p class="info" role="status">
          {info}
        </p>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {body}
    </main>
  );
}

export async function startSignIn() {
  const params = new URLSearchParams(location.search);
  const redirect = safeRedirect(params.get("redirect_url"));
  const code = appCodeOf(redirect);
  setShareCode(code);
  const features = await api<Features>("/system-features", { noRedirect: true });
  if (code && params.get("code") !== "403") {
    // A public app needs no sign-in: take a passport and go back (Dify's page heals itself the same way).
    const mode = await api<{ accessMode: string }>("/webapp/access-mode", { query: { appCode: code }, noRedirect: true }).catch(() => null);
    if (mode?.accessMode === "public") {
      await issuePassportCookie({ code }).then(() => location.assign(redirect), () => undefined);
    }
  }
  return <SignInPage features={features} redirect={redirect} code={code} denied={params.get("code") === "403" ? (params.get("message") ?? t("noPermission")) : null} />;
}
