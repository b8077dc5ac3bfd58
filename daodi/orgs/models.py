"""People, organisations, their places and the administrative divisions they sit in."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from daodi.core import gs1

from .choices import MANAGED_KINDS, DivisionLevel, OrgKind, Role, SiteKind


class Division(models.Model):
    """An administrative division (行政区划): province, city, county, township or village.

    ``code`` is the 12-digit statistical division code (统计用区划代码). The tree is data,
    loaded from a file, never written in code.
    """

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    def descendant_codes_prefix(self) -> str:
        """Codes of a division's descendants share this prefix (the code without trailing zeros
        at its level), which lets queries find everything inside a division with one LIKE."""
        width = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}[self.level]
        return self.code[:width]


class Organisation(models.Model):
    """A party of the herb chain: a household, co-operative, buying point, station, hub, …

    ``managed_by`` is the organisation that keeps this one's records (a village point keeps
    its growers, a station its points, the hub its stations). ``path`` materialises that
    chain ("/1/4/17/") so "everything an organisation manages" is one prefix query.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=120, db_index=True)
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Unique code, e.g. the unified social credit code or an internal number."),
    )
    managed_by = models.ForeignKey(
        "self",
        verbose_name=_("managed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    division = models.ForeignKey(
        Division,
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    gln = models.CharField(_("party GLN"), max_length=13, blank=True, db_index=True)
    contact_person = models.CharField(_("contact person"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    owner_path = ""  # policy.scope filters on this model's own path

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.gln and not gs1.is_valid_key(self.gln, 13):
            raise ValidationError({"gln": _("Not a valid 13-digit GLN (check digit).")})
        if self.phone and not re.fullmatch(r"[0-9+\- ]{5,20}", self.phone):
            raise ValidationError({"phone": _("Enter a phone number of digits only.")})
        if self.managed_by_id and self.pk and self.managed_by.path.startswith(self.path or "\0"):
            raise ValidationError({"managed_by": _("An organisation cannot manage itself.")})
        if self.managed_by_id and self.kind not in MANAGED_KINDS[self.managed_by.kind]:
            raise ValidationError(
                {
                    "kind": _("A %(manager)s does not keep a %(kind)s under it.")
                    % {
                        "manager": self.managed_by.get_kind_display(),
                        "kind": self.get_kind_display(),
                    }
                }
            )

    def compute_path(self) -> str:
        parent = self.managed_by.path if self.managed_by_id else "/"
        return f"{parent}{self.pk}/"


class Site(models.Model):
    """A place of an organisation (office, plot, buying point, warehouse, plant, lab), with GLN."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="sites",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    name = models.CharField(_("name"), max_length=120)
    gln = models.CharField(_("GLN"), max_length=13, unique=True, null=True, blank=True)
    division = models.ForeignKey(
        Division,
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sites",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    owner_path = "organisation__"

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["organisation_id", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.gln and not gs1.is_valid_key(self.gln, 13):
            raise ValidationError({"gln": _("Not a valid 13-digit GLN (check digit).")})

    @property
    def sgln(self) -> str:
        """The EPC URN of this place (urn:epc:id:sgln:…), '' without a GLN.

        Our own GLNs split at our company prefix; others at the common 7 digits, since a
        GLN alone does not tell its prefix length.
        """
        if not self.gln:
            return ""
        prefix = settings.GS1_COMPANY_PREFIX
        return gs1.sgln_urn(
            self.gln, prefix_length=len(prefix) if self.gln.startswith(prefix) else 7
        )


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships."""

    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name

    def get_full_name(self) -> str:
        """A Chinese name family name first and unspaced (郭来保); others given name first."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= c <= "\u9fff" for c in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def display_name(self) -> str:
        """How pages name the person: their name, the username only when they gave none."""
        return self.get_full_name() or self.get_username()


class Membership(models.Model):
    """A user's role in one organisation (and, through ``managed_by``, the ones it manages)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    owner_path = "organisation__"

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
