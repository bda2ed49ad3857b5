"""Form fields every work method's pages share."""

from __future__ import annotations

from django import forms

from guanqing.core.ids import parse_id


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Records picked by id: a value that is not an id (a sign, a decimal, past 2^63−1) is an
    invalid choice like an unknown id, not a query the database cannot run."""

    def _check_values(self, value):
        for item in value if isinstance(value, list | tuple) else ():
            if parse_id(item) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item)[:20]},
                )
        return super()._check_values(value)
