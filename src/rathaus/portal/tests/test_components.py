"""The documented template partials in templates/components/ render KERN markup correctly."""

from django import forms
from django.core.paginator import Paginator
from django.template import Context, Template
from django.utils import translation


class _ExampleForm(forms.Form):
    email = forms.EmailField(
        label="E-Mail-Adresse", help_text="An diese Adresse schicken wir die Bestätigung."
    )
    nickname = forms.CharField(label="Rufname", required=False)
    office = forms.ChoiceField(label="Amt", choices=[("a", "Bürgeramt"), ("b", "Standesamt")])
    consent = forms.BooleanField(label="Ich stimme zu")


def _render(source: str, **context: object) -> str:
    # German, whatever language an earlier test left active in this thread.
    with translation.override("de"):
        return Template("{% load i18n %}" + source).render(Context(context))


def test_field_links_label_hint_and_error_to_the_input():
    """Label ``for`` the input; aria-describedby names hint and error; aria-invalid when wrong."""
    form = _ExampleForm(data={"email": "kein-at-zeichen"})
    html = _render('{% include "components/_field.html" with field=form.email %}', form=form)
    assert '<label class="kern-label" for="id_email">E-Mail-Adresse</label>' in html
    assert 'id="id_email-hint"' in html and "An diese Adresse schicken wir die Bestätigung." in html
    assert 'aria-describedby="id_email-hint id_email-error"' in html
    assert 'aria-invalid="true"' in html
    assert "kern-form-input__input--error" in html
    assert 'class="kern-error" id="id_email-error"' in html
    assert "Enter a valid email address." in html or "gültige E-Mail-Adresse" in html


def test_field_marks_optional_fields_and_leaves_valid_fields_plain():
    form = _ExampleForm(data={"email": "a@example.org", "office": "a", "consent": "on"})
    form.is_valid()
    html = _render('{% include "components/_field.html" with field=form.nickname %}', form=form)
    assert "kern-label__optional" in html
    assert "aria-invalid" not in html
    assert "kern-error" not in html


def test_field_renders_select_in_kern_wrapper_and_checkbox_as_form_check():
    form = _ExampleForm()
    select = _render('{% include "components/_field.html" with field=form.office %}', form=form)
    assert '<div class="kern-form-input__select-wrapper"><select' in select
    assert 'class="kern-form-input__select"' in select
    checkbox = _render('{% include "components/_field.html" with field=form.consent %}', form=form)
    assert 'class="kern-form-check"' in checkbox
    assert 'class="kern-form-check__checkbox"' in checkbox


def test_error_summary_links_each_error_to_its_field():
    form = _ExampleForm(data={"email": "x"})
    html = _render('{% include "components/_error_summary.html" with form=form %}', form=form)
    assert 'role="alert"' in html
    assert 'href="#id_email"' in html
    assert 'href="#id_office"' in html
    assert 'href="#id_consent"' in html


def test_error_summary_is_empty_for_an_unbound_form():
    html = _render('{% include "components/_error_summary.html" with form=form %}', form=_ExampleForm())
    assert html.strip() == ""


def test_alert_maps_message_levels_to_kern_variants():
    """django.contrib.messages' "error" becomes KERN's danger alert, announced as an alert."""
    html = _render('{% include "components/_alert.html" with type="error" text="Kaputt" live=True %}')
    assert "kern-alert--danger" in html and 'role="alert"' in html and "Kaputt" in html
    html = _render('{% include "components/_alert.html" with type="success" text="Gespeichert" live=True %}')
    assert "kern-alert--success" in html and 'role="status"' in html
    # text from a variable (e.g. a message containing user input) is escaped
    html = _render('{% include "components/_alert.html" with text=message %}', message="<b>x</b>")
    assert "kern-alert--info" in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_pagination_shows_position_and_neighbours():
    page = Paginator(list(range(45)), 20).get_page(2)
    html = _render('{% include "components/_pagination.html" with page_obj=page %}', page=page)
    assert "Seite 2 von 3" in html
    assert 'href="?page=1" rel="prev"' in html
    assert 'href="?page=3" rel="next"' in html


def test_pagination_renders_nothing_for_one_page():
    page = Paginator([1, 2], 20).get_page(1)
    assert _render('{% include "components/_pagination.html" with page_obj=page %}', page=page).strip() == ""


def test_empty_state_shows_title_text_and_action():
    html = _render(
        '{% include "components/_empty_state.html" with title="Nichts da" text="Noch leer." '
        'action_url="/x/" action_label="Weiter" heading_level=3 %}'
    )
    assert '<h3 class="kern-heading-small app-empty-state__title">Nichts da</h3>' in html
    assert "Noch leer." in html and 'href="/x/"' in html and "Weiter" in html


def test_error_summary_takes_a_plain_list_of_errors():
    html = _render(
        '{% include "components/_error_summary.html" with errors=errors %}', errors=["Bitte wählen."]
    )
    assert 'role="alert"' in html and "<li>Bitte wählen.</li>" in html


def test_office_select_lists_the_offices_with_the_shown_one_selected():
    class _Office:
        def __init__(self, pk: int, name: str) -> None:
            self.pk, self.name = pk, name

    offices = [_Office(1, "Bürgeramt"), _Office(2, "Standesamt")]
    html = _render(
        '{% include "components/_office_select.html" with offices=offices office=office %}',
        offices=offices,
        office=offices[1],
    )
    assert '<label class="kern-label" for="id_dienststelle">Dienststelle</label>' in html
    assert 'name="dienststelle"' in html
    assert '<option value="1">Bürgeramt</option>' in html
    assert '<option value="2" selected>Standesamt</option>' in html


def test_search_input_labels_the_search_field_and_keeps_the_search_escaped():
    html = _render(
        '{% include "components/_search_input.html" with label=_("Kassenzeichen suchen") value=query %}',
        query='<b>"x"',
    )
    assert '<label class="kern-label" for="id_q">Kassenzeichen suchen</label>' in html
    assert 'type="search" id="id_q" name="q" value="&lt;b&gt;&quot;x&quot;"' in html


def test_status_select_offers_all_and_each_status_with_the_current_one_selected():
    html = _render(
        '{% include "components/_status_select.html" with choices=states selected=status all_label="Alle" %}',
        states=[("open", "Offen"), ("closed", "Abgeschlossen")],
        status="closed",
    )
    assert '<label class="kern-label" for="id_status">Status</label>' in html
    assert '<option value="">Alle</option>' in html
    assert '<option value="open">Offen</option>' in html
    assert '<option value="closed" selected>Abgeschlossen</option>' in html
