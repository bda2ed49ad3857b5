"""`{{ box|choice_input }}` writes a choice's `<input>` exactly as Django's widget template does
(`{{ box.tag }}`), for a long list of boxes, without a template render per box."""

from __future__ import annotations

from django import forms
from hypothesis import given
from hypothesis import strategies as st

from guanqing.core.templatetags.guanqing import choice_input

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


# a class, text to escape, an attribute left out (False) and a bare one (True)
ATTRS = {"class": "participant-check", "data-note": "<\"&'>", "hidden": False, "autofocus": True}


def _form(widget, choices, data=None, initial=None):
    class Form(forms.Form):
        picked = forms.MultipleChoiceField(
            choices=choices, required=False, widget=widget(attrs=ATTRS)
        )

    return Form(data=data, initial=initial or {}, prefix="p")


@given(
    values=st.lists(texts, min_size=1, max_size=6, unique=True),
    ticked=st.sets(st.integers(min_value=0, max_value=5)),
)
def test_each_box_is_what_django_writes_ticked_or_not(values, ticked):
    choices = [(value, f"{value}·label") for value in values]
    chosen = [values[i] for i in ticked if i < len(values)]
    for form in (
        _form(forms.CheckboxSelectMultiple, choices, initial={"picked": chosen}),
        _form(forms.CheckboxSelectMultiple, choices, data={"p-picked": chosen}),  # sent back
    ):
        for box in form["picked"]:
            assert str(choice_input(box)) == str(box.tag())


def test_radios_and_numbers_too():
    class Form(forms.Form):
        one = forms.TypedChoiceField(
            choices=[(1, "一"), (2, "二")], coerce=int, widget=forms.RadioSelect
        )

    form = Form(initial={"one": 2})
    boxes = list(form["one"])
    assert [str(choice_input(box)) for box in boxes] == [str(box.tag()) for box in boxes]
    assert "checked" in str(choice_input(boxes[1])) and "checked" not in str(choice_input(boxes[0]))
