// A TypeDoc plugin: every function, class, constant, interface and type the toolkit exports shows how it is used — a warning (and
// so, with treatWarningsAsErrors, a failed `npm run docs`) names each one whose comment has no @example.
import { Converter, ReflectionKind } from 'typedoc';

const NEEDS_EXAMPLE = ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Variable | ReflectionKind.Interface | ReflectionKind.TypeAlias;

export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const reflection of context.project.getReflectionsByKind(NEEDS_EXAMPLE)) {
      const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
      if (!comments.some((comment) => comment?.getTag('@example'))) {
        app.logger.warn(`${reflection.getFriendlyFullName()} (${ReflectionKind.singularString(reflection.kind)}) has no @example`);
      }
    }
  });
}
