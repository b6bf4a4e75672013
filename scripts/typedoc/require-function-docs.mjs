// TypeDoc plugin (typedoc.json "plugin"): every exported function of a public
// entry must have a doc comment. TypeDoc's own `validation.notDocumented` with
// "Function" in `requiredToBeDocumented` also requires every method signature
// of every class and interface; this checks the entries' exports only, as
// `requiredToBeDocumented` does for classes, interfaces, types and variables.
import { Application, ReflectionKind } from 'typedoc';

/** @param {Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    if (!app.options.getValue('validation').notDocumented) return;
    for (const mod of project.children ?? []) {
      for (const ref of mod.children ?? []) {
        if (!ref.kindOf(ReflectionKind.Function)) continue;
        const sigs = ref.signatures ?? [];
        if (ref.hasComment() || (sigs.length && sigs.every((s) => s.hasComment()))) continue;
        const file = ref.sources?.[0];
        app.logger.warn(
          `${mod.name}.${ref.name} (Function), defined in ${file ? `${file.fileName}:${file.line}` : '?'}, does not have any documentation`,
        );
      }
    }
  });
}
