// Starts a page: language from the browser until the site says otherwise, then the page, or the
// "app unavailable" screen for a bad share code or a disabled site. A sign-in redirect already
// under way keeps the loading screen.
import { type Child, render } from "hono/jsx/dom";
import { Loading, Unavailable } from "../components/common";
import { ApiFailure } from "./api";
import { chooseLanguage } from "./i18n";

export async function mount(start: () => Promise<Child>): Promise<void> {
  chooseLanguage();
  const root = document.getElementById("root")!;
  const show = (node: Child) => {
    root.textContent = "";
    render(node, root);
  };
  try {
    show(await start());
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return show(<Loading />);
    const known = err instanceof ApiFailure && err.status >= 400 && err.status < 500 && err.status !== 404;
    show(<Unavailable message={known ? err.message : undefined} />);
  }
}
