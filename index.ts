// Pulumi entry point: the stack outputs are what `run` returns.
import { run } from "./stacks/program";

export = run();
