import { mount } from "../lib/mount";
import { startSignIn } from "../pages/signin";

mount(startSignIn);
