import { loadApp } from "../lib/app-data";
import { mount } from "../lib/mount";
import { CompletionPage } from "../pages/completion";

mount(async () => <CompletionPage app={await loadApp({ compressedInputs: false })} />);
