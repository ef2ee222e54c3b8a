"""TypeScript's own quick fixes: imports, spelling, add `await`, missing properties, and the rest.

For a TypeScript 7 project, whose native language server has ported only a few kinds of quick fix,
the fixes of a TypeScript 6 tsserver are asked for as well; they are verified with the project's 7.x
like every other candidate.
"""

from __future__ import annotations

from tsfix.fixers import FixContext, Fixer, register
from tsfix.fixers.candidate import Candidate
from tsfix.langserver import LanguageServiceError

# quick fixes that never fix anything by themselves (they add a suppression or silence a whole file)
_SILENCING = {"disableJsDiagnostics", "fixAddMissingTypeAnnotation"}
# Fixes whose values are placeholders TypeScript picks by type ('', 0, a stub that throws "Function
# not implemented.", a member declared with the type one use implies): they compile, but what they
# add is a guess, ranked like the search's guesses.
_PLACEHOLDERS = {
    "fixMissingProperties",
    "fixMissingAttributes",
    "fixMissingFunctionDeclaration",
    "fixMissingMember",
}


@register
class QuickFixFixer(Fixer):
    name = "quickfix"

    def candidates(self, ctx: FixContext) -> list[Candidate]:
        out: list[Candidate] = []
        sources = [ctx.service] + ([ctx.helper] if ctx.helper is not None else [])
        for service in sources:
            try:
                fixes = service.code_fixes(ctx.target)
            except LanguageServiceError:
                if service is ctx.helper:
                    continue  # the helper is best effort
                raise
            for fix in fixes:
                if fix.fix_name in _SILENCING or not fix.edits:
                    continue
                guess = fix.fix_name in _PLACEHOLDERS or any(
                    "Function not implemented." in e.new_text for e in fix.edits
                )
                out.append(
                    Candidate(
                        "quickfix",
                        fix.edits,
                        fix.description,
                        fix_name=fix.fix_name,
                        model_name=service.name,
                        guess=guess,
                    )
                )
                others = [d for d in ctx.file_diagnostics if d.code == ctx.target.code and d != ctx.target]
                if fix.fix_id and others:
                    every = service.fix_all(ctx.target.file, fix)
                    if every and set(every) != set(fix.edits):
                        out.append(
                            Candidate(
                                "quickfix",
                                every,
                                f"{fix.description} (fix all in file)",
                                fix_name=f"{fix.fix_name}:all",
                                model_name=service.name,
                                guess=guess,
                            )
                        )
        return out
