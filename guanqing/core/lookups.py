"""`field__any_of=values`: `field IN (…)` for a long list of values.

On PostgreSQL the values travel as one array parameter (`field = ANY(%s::type[])`). Django's
`__in` compiles a placeholder for each value and the driver parses them all again: for a thousand
ID-number hashes, checked by an import a batch at a time, that cost more than the query. The
array is cast to the column's type, so the column's index is used. Other databases get `IN`.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Field
from django.db.models.lookups import In

from guanqing.core import bulk


@Field.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        field = self.lhs.output_field
        values = [
            field.get_db_prep_value(value, connection, prepared=True)
            for value in dict.fromkeys(self.rhs)
            if value is not None
        ]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        array = bulk.pg_array(values)
        return f"{lhs} = ANY(%s::{field.cast_db_type(connection)}[])", (*lhs_params, array)
