import { loadApp } from "../lib/app-data";
import { mount } from "../lib/mount";
import { ChatPage } from "../pages/chat";

const embedded = location.pathname.startsWith("/chatbot/");
mount(async () => {
  const app = await loadApp({ compressedInputs: embedded });
  return <ChatPage app={app} embedded={embedded} accessMode={app.accessMode} />;
});
