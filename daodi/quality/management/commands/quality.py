"""``daodi quality judge|import-spec|export-spec|starter``: quality testing from the shell.

``daodi quality judge --spec SPEC.csv --results RESULTS.csv [--json]`` runs the judgement
module on two files and prints a table or, with ``--json``::

    {"items": [{"test_item", "value", "value_converted", "value_rounded", "op", "limit",
                "unit", "basis", "verdict", "reason"}],
     "conclusion": "conform" | "not_conform" | "incomplete"}

``reason`` holds the reason in both languages ({"zh-hans": …, "en": …}). A specification
file may hold several sets (authority and edition): their items follow each other, and the
conclusion is the gravest of theirs. A file that cannot be read prints every problem (line
and column) on standard error and exits with status 1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from daodi.core import exchange
from daodi.core.errors import DomainError

from ... import actions, judgement, queries, specfile, starter
from ...choices import Conclusion, Verdict
from ...files import FileRejected
from ...instrument import read_results
from ...models import SpecSet


class Command(BaseCommand):
    help = "Quality testing: judge result files, import and export specification sets."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)

        judge = sub.add_parser("judge", help="Judge a results file against a specification file.")
        judge.add_argument("--spec", required=True, help="Specification CSV or XLSX.")
        judge.add_argument(
            "--results", required=True, help="Results CSV: test_item, value, unit, loq."
        )
        judge.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        judge.add_argument("--herb", help="Only the spec items of this herb (and of *).")
        judge.add_argument("--variant", default=None, help="The sample's variant, e.g. 青翘.")
        judge.add_argument(
            "--form", default=None, help="The sample's product form (药材, 饮片, 食用)."
        )

        imp = sub.add_parser("import-spec", help="Import a specification file as draft sets.")
        imp.add_argument("file")
        imp.add_argument(
            "--organisation", help="Owner's organisation code (default: the platform)."
        )
        imp.add_argument("--user", help="Act as this user (default: the system).")

        exp = sub.add_parser("export-spec", help="Write a set as a CSV specification file.")
        exp.add_argument("code")
        exp.add_argument("--version", type=int, help="Default: the newest.")
        exp.add_argument("--out", help="File to write (default: standard output).")

        start = sub.add_parser("starter", help="Load the shipped pharmacopoeia starter sets.")
        start.add_argument(
            "--derive",
            metavar="DIR",
            help="Instead, derive the shipped data file again from the reference tables in DIR.",
        )
        for each in (judge, imp, exp, start):
            each.add_argument(
                "--lang",
                choices=["zh-hans", "en"],
                help="Language of the output (default: $LANGUAGE, else zh-hans).",
            )

    def handle(self, *args, subcommand, lang=None, **options):
        with translation.override(exchange.cli_language(lang, os.environ)):
            handler = {
                "judge": self.judge,
                "import-spec": self.import_spec,
                "export-spec": self.export_spec,
                "starter": self.starter,
            }[subcommand]
            try:
                handler(**options)
            except FileRejected as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                raise CommandError(
                    _("The file was not read: %(count)s problem(s).") % {"count": len(exc.errors)}
                ) from exc
            except DomainError as exc:
                for messages in exc.fields.values():
                    for message in messages:
                        self.stderr.write(str(message))
                raise CommandError(str(exc.message)) from exc

    # --- judge ---------------------------------------------------------------------------
    def _read(self, path: str) -> bytes:
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        return file.read_bytes()

    def judge(
        self, *, spec, results, json: bool = False, herb=None, variant=None, form=None, **options
    ):
        rows = specfile.read(self._read(spec), spec, need_set=False)
        readings = read_results(self._read(results), results)
        form_key = specfile.FORMS.get((form or "").strip().lower(), form) if form else None
        keys = {
            (r.herb, r.variant, r.product_form)
            for r in rows
            if r.herb not in ("", "*")
            and (not herb or r.herb == herb)
            and (variant is None or r.variant in ("", variant))
            and (form_key is None or r.product_form in ("", form_key))
        }
        if len(keys) > 1 and not (herb and variant is not None and form_key is not None):
            named = "; ".join(
                " ".join(filter(None, [h, v, specfile.FORM_WORDS.get(f, f)]))
                for h, v, f in sorted(keys)
            )
            raise CommandError(
                _(
                    "The specification covers several herbs, variants or forms (%(keys)s): "
                    "name the sample's with --herb, --variant and --form."
                )
                % {"keys": named}
            )
        sets: dict[tuple, list] = {}
        for row in rows:
            if herb and row.herb not in (herb, "*", ""):
                continue
            if variant is not None and row.variant not in ("", variant):
                continue
            if form_key is not None and row.product_form not in ("", form_key):
                continue
            sets.setdefault(row.set_key, []).append(row.as_item(ref=row.line))
        if not sets:
            raise CommandError(_("No specification item applies."))
        judged, conclusion = judgement.judge_sets(list(sets.items()), readings)
        if json:
            self._json(judged, conclusion)
        else:
            self._table(judged, conclusion)

    def _json(self, judged, conclusion):
        items = [row.as_row() for s in judged for row in _rows(s)]
        self.stdout.write(
            json.dumps({"items": items, "conclusion": conclusion}, ensure_ascii=False, indent=2)
        )

    def _table(self, judged, conclusion):
        many = len(judged) > 1
        for result in judged:
            authority, edition = result.key
            if many or authority or edition:
                self.stdout.write(f"== {edition or authority} ==")
            header = [
                pgettext("judge table", "Test item"), pgettext("judge table", "Value"),
                pgettext("judge table", "Converted"), pgettext("judge table", "Rounded"),
                pgettext("judge table", "Limit"), pgettext("judge table", "Basis"),
                pgettext("judge table", "Verdict"), pgettext("judge table", "Reason"),
            ]  # fmt: skip
            lines = [header]
            for row in _rows(result):
                data = row.as_row()
                lines.append(
                    [
                        data["test_item"],
                        data["value"] or "—",
                        data["value_converted"] or "—",
                        data["value_rounded"] or "—",
                        f"{data['op']} {data['limit']} {data['unit']}".strip(),
                        data["basis"],
                        str(Verdict(data["verdict"]).label),
                        row.reason.text(),
                    ]
                )
            for panel in result.panels:
                lines.append(
                    [
                        panel.panel,
                        "",
                        "",
                        "",
                        "",
                        "",
                        str(Verdict(panel.verdict).label),
                        panel.reason.text(),
                    ]
                )
            widths = [max(_width(line[i]) for line in lines) for i in range(len(header) - 1)]
            for line in lines:
                cells = [c + " " * (w - _width(c)) for c, w in zip(line, widths, strict=False)]
                self.stdout.write("  ".join([*cells, line[-1]]).rstrip())
            if many:
                self.stdout.write(
                    _("Set conclusion: %(c)s") % {"c": Conclusion(result.conclusion).label}
                )
        self.stdout.write(_("Conclusion: %(c)s") % {"c": Conclusion(conclusion).label})

    # --- sets ----------------------------------------------------------------------------
    def import_spec(self, *, file, organisation=None, user=None, **options):
        from daodi.orgs.models import Organisation

        try:
            actor = exchange.cli_actor(user)
        except exchange.ExchangeError as exc:
            raise CommandError(str(exc.message)) from exc
        org = None
        if organisation:
            org = Organisation.objects.filter(code=organisation).first()
            if org is None:
                raise CommandError(
                    _("No organisation with the code %(code)s.") % {"code": organisation}
                )
        outcome = actions.import_spec_file(
            actor=actor, data=self._read(file), filename=file, organisation=org
        )
        self._outcome(outcome)

    def _outcome(self, outcome):
        states = {
            "created": pgettext("import outcome", "created"),
            "updated": pgettext("import outcome", "updated"),
            "unchanged": pgettext("import outcome", "unchanged"),
        }
        for spec_set, state in outcome:
            self.stdout.write(
                _("%(set)s (%(code)s): %(state)s, %(items)s items, %(unverified)s to be verified")
                % {
                    "set": spec_set,
                    "code": spec_set.code,
                    "state": states[state],
                    "items": spec_set.items.count(),
                    "unverified": sum(1 for i in spec_set.items.all() if i.is_unverified),
                }
            )

    def export_spec(self, *, code, version=None, out=None, **options):
        sets = SpecSet.objects.filter(code=code).order_by("-version")
        spec_set = sets.filter(version=version).first() if version else sets.first()
        if spec_set is None:
            raise CommandError(_("No specification set with the code %(code)s.") % {"code": code})
        text = specfile.csv_text(queries.spec_rows(spec_set))
        if out:
            Path(out).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def starter(self, *, derive=None, **options):
        if derive:
            directory = Path(derive)
            if not (directory / "chp_starter_specs.csv").is_file():
                raise CommandError(_("No reference tables in %(dir)s.") % {"dir": derive})
            text, skipped = starter.derive_text(directory)
            starter.DATA.write_text(text, encoding="utf-8")
            self.stdout.write(
                _("Wrote %(path)s; skipped rows of the reference:") % {"path": starter.DATA}
            )
            for line, why in skipped:
                self.stdout.write(f"  {line}: {why}")
            return
        self._outcome(actions.load_starter(actor=exchange.cli_actor(None)))


def _rows(result: judgement.SetJudgement):
    return result.items


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))
