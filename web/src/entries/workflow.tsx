import { loadApp } from "../lib/app-data";
import { mount } from "../lib/mount";
import { WorkflowPage } from "../pages/workflow";

mount(async () => <WorkflowPage app={await loadApp({ compressedInputs: false })} />);
