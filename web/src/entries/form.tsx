import { mount } from "../lib/mount";
import { startFormPage } from "../pages/form";

mount(startFormPage);
