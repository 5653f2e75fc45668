"""The residents' register (Melderegister), the civil status register (Personenstandsregister)
and data reported by third parties (employers, pension funds).

The source of truth for facts about people; other apps read them only through
``rathaus.registers.selectors`` (and later ``services``), which log who read what and why.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rathaus.domain.registers.names import person_name_key
from rathaus.domain.registers.tax_id import InvalidTaxId, validate_tax_id


def _validate_tax_id(value: str) -> None:
    try:
        validate_tax_id(value)
    except InvalidTaxId as exc:
        raise ValidationError(str(exc), code="invalid_tax_id") from exc


class Address(models.Model):
    """A building address in the city (Anschrift)."""

    street = models.CharField(max_length=120)
    house_number = models.CharField(max_length=12)
    postal_code = models.CharField(max_length=5)
    district = models.CharField("Ortsteil", max_length=80, blank=True)
    city = models.CharField(max_length=80, default="Bremen")

    class Meta:
        verbose_name = "Anschrift"
        verbose_name_plural = "Anschriften"
        constraints = [
            models.UniqueConstraint(
                fields=["street", "house_number", "postal_code", "city"], name="registers_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street} {self.house_number}, {self.postal_code} {self.city}"


class Household(models.Model):
    """The people registered together in one dwelling (Haushalt)."""

    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="households")

    class Meta:
        verbose_name = "Haushalt"
        verbose_name_plural = "Haushalte"

    def __str__(self) -> str:
        return f"Haushalt {self.pk} ({self.address})"


class Person(models.Model):
    """A person registered as a resident (or formerly resident) of the city (§ 3 BMG)."""

    class Sex(models.TextChoices):
        FEMALE = "w", _("weiblich")
        MALE = "m", _("männlich")
        DIVERSE = "d", _("divers")
        UNSPECIFIED = "x", _("ohne Angabe")

    class MaritalStatus(models.TextChoices):
        # Familienstand as recorded under § 3 Abs. 1 Nr. 14 BMG.
        SINGLE = "ledig", _("ledig")
        MARRIED = "verheiratet", _("verheiratet")
        DIVORCED = "geschieden", _("geschieden")
        WIDOWED = "verwitwet", _("verwitwet")
        MARRIAGE_ANNULLED = "ehe_aufgehoben", _("Ehe aufgehoben")
        PARTNERSHIP = "lebenspartnerschaft", _("in eingetragener Lebenspartnerschaft")
        PARTNER_DECEASED = "lebenspartner_verstorben", _("Lebenspartner/in verstorben")
        PARTNERSHIP_DISSOLVED = "lebenspartnerschaft_aufgehoben", _("Lebenspartnerschaft aufgehoben")
        UNKNOWN = "unbekannt", _("nicht bekannt")

    register_number = models.CharField(max_length=20, unique=True)
    family_name = models.CharField(max_length=120)
    given_names = models.CharField(max_length=200)
    birth_name = models.CharField(max_length=120, blank=True)
    date_of_birth = models.DateField()
    place_of_birth = models.CharField(max_length=120, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    # ISO 3166-1 alpha-3 code of the (first) nationality.
    nationality = models.CharField(max_length=3, default="DEU")
    marital_status = models.CharField(
        max_length=40, choices=MaritalStatus.choices, default=MaritalStatus.SINGLE
    )
    address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.PROTECT, related_name="residents"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    moved_in_on = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    # Steuerliche Identifikationsnummer (§ 139b AO).
    tax_id = models.CharField(
        max_length=11, null=True, blank=True, unique=True, validators=[_validate_tax_id]
    )
    # Folded "family given" (see rathaus.domain.registers.names) for index-backed name search.
    name_key = models.CharField(max_length=330, editable=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "Person"
        verbose_name_plural = "Personen"
        indexes = [
            models.Index(fields=["family_name", "given_names"], name="registers_person_name_idx"),
            models.Index(fields=["date_of_birth"], name="registers_person_birth_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}"

    def save(self, *args, **kwargs):
        # The search key is derived data, kept in step with the name on every save.
        self.name_key = person_name_key(self.family_name, self.given_names)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"


class BirthRecord(models.Model):
    """An entry in the birth register (Geburtenregister, § 21 PStG)."""

    child = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="birth_record")
    mother = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="births_as_mother")
    father = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="births_as_father"
    )
    date = models.DateField()
    place = models.CharField(max_length=120)
    registry_office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    record_number = models.CharField(max_length=30)

    class Meta:
        verbose_name = "Geburtseintrag"
        verbose_name_plural = "Geburtseinträge"
        constraints = [
            models.UniqueConstraint(
                fields=["registry_office", "record_number"], name="registers_birth_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Geburtseintrag {self.record_number}"


class MarriageRecord(models.Model):
    """An entry in the marriage register (Eheregister, § 15 PStG)."""

    class EndReason(models.TextChoices):
        DEATH = "death", _("Tod")
        DIVORCE = "divorce", _("Scheidung")
        ANNULMENT = "annulment", _("Aufhebung")

    spouse_a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="marriages_as_a")
    spouse_b = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="marriages_as_b")
    date = models.DateField()
    registry_office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    record_number = models.CharField(max_length=30)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        verbose_name = "Eheeintrag"
        verbose_name_plural = "Eheeinträge"
        constraints = [
            models.UniqueConstraint(
                fields=["registry_office", "record_number"], name="registers_marriage_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(spouse_a=F("spouse_b")), name="registers_marriage_two_people"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("date")),
                name="registers_marriage_ends_after_it_begins",
            ),
        ]

    def __str__(self) -> str:
        return f"Eheeintrag {self.record_number}"


class Employer(models.Model):
    """An employer that reports wage tax certificates."""

    name = models.CharField(max_length=200)
    city = models.CharField(max_length=80)

    class Meta:
        verbose_name = "Arbeitgeber"
        verbose_name_plural = "Arbeitgeber"

    def __str__(self) -> str:
        return self.name


class IncomeNotification(models.Model):
    """An employer's electronic wage tax certificate (elektronische Lohnsteuerbescheinigung, § 41b EStG)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="income_notifications")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="income_notifications")
    year = models.PositiveSmallIntegerField()
    gross_wage = models.DecimalField(max_digits=12, decimal_places=2)
    wage_tax = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "Lohnsteuerbescheinigung"
        verbose_name_plural = "Lohnsteuerbescheinigungen"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "employer", "year"], name="registers_income_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.employer_id} → {self.person_id}"


class PensionNotification(models.Model):
    """A pension fund's pension notification (Rentenbezugsmitteilung, § 22a EStG)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="pension_notifications")
    pension_fund = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    annual_gross = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "Rentenbezugsmitteilung"
        verbose_name_plural = "Rentenbezugsmitteilungen"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "pension_fund", "year"], name="registers_pension_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.pension_fund} → {self.person_id}"


class Consent(models.Model):
    """A person's consent (Einwilligung, Art. 6 Abs. 1 Buchst. a and Art. 7 DSGVO) that one office
    sends data of theirs to another for one purpose, until a date or until withdrawn.

    ``basis_id`` names the entry of the once-only catalogue (``rathaus.domain.onceonly``) the
    consent was given under; its categories are never wider than that entry's. A withdrawal
    (Art. 7 Abs. 3 DSGVO) takes effect at once: the exchange service reads the consent under
    a row lock when it answers.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    basis_id = models.CharField(max_length=60)
    categories = models.JSONField(default=list)
    from_office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    to_office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300)
    given_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Einwilligung"
        verbose_name_plural = "Einwilligungen"
        indexes = [models.Index(fields=["person", "given_at"], name="registers_consent_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="registers_consent_withdrawn_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"Einwilligung {self.pk}: {self.basis_id} ({self.person_id})"

    def is_valid_on(self, day: date) -> bool:
        return self.withdrawn_at is None and day <= self.valid_until


class ExchangeRecord(models.Model):
    """One request of an office to the registers about a person, answered or refused: the log
    behind the citizen's Datenschutzcockpit (§ 40 BMG; Art. 15 DSGVO; § 9 IDNrG)."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("beantwortet")
        REFUSED = "refused", _("abgelehnt")
        # Held back until a clerk of ``deciding_office`` releases or refuses it (catalogue
        # entries with a ``decision`` block; decision 0105).
        PENDING = "pending", _("wartet auf Entscheidung")

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    requesting_office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    # Null when the person asked about is not in the register; ``person_ref`` keeps what was asked.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges"
    )
    person_ref = models.CharField(max_length=40, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    basis_id = models.CharField(max_length=60, blank=True)
    # The citation as it stood when the request was answered (the catalogue may change later).
    basis_citation = models.CharField(max_length=200, blank=True)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges"
    )
    fields_requested = models.JSONField(default=list)
    fields_released = models.JSONField(default=list)
    fields_withheld = models.JSONField(default=list)  # [{"field", "code", "reason"}]
    categories_released = models.JSONField(default=list)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    refusal_code = models.CharField(max_length=40, blank=True)
    refusal_reason = models.CharField(max_length=300, blank=True)
    # A request that needs a clerk's decision: the register office that decides, who decided
    # and when, and the answer as released (what the requesting office fetches).
    deciding_office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=200, blank=True)
    released_data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "Datenaustausch"
        verbose_name_plural = "Datenaustausche"
        indexes = [
            models.Index(fields=["person", "created_at"], name="registers_exchange_person_idx"),
            models.Index(fields=["deciding_office", "outcome"], name="registers_exchange_queue_idx"),
            models.Index(fields=["created_at"], name="registers_exchange_time_idx"),
        ]

    def __str__(self) -> str:
        return f"Datenaustausch {self.pk}: {self.get_outcome_display()}"


class RegisterEvent(models.Model):
    """Something that happened in a register (a birth, a 67th birthday, a move, a marriage, a
    death), stored once per ``key`` and processed once by a background task: the rules of
    ``rathaus.domain.onceonly.offers`` turn it into proactive offers."""

    class Kind(models.TextChoices):
        BIRTH_REGISTERED = "birth_registered", _("Geburt beurkundet")
        TURNED_67 = "turned_67", _("Regelaltersgrenze erreicht (67)")
        MOVED_IN = "moved_in", _("Zuzug")
        MARRIED = "married", _("Eheschließung")
        DIED = "died", _("Tod")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    occurred_on = models.DateField()
    payload = models.JSONField(default=dict, blank=True)
    # What makes two reports the same event ("turned_67:<person>"): a duplicate is stored once.
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Registerereignis"
        verbose_name_plural = "Registerereignisse"
        indexes = [models.Index(fields=["kind", "occurred_on"], name="registers_event_kind_day_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.person_id}, {self.occurred_on})"


class ProactiveOffer(models.Model):
    """An offer the city makes on its own initiative ("Sie haben wahrscheinlich Anspruch auf …"):
    one per person, rule and event; accepting it files a case at the responsible office."""

    class Status(models.TextChoices):
        OFFERED = "offered", pgettext_lazy("Angebot", "angeboten")
        ACCEPTED = "accepted", pgettext_lazy("Angebot", "angenommen")
        DECLINED = "declined", pgettext_lazy("Angebot", "abgelehnt")
        # The person died before deciding (an event of kind ``died``).
        WITHDRAWN = "withdrawn", pgettext_lazy("Angebot", "zurückgezogen")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="proactive_offers")
    rule_id = models.CharField(max_length=60)
    event = models.ForeignKey(RegisterEvent, on_delete=models.PROTECT, related_name="offers")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The E-Akte case that acceptance started (a case id of efile, read through its selectors).
    case_id = models.BigIntegerField(null=True, blank=True)
    aktenzeichen = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = "Proaktives Angebot"
        verbose_name_plural = "Proaktive Angebote"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "rule_id", "event"], name="registers_offer_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["person", "created_at"], name="registers_offer_person_idx")]

    def __str__(self) -> str:
        return f"Angebot {self.rule_id} an {self.person_id} ({self.status})"


# The register offices, change history and corrections (a module of their own; see there).
from .models_changes import Correction, Register, RegisterChange, RegisterOffice  # noqa: E402, F401
