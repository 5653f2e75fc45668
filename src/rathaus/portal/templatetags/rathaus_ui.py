"""Template helpers for the UI shell (``{% load rathaus_ui %}``).

Public surface for every app's templates:

* ``{{ field|kern_widget }}`` renders a form field's widget with the KERN classes and the
  ARIA attributes that tie it to its hint and error (used by ``components/_field.html``).
* ``{% site_is_demo as is_demo %}`` is true when the built-in demo identity provider is on,
  so pages can say honestly that this installation is a demonstration.
* ``{% operator_info as operator %}`` gives the operator details shown in the imprint.
* ``{% staff_areas as areas %}`` gives the work areas the logged-in member of staff may enter
  (``rathaus.portal.workbench.Area``), empty for everyone else: the staff header navigation.
"""

from django import forms, template
from django.conf import settings

from rathaus.portal import workbench

register = template.Library()

_CHOICE_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


def _kern_class(widget: forms.Widget, *, invalid: bool) -> str:
    if isinstance(widget, forms.CheckboxInput):
        base = "kern-form-check__checkbox"
    elif isinstance(widget, forms.RadioSelect):
        base = "kern-form-check__radio"
    elif isinstance(widget, forms.Select):
        base = "kern-form-input__select"
    else:
        base = "kern-form-input__input"
    return f"{base} {base}--error" if invalid else base


@register.filter
def kern_widget(field: forms.BoundField) -> str:
    """The field's widget with KERN classes, ``aria-describedby`` and ``aria-invalid``."""
    invalid = bool(field.errors)
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if invalid:
        described.append(f"{field.auto_id}-error")
    attrs: dict[str, str] = {}
    existing = field.field.widget.attrs.get("class", "")
    attrs["class"] = f"{existing} {_kern_class(field.field.widget, invalid=invalid)}".strip()
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if invalid:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_field(field: forms.BoundField) -> bool:
    """True for checkboxes and radio groups, which KERN lays out differently from inputs."""
    return isinstance(field.field.widget, _CHOICE_WIDGETS)


@register.simple_tag
def site_is_demo() -> bool:
    return bool(getattr(settings, "DEMO_IDP_ENABLED", False))


@register.simple_tag
def operator_info() -> dict[str, str]:
    """Who runs this installation (``RATHAUS_OPERATOR_*`` settings), for imprint and contact."""
    return {
        "name": getattr(settings, "RATHAUS_OPERATOR_NAME", ""),
        "address": getattr(settings, "RATHAUS_OPERATOR_ADDRESS", ""),
        "email": getattr(settings, "RATHAUS_OPERATOR_EMAIL", ""),
        "phone": getattr(settings, "RATHAUS_OPERATOR_PHONE", ""),
        "representative": getattr(settings, "RATHAUS_OPERATOR_REPRESENTATIVE", ""),
        "accessibility_email": getattr(settings, "RATHAUS_ACCESSIBILITY_EMAIL", "")
        or getattr(settings, "RATHAUS_OPERATOR_EMAIL", ""),
    }


@register.simple_tag(takes_context=True)
def staff_areas(context: template.Context) -> list[workbench.Area]:
    """The staff member's work areas, worked out once per request."""
    request = context.get("request")
    return workbench.staff_areas_for_request(request) if request is not None else []
